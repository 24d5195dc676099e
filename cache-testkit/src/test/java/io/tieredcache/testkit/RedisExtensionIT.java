package io.tieredcache.testkit;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** {@link RedisExtension} as a test author uses it. */
@ExtendWith(RedisExtension.class)
class RedisExtensionIT {

  private final RedisServer shared;
  private RedisServer fromBeforeEach;

  RedisExtensionIT(RedisServer shared) {
    this.shared = shared;
  }

  @BeforeEach
  void before(RedisServer redis) {
    fromBeforeEach = redis;
  }

  @Test
  void aTestGetsAWorkingSharedServer(RedisServer redis) {
    assertThat(redis).isSameAs(shared).isSameAs(fromBeforeEach);
    try (RedisAdmin admin = redis.admin()) {
      assertThat(admin.ping()).isEqualTo("PONG");
    }
    assertThat(redis.controllable()).as("nobody may stop the shared server").isFalse();
    redis.close();   // ignored on the shared server
    assertThat(redis.isRunning()).isTrue();
  }

  @Nested
  @IsolatedRedis
  class Isolated {

    @Test
    void getsItsOwnControllableServer(RedisServer isolated) {
      assertThat(isolated.port()).isNotEqualTo(shared.port());
      assertThat(isolated.controllable()).isTrue();
      isolated.restart();
      try (RedisAdmin admin = isolated.admin()) {
        assertThat(admin.ping()).isEqualTo("PONG");
      }
      assertThat(shared.isRunning()).isTrue();
    }

    @Nested
    class Inner {
      @Test
      void sharesItsEnclosingIsolatedServer(RedisServer redis) {
        assertThat(redis.port()).isNotEqualTo(shared.port());
        assertThat(redis.controllable()).isTrue();
      }
    }
  }
}
