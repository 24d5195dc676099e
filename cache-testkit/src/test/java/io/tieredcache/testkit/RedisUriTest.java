package io.tieredcache.testkit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class RedisUriTest {

  @Test
  void parsesHostPortAndDefaults() {
    RedisUri uri = RedisUri.parse("redis://cache.example:6380");
    assertThat(uri.host()).isEqualTo("cache.example");
    assertThat(uri.port()).isEqualTo(6380);
    assertThat(uri.ssl()).isFalse();
    assertThat(uri.password()).isNull();
    assertThat(uri.database()).isZero();
    assertThat(RedisUri.parse("redis://h").port()).isEqualTo(6379);
  }

  @Test
  void parsesCredentialsDatabaseAndTls() {
    RedisUri uri = RedisUri.parse("rediss://alice:p%40ss+word@[::1]:7000/3");
    assertThat(uri.ssl()).isTrue();
    assertThat(uri.user()).isEqualTo("alice");
    assertThat(uri.password()).isEqualTo("p@ss+word");
    assertThat(uri.host()).isEqualTo("::1");
    assertThat(uri.port()).isEqualTo(7000);
    assertThat(uri.database()).isEqualTo(3);
    assertThat(uri.text()).isEqualTo("rediss://alice:p%40ss+word@[::1]:7000/3");
    assertThat(uri.toString()).doesNotContain("p@ss").doesNotContain("p%40ss");

    RedisUri passwordOnly = RedisUri.parse("redis://secret@h:1");
    assertThat(passwordOnly.user()).isNull();
    assertThat(passwordOnly.password()).isEqualTo("secret");
  }

  @Test
  void rejectsWhatIsNotARedisUri() {
    assertThatThrownBy(() -> RedisUri.parse("http://h:1")).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> RedisUri.parse("redis:///0")).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> RedisUri.parse("redis://h:1/x")).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> RedisUri.parse(" ")).isInstanceOf(IllegalArgumentException.class);
  }
}
