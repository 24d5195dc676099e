package io.tieredcache;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

class ExpiryTest {

  private final FakeTicker ticker = new FakeTicker();
  private final ManualExecutor executor = new ManualExecutor();
  private final AtomicInteger loads = new AtomicInteger();

  @Test
  void hardTtlExpiresEntries() {
    TieredCache<String, String> cache = TieredCache.builder("ttl").ticker(ticker).executor(executor).jitter(0)
        .expireAfterWrite(Duration.ofMinutes(5)).build(key -> "v" + loads.incrementAndGet());
    assertThat(cache.get("k")).isEqualTo("v1");
    ticker.advance(Duration.ofMinutes(5).minusNanos(1));
    assertThat(cache.get("k")).isEqualTo("v1");
    ticker.advance(Duration.ofNanos(1));
    assertThat(cache.get("k")).isEqualTo("v2");
  }

  @Test
  void jitterSpreadsExpiryAndNeverLengthensIt() {
    TieredCache<Integer, String> cache = TieredCache.builder("jitter").ticker(ticker).executor(executor)
        .expireAfterWrite(Duration.ofSeconds(100)).jitter(0.10).build(key -> "v");
    for (int i = 0; i < 1_000; i++) {
      cache.get(i);
    }
    ticker.advance(Duration.ofSeconds(90).minusNanos(1));
    assertThat(countPresent(cache)).as("nothing expires before ttl * (1 - jitter)").isEqualTo(1_000);
    ticker.advance(Duration.ofSeconds(5));
    int halfway = countPresent(cache);
    assertThat(halfway).as("entries loaded together expire at different times").isBetween(200, 800);
    ticker.advance(Duration.ofSeconds(5).plusNanos(1));
    assertThat(countPresent(cache)).as("nothing outlives the configured ttl").isZero();
  }

  private static int countPresent(TieredCache<Integer, String> cache) {
    int present = 0;
    for (int i = 0; i < 1_000; i++) {
      if (cache.getIfPresent(i) != null) {
        present++;
      }
    }
    return present;
  }

  @Test
  void absentValuesAreCachedForTheShorterAbsentTtl() {
    TieredCache<String, String> cache = TieredCache.builder("absent").ticker(ticker).executor(executor).jitter(0)
        .absentTtl(Duration.ofSeconds(30)).build(key -> {
          loads.incrementAndGet();
          return null;
        });
    assertThat(cache.get("missing")).isNull();
    assertThat(cache.get("missing")).isNull();
    assertThat(loads).hasValue(1);
    assertThat(cache.stats().l1Hits()).isEqualTo(1);
    ticker.advance(Duration.ofSeconds(30));
    assertThat(cache.get("missing")).isNull();
    assertThat(loads).hasValue(2);
  }

  @Test
  void negativeCachingCanBeTurnedOff() {
    TieredCache<String, String> cache = TieredCache.builder("no-absent").absentTtl(Duration.ZERO).build(key -> {
      loads.incrementAndGet();
      return null;
    });
    assertThat(cache.get("missing")).isNull();
    assertThat(cache.get("missing")).isNull();
    assertThat(loads).hasValue(2);
  }

  @Test
  void pastTheSoftTtlAHitReturnsAtOnceAndRefreshesOnceInTheBackground() {
    AtomicReference<String> source = new AtomicReference<>("v1");
    TieredCache<String, String> cache = TieredCache.builder("refresh").ticker(ticker).executor(executor).jitter(0)
        .expireAfterWrite(Duration.ofMinutes(10)).refreshAfterWrite(Duration.ofMinutes(1))
        .build(key -> {
          loads.incrementAndGet();
          return source.get();
        });
    assertThat(cache.get("k")).isEqualTo("v1");
    source.set("v2");
    ticker.advance(Duration.ofMinutes(1));

    assertThat(cache.get("k")).as("stale-while-revalidate").isEqualTo("v1");
    assertThat(cache.get("k")).isEqualTo("v1");
    assertThat(cache.get("k")).isEqualTo("v1");
    assertThat(executor.pending()).as("one refresh per key").isEqualTo(1);
    assertThat(loads).hasValue(1);

    executor.runAll();
    assertThat(loads).hasValue(2);
    assertThat(cache.get("k")).isEqualTo("v2");
    assertThat(cache.stats().refreshes()).isEqualTo(1);
  }

  @Test
  void aFailedRefreshKeepsServingUntilTheHardTtlAndMayRetry() {
    AtomicInteger calls = new AtomicInteger();
    TieredCache<String, String> cache = TieredCache.builder("refresh-fail").ticker(ticker).executor(executor).jitter(0)
        .expireAfterWrite(Duration.ofMinutes(10)).refreshAfterWrite(Duration.ofMinutes(1))
        .build(key -> {
          if (calls.incrementAndGet() > 1) {
            throw new IllegalStateException("db down");
          }
          return "v1";
        });
    cache.get("k");
    ticker.advance(Duration.ofMinutes(2));
    assertThat(cache.get("k")).isEqualTo("v1");
    executor.runAll();
    assertThat(cache.get("k")).isEqualTo("v1");
    assertThat(executor.pending()).as("not retried in a tight loop").isZero();
    ticker.advance(Duration.ofSeconds(1));
    assertThat(cache.get("k")).isEqualTo("v1");
    assertThat(executor.pending()).as("a failed refresh may be tried again").isEqualTo(1);
    executor.runAll();
    ticker.advance(Duration.ofMinutes(8));
    assertThatThrownBy(() -> cache.get("k")).isInstanceOf(CacheLoadException.class);
  }

  @Test
  void staleIfErrorServesAnExpiredCopyWithinTheWindowWhenTheLoaderFails() {
    AtomicReference<RuntimeException> failure = new AtomicReference<>();
    TieredCache<String, String> cache = TieredCache.builder("stale-if-error").ticker(ticker).executor(executor).jitter(0)
        .expireAfterWrite(Duration.ofMinutes(1)).staleIfError(Duration.ofMinutes(10))
        .build(key -> {
          if (failure.get() != null) {
            throw failure.get();
          }
          return "v" + loads.incrementAndGet();
        });
    assertThat(cache.get("k")).isEqualTo("v1");
    ticker.advance(Duration.ofMinutes(2));
    // Past the hard TTL and the loader works: a fresh value, the stale copy is not served.
    assertThat(cache.get("k")).isEqualTo("v2");

    failure.set(new IllegalStateException("db down"));
    ticker.advance(Duration.ofMinutes(2));
    assertThat(cache.get("k")).isEqualTo("v2");
    assertThat(cache.stats().staleServes()).isEqualTo(1);

    ticker.advance(Duration.ofMinutes(10));
    assertThatThrownBy(() -> cache.get("k")).isInstanceOf(CacheLoadException.class);
  }

  @Test
  void withoutAStaleWindowAnExpiredEntryIsNeverServed() {
    TieredCache<String, String> cache = TieredCache.builder("no-stale").ticker(ticker).executor(executor).jitter(0)
        .expireAfterWrite(Duration.ofMinutes(1)).build();
    cache.get("k", key -> "v1");
    ticker.advance(Duration.ofMinutes(1));
    assertThatThrownBy(() -> cache.get("k", key -> {
      throw new IllegalStateException("db down");
    })).isInstanceOf(CacheLoadException.class);
    assertThat(cache.stats().staleServes()).isZero();
  }

  @Test
  void invalidatedEntriesAreNotKeptForStaleIfError() {
    TieredCache<String, String> cache = TieredCache.builder("stale-invalidated").ticker(ticker).executor(executor)
        .expireAfterWrite(Duration.ofMinutes(1)).staleIfError(Duration.ofMinutes(10)).build();
    cache.get("k", key -> "v1");
    cache.invalidate("k");
    assertThatThrownBy(() -> cache.get("k", key -> {
      throw new IllegalStateException("db down");
    })).isInstanceOf(CacheLoadException.class);
  }
}
