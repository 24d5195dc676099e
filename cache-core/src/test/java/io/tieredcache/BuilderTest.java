package io.tieredcache;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import org.junit.jupiter.api.Test;

class BuilderTest {

  @Test
  void defaultsSuitAReadHeavyService() {
    TieredCache<String, String> cache = TieredCache.builder("defaults").build();
    assertThat(cache.name()).isEqualTo("defaults");
    assertThat(cache.policy().l1MaximumSize()).isEqualTo(TieredCacheBuilder.DEFAULT_MAXIMUM_SIZE);
    assertThat(cache.policy().l1ExpireAfterWrite()).isEqualTo(TieredCacheBuilder.DEFAULT_EXPIRE_AFTER_WRITE);
    assertThat(cache.policy().absentTtl()).isEqualTo(TieredCacheBuilder.DEFAULT_ABSENT_TTL);
    assertThat(cache.policy().remoteTierComponent(Object.class)).isEmpty();
  }

  @Test
  void badSettingsAreRejectedWithTheirName() {
    assertThatThrownBy(() -> TieredCache.builder(" ")).hasMessageContaining("blank");
    assertThatThrownBy(() -> TieredCache.builder("c").maximumSize(-1)).hasMessageContaining("maximumSize");
    assertThatThrownBy(() -> TieredCache.builder("c").expireAfterWrite(Duration.ZERO)).hasMessageContaining("expireAfterWrite");
    assertThatThrownBy(() -> TieredCache.builder("c").jitter(1.0)).hasMessageContaining("jitter");
    assertThatThrownBy(() -> TieredCache.builder("c").absentTtl(Duration.ofSeconds(-1))).hasMessageContaining("absentTtl");
    assertThatThrownBy(() -> TieredCache.builder("c").expireAfterWrite(Duration.ofMinutes(1))
        .refreshAfterWrite(Duration.ofMinutes(1)).build())
        .isInstanceOf(IllegalStateException.class).hasMessageContaining("refreshAfterWrite");
  }

  @Test
  void aRemoteTierNeedsAKeyCodec() {
    assertThatThrownBy(() -> TieredCache.builder("c").<String, String>remoteTier(context -> new InMemoryRemoteTier<>()).build())
        .isInstanceOf(IllegalStateException.class).hasMessageContaining("keyCodec");
  }

  @Test
  void keyCodecsRoundTrip() {
    assertThat(KeyCodec.longs().decode(KeyCodec.longs().encode(42L))).isEqualTo(42L);
    assertThat(KeyCodec.integers().decode(KeyCodec.integers().encode(-7))).isEqualTo(-7);
    var uuid = java.util.UUID.randomUUID();
    assertThat(KeyCodec.uuids().decode(KeyCodec.uuids().encode(uuid))).isEqualTo(uuid);
    assertThat(KeyCodec.strings().encode("a b{c}é")).isEqualTo("a b{c}é");
  }
}
