package io.tieredcache.examples.springboot;

import java.lang.reflect.InvocationHandler;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Proxy;
import java.sql.Connection;
import java.util.concurrent.atomic.AtomicLong;
import javax.sql.DataSource;
import org.springframework.beans.factory.config.BeanPostProcessor;
import org.springframework.stereotype.Component;

/**
 * Counts the SQL statements the application sends to the database: every statement prepared or
 * created on a connection of the application's {@link DataSource}.
 */
@Component
public class QueryCounter implements BeanPostProcessor {

  private final AtomicLong statements = new AtomicLong();

  /** Statements sent since the last {@link #reset()}. */
  public long count() {
    return statements.get();
  }

  /** Starts counting from zero. */
  public void reset() {
    statements.set(0);
  }

  @Override
  public Object postProcessAfterInitialization(Object bean, String beanName) {
    if (bean instanceof DataSource dataSource) {
      return proxy(DataSource.class, dataSource, (target, method, args) -> {
        Object result = method.invoke(target, args);
        return result instanceof Connection connection ? counting(connection) : result;
      });
    }
    return bean;
  }

  private Connection counting(Connection connection) {
    return proxy(Connection.class, connection, (target, method, args) -> {
      String name = method.getName();
      if (name.equals("prepareStatement") || name.equals("createStatement") || name.equals("prepareCall")) {
        statements.incrementAndGet();
      }
      return method.invoke(target, args);
    });
  }

  /** A handler given the real target: exceptions of the target come out unwrapped. */
  private interface Forwarding {
    Object invoke(Object target, java.lang.reflect.Method method, Object[] args) throws Throwable;
  }

  @SuppressWarnings("unchecked")
  private static <T> T proxy(Class<T> type, T target, Forwarding forwarding) {
    InvocationHandler handler = (proxy, method, args) -> {
      try {
        return forwarding.invoke(target, method, args);
      } catch (InvocationTargetException e) {
        throw e.getCause();
      }
    };
    return (T) Proxy.newProxyInstance(type.getClassLoader(), new Class<?>[] {type}, handler);
  }
}
