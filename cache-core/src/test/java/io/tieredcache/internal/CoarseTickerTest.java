package io.tieredcache.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.tieredcache.TieredCache;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class CoarseTickerTest {

  @Test
  void advancesWhileACacheIsOpenAndStaysCloseToTheSystemClock() {
    TieredCache<String, String> cache = TieredCache.builder("coarse").build(key -> key);
    try {
      long first = CoarseTicker.now();
      await().atMost(Duration.ofSeconds(5)).until(() -> CoarseTicker.now() > first);
      // Behind System.nanoTime by about a tick; allow for a busy machine.
      long lag = System.nanoTime() - CoarseTicker.now();
      assertThat(lag).isBetween(-TimeUnit.MILLISECONDS.toNanos(1), TimeUnit.SECONDS.toNanos(1));
    } finally {
      cache.close();
    }
  }

  @Test
  void aCacheWithTheDefaultTickerServesHitsWithoutAClockReadAndStillExpiresThem() {
    TieredCache<String, Long> cache = TieredCache.builder("coarse-expiry")
        .expireAfterWrite(Duration.ofMillis(200)).jitter(0)
        .build(key -> System.nanoTime());
    try {
      long first = cache.get("k");
      assertThat(cache.get("k")).isEqualTo(first);
      await().atMost(Duration.ofSeconds(5)).pollInterval(Duration.ofMillis(20))
          .until(() -> cache.get("k") != first);
    } finally {
      cache.close();
    }
  }

  @Test
  void nestedAcquiresKeepItRunningUntilTheLastRelease() {
    CoarseTicker.acquire();
    CoarseTicker.acquire();
    CoarseTicker.release();
    long before = CoarseTicker.now();
    await().atMost(Duration.ofSeconds(5)).until(() -> CoarseTicker.now() > before);
    CoarseTicker.release();
  }
}
