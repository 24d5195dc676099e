package io.tieredcache.testkit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The order {@link RedisServer#resolve()} follows, and how startLocal() reports a broken binary. */
class RedisServerResolveTest {

  @TempDir
  Path temp;

  /** An environment with only what is given, plus PATH, and a Docker endpoint that does not exist. */
  private Function<String, String> env(String... keysAndValues) {
    Map<String, String> map = new HashMap<>();
    map.put("PATH", System.getenv("PATH"));
    map.put("HOME", temp.toString());
    map.put("DOCKER_HOST", "unix://" + temp.resolve("no-docker.sock"));
    for (int i = 0; i < keysAndValues.length; i += 2) {
      map.put(keysAndValues[i], keysAndValues[i + 1]);
    }
    return map::get;
  }

  @Test
  void anExternalUriFromTheEnvironmentWinsAndIsNotControllable() {
    // Nothing listens there and nothing is started: resolve() must not even try.
    RedisServer redis = RedisServer.resolve(env(RedisServer.URI_ENV, "redis://redis.invalid:6390/2",
        LocalRedisProcess.SERVER_ENV, temp.resolve("no-such-redis-server").toString()));
    assertThat(redis.host()).isEqualTo("redis.invalid");
    assertThat(redis.port()).isEqualTo(6390);
    assertThat(redis.uri()).isEqualTo("redis://redis.invalid:6390/2");
    assertThat(redis.controllable()).isFalse();
    assertThatThrownBy(redis::stop).isInstanceOf(UnsupportedOperationException.class)
        .hasMessageContaining("@IsolatedRedis");
    assertThatThrownBy(redis::restart).isInstanceOf(UnsupportedOperationException.class);
    redis.close();   // leaves an external Redis alone
  }

  @Test
  void aMalformedUriIsAClearError() {
    assertThatThrownBy(() -> RedisServer.resolve(env(RedisServer.URI_ENV, "localhost:6379")))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining(RedisServer.URI_ENV);
  }

  @Test
  void withoutUriOrDockerItStartsALocalServerQuickly() {
    long start = System.nanoTime();
    try (RedisServer redis = RedisServer.resolve(env())) {
      assertThat(redis.controllable()).isTrue();
      assertThat(redis.host()).isEqualTo("127.0.0.1");
      try (RedisAdmin admin = redis.admin()) {
        assertThat(admin.ping()).isEqualTo("PONG");
      }
    }
    assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(10));
  }

  @Test
  void dockerIsNotProbedWithoutASocketAndCanBeSwitchedOff() {
    assertThat(ContainerSupport.dockerEndpointConfigured(env())).isFalse();
    assertThat(ContainerSupport.dockerEndpointConfigured(env("DOCKER_HOST", "tcp://docker.invalid:2375"))).isTrue();
    assertThat(ContainerSupport.tryStart(env(ContainerSupport.DOCKER_ENV, "false",
        "DOCKER_HOST", "tcp://docker.invalid:2375"))).isNull();
    assertThat(ContainerSupport.tryStart(env())).isNull();
  }

  @Test
  void aMissingBinaryTellsHowToInstallIt() {
    assertThatThrownBy(() -> LocalRedisProcess.findExecutable(env("PATH", temp.toString()), List.of()))
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("apt-get install redis-server")
        .hasMessageContaining(LocalRedisProcess.SERVER_ENV);
    assertThatThrownBy(() -> RedisServer.startLocal(
            env(LocalRedisProcess.SERVER_ENV, temp.resolve("nope").toString()), false))
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("apt-get install redis-server");
  }

  @Test
  void aServerThatDiesAtStartupReportsTheEndOfItsLog() throws IOException {
    Path fake = script("fake-redis-server", "echo 'fatal: something specific went wrong'", "exit 3");
    assertThatThrownBy(() -> RedisServer.startLocal(env(LocalRedisProcess.SERVER_ENV, fake.toString()), false))
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("exited with code 3")
        .hasMessageContaining("fatal: something specific went wrong");
  }

  @Test
  void aPortTakenDuringStartupIsRetriedThenReported() throws IOException {
    Path fake = script("busy-redis-server", "echo 'bind: Address already in use'", "exit 1");
    assertThatThrownBy(() -> RedisServer.startLocal(env(LocalRedisProcess.SERVER_ENV, fake.toString()), false))
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("could not bind a free port");
  }

  private Path script(String name, String... lines) throws IOException {
    Path file = temp.resolve(name);
    Files.writeString(file, "#!/bin/sh\n" + String.join("\n", lines) + "\n");
    Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rwx------"));
    return file;
  }
}
