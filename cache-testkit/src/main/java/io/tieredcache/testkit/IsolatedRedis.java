package io.tieredcache.testkit;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Inherited;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Gives the annotated test class its own local, {@linkplain RedisServer#controllable() controllable}
 * redis-server (from {@link RedisServer#startLocal()}), closed after the class, instead of the
 * server shared by the whole test JVM. Fault tests that stop, restart or pause Redis use it so
 * they never disturb other tests. {@code @Nested} classes share their enclosing class's server
 * unless annotated themselves. Registers {@link RedisExtension}, so it may be used alone.
 */
@Documented
@Inherited
@Retention(RetentionPolicy.RUNTIME)
@Target(ElementType.TYPE)
@ExtendWith(RedisExtension.class)
public @interface IsolatedRedis {
}
