package io.tieredcache;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.lang.reflect.Modifier;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletionException;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/** Small documented behaviours: what a caller gets in each corner. */
class ContractsTest {

  @Test
  void everyRuntimeExceptionOfALoaderIsWrappedTheSameWay() {
    TieredCache<String, String> cache = TieredCache.builder("wrap").build();
    NullPointerException npe = new NullPointerException("a bug in the loader");
    assertThatThrownBy(() -> cache.get("k", key -> {
      throw npe;
    })).isInstanceOf(CacheLoadException.class).hasCause(npe);
    IllegalStateException ise = new IllegalStateException("db down");
    assertThatThrownBy(() -> cache.get("k", key -> {
      throw ise;
    })).isInstanceOf(CacheLoadException.class).hasCause(ise);
  }

  @Test
  void anErrorOfALoaderIsRethrownAsItIs() {
    TieredCache<String, String> cache = TieredCache.builder("errors").build();
    AssertionError error = new AssertionError("boom");
    assertThatThrownBy(() -> cache.get("k", key -> {
      throw error;
    })).isSameAs(error);
    assertThatThrownBy(() -> cache.getAll(List.of("k"), keys -> {
      throw error;
    })).isSameAs(error);
    assertThatThrownBy(() -> cache.getAsync("k", key -> {
      throw error;
    }).join()).isInstanceOf(CompletionException.class).hasCause(error);
  }

  @Test
  void aNullLoaderIsRejectedEvenOnAHit() {
    TieredCache<String, String> cache = TieredCache.builder("null-loader").build();
    cache.put("k", "v");
    assertThatThrownBy(() -> cache.get("k", null)).isInstanceOf(NullPointerException.class).hasMessage("loader");
    assertThatThrownBy(() -> cache.getAsync("k", null)).isInstanceOf(NullPointerException.class);
  }

  @Test
  void durationsTooLongForNanosSaturateInsteadOfOverflowing() {
    Duration forever = Duration.ofSeconds(Long.MAX_VALUE);
    AtomicInteger loads = new AtomicInteger();
    TieredCache<String, String> cache = TieredCache.builder("forever")
        .expireAfterWrite(forever).remoteExpireAfterWrite(forever).absentTtl(forever)
        .staleIfError(forever).refreshAfterWrite(Duration.ofSeconds(Long.MAX_VALUE / 2))
        .leaseWait(forever).staleWhileDisconnected(forever)
        .build(key -> key + loads.incrementAndGet());
    assertThat(cache.get("k")).isEqualTo("k1");
    assertThat(cache.get("k")).isEqualTo("k1");
    assertThat(cache.stats().l1Hits()).isEqualTo(1);
  }

  @Test
  void jitterIsDrawnOncePerEntrySoNoHardExpiryComesBeforeTheSoftOne() {
    FakeTicker ticker = new FakeTicker();
    AtomicInteger loads = new AtomicInteger();
    TieredCache<Integer, String> cache = TieredCache.builder("jitter-once").ticker(ticker).executor(Runnable::run)
        .jitter(0.9).refreshAfterWrite(Duration.ofSeconds(60)).expireAfterWrite(Duration.ofSeconds(120))
        .build(key -> "v" + loads.incrementAndGet());
    for (int key = 0; key < 1_000; key++) {
      cache.get(key);
    }
    // Read everything once a second: each entry is seen inside its refresh window (at least
    // 6 s long) and refreshed there, so no read ever has to wait for a load.
    for (int second = 0; second < 130; second++) {
      ticker.advance(Duration.ofSeconds(1));
      for (int key = 0; key < 1_000; key++) {
        cache.get(key);
      }
    }
    assertThat(cache.stats().l1Misses()).as("only the first read of each key missed").isEqualTo(1_000);
    assertThat(cache.stats().refreshes()).isPositive();
  }

  @Test
  void theImplementationIsNotAPublicTypeAndSettingsCannotBypassValidation() throws Exception {
    Class<?> impl = Class.forName("io.tieredcache.internal.DefaultTieredCache");
    assertThat(Modifier.isPublic(impl.getModifiers())).isFalse();
    assertThatThrownBy(() -> new io.tieredcache.internal.CacheSettings<String, String>(
        "c", 10, Duration.ofMinutes(1), Duration.ofMinutes(1), Duration.ofMinutes(2), Duration.ZERO,
        Duration.ZERO, 0, Duration.ofSeconds(1), Duration.ofSeconds(1),
        com.github.benmanes.caffeine.cache.Ticker.systemTicker(), Runnable::run, null, null, null, null))
        .isInstanceOf(IllegalStateException.class).hasMessageContaining("refreshAfterWrite");
  }

  @Test
  void getIfPresentInL1LooksAtThisNodesL1Only() {
    AtomicInteger loads = new AtomicInteger();
    TieredCache<String, String> cache = TieredCache.builder("peek").build(key -> "v" + loads.incrementAndGet());
    assertThat(cache.policy().getIfPresentInL1("k")).isNull();
    assertThat(loads).hasValue(0);
    cache.get("k");
    assertThat(cache.policy().getIfPresentInL1("k")).isEqualTo("v1");
    assertThat(cache.stats().l1Hits()).as("not counted").isZero();
  }
}
