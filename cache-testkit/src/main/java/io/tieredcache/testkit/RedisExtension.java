package io.tieredcache.testkit;

import java.lang.reflect.AnnotatedElement;
import java.util.Optional;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.ParameterContext;
import org.junit.jupiter.api.extension.ParameterResolutionException;
import org.junit.jupiter.api.extension.ParameterResolver;
import org.junit.platform.commons.support.AnnotationSupport;

/**
 * Injects a {@link RedisServer} into test constructors, lifecycle methods and test methods.
 *
 * <p>By default every test in the JVM gets the same server, made by {@link RedisServer#resolve()}
 * on first use and closed when the JUnit run ends; it is not {@linkplain RedisServer#controllable()
 * controllable}, and {@link RedisServer#close()} on it is ignored. A class annotated
 * {@link IsolatedRedis} gets its own {@link RedisServer#startLocal()} server instead, closed after
 * the class. Tests sharing a server should use their own key prefixes rather than flushing it.
 *
 * <pre>{@code
 * @ExtendWith(RedisExtension.class)
 * class SomeIT {
 *   @Test void t(RedisServer redis) { ... redis.uri() ... }
 * }
 * }</pre>
 */
public final class RedisExtension implements ParameterResolver {

  private static final ExtensionContext.Namespace NAMESPACE = ExtensionContext.Namespace.create(RedisExtension.class);
  private static final String SHARED_KEY = "shared";
  private static final String ISOLATED_KEY = "isolated";

  /** Created by JUnit. */
  public RedisExtension() { }

  @Override
  public boolean supportsParameter(ParameterContext parameterContext, ExtensionContext extensionContext) {
    return parameterContext.getParameter().getType() == RedisServer.class;
  }

  @Override
  public RedisServer resolveParameter(ParameterContext parameterContext, ExtensionContext extensionContext) {
    try {
      return server(extensionContext);
    } catch (RuntimeException e) {
      throw new ParameterResolutionException("cannot provide a Redis: " + e.getMessage(), e);
    }
  }

  /** The server for this context: the nearest {@link IsolatedRedis} class's, or the shared one. */
  static RedisServer server(ExtensionContext context) {
    Optional<ExtensionContext> isolatedClass = isolatedClassContext(context);
    if (isolatedClass.isPresent()) {
      return isolatedClass.get().getStore(NAMESPACE)
          .computeIfAbsent(ISOLATED_KEY, key -> new Owned(RedisServer.startLocal()), Owned.class).server;
    }
    return context.getRoot().getStore(NAMESPACE)
        .computeIfAbsent(SHARED_KEY, key -> new Owned(RedisServer.resolve(System::getenv, true)), Owned.class).server;
  }

  private static Optional<ExtensionContext> isolatedClassContext(ExtensionContext context) {
    for (Optional<ExtensionContext> c = Optional.of(context); c.isPresent(); c = c.get().getParent()) {
      Optional<AnnotatedElement> element = c.get().getElement();
      if (element.isPresent() && element.get() instanceof Class
          && AnnotationSupport.isAnnotated(element.get(), IsolatedRedis.class)) {
        return c;
      }
    }
    return Optional.empty();
  }

  /** What the store holds: JUnit closes it with its context, and that really shuts the server down. */
  static final class Owned implements AutoCloseable {
    final RedisServer server;

    Owned(RedisServer server) {
      this.server = server;
    }

    @Override
    public void close() {
      server.shutdown();
    }
  }
}
