package io.tieredcache.internal;

import static org.assertj.core.api.Assertions.assertThat;

import io.tieredcache.TieredCache;
import org.junit.jupiter.api.Test;

class CaffeineHitPrimerTest {

  @Test
  void readsHitsAndMissesOfAFilledCacheThatEvictsNothing() {
    // 48 of every 60 keys read are present: the profile sees both branches, mostly hits, and no
    // entry was lost to eviction or expiry on the way (a lost entry would lower the count).
    assertThat(CaffeineHitPrimer.prime()).isEqualTo(CaffeineHitPrimer.LOOKUPS / 60 * 48);
  }

  @Test
  void primingOnceLeavesEveryCacheWorking() {
    CaffeineHitPrimer.primeOnce();
    CaffeineHitPrimer.primeOnce();
    TieredCache<Integer, Integer> cache = TieredCache.builder("after-priming").maximumSize(10).build(key -> key * 2);
    try {
      assertThat(cache.get(21)).isEqualTo(42);
      assertThat(cache.get(21)).isEqualTo(42);
      assertThat(cache.stats().l1Hits()).isEqualTo(1);
      assertThat(cache.stats().l1Misses()).isEqualTo(1);
    } finally {
      cache.close();
    }
  }
}
