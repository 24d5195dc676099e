package io.tieredcache;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class ReadPathTest {

  @Test
  void readThroughThenHit() {
    AtomicInteger loads = new AtomicInteger();
    TieredCache<String, String> cache = TieredCache.builder("users")
        .build(key -> "value-of-" + key + "#" + loads.incrementAndGet());

    assertThat(cache.get("a")).isEqualTo("value-of-a#1");
    assertThat(cache.get("a")).isEqualTo("value-of-a#1");
    assertThat(loads).hasValue(1);
    CacheStats stats = cache.stats();
    assertThat(stats.l1Hits()).isEqualTo(1);
    assertThat(stats.l1Misses()).isEqualTo(1);
    assertThat(stats.loadSuccesses()).isEqualTo(1);
    assertThat(stats.puts()).isEqualTo(1);
  }

  @Test
  void fiftyConcurrentMissesCallTheLoaderOnce() throws Exception {
    AtomicInteger loads = new AtomicInteger();
    CountDownLatch loaderEntered = new CountDownLatch(1);
    CountDownLatch releaseLoader = new CountDownLatch(1);
    TieredCache<Integer, String> cache = TieredCache.builder("single-flight").build();
    ExecutorService pool = Executors.newFixedThreadPool(50);
    try {
      CountDownLatch start = new CountDownLatch(1);
      List<Future<String>> results = new ArrayList<>();
      for (int i = 0; i < 50; i++) {
        results.add(pool.submit(() -> {
          start.await();
          return cache.get(7, key -> {
            loads.incrementAndGet();
            loaderEntered.countDown();
            await(releaseLoader);
            return "seven";
          });
        }));
      }
      start.countDown();
      assertThat(loaderEntered.await(10, TimeUnit.SECONDS)).isTrue();
      // Every caller is now either waiting on the one flight or about to join it.
      releaseLoader.countDown();
      for (Future<String> result : results) {
        assertThat(result.get(10, TimeUnit.SECONDS)).isEqualTo("seven");
      }
      assertThat(loads).hasValue(1);
      assertThat(cache.stats().loadCount()).isEqualTo(1);
    } finally {
      pool.shutdownNow();
    }
  }

  @Test
  void getIfPresentNeverLoads() {
    TieredCache<String, String> cache = TieredCache.builder("present").build(key -> "loaded");
    assertThat(cache.getIfPresent("k")).isNull();
    cache.put("k", "put");
    assertThat(cache.getIfPresent("k")).isEqualTo("put");
    assertThat(cache.stats().loadCount()).isZero();
  }

  @Test
  void asyncReadsShareTheFlightAndRunOnTheExecutor() throws Exception {
    ManualExecutor executor = new ManualExecutor();
    AtomicInteger loads = new AtomicInteger();
    TieredCache<String, String> cache = TieredCache.builder("async").executor(executor)
        .build(key -> key + loads.incrementAndGet());

    var first = cache.getAsync("k");
    var second = cache.getAsync("k");
    assertThat(first).isNotDone();
    assertThat(executor.runAll()).isEqualTo(1);
    assertThat(first.get()).isEqualTo("k1");
    assertThat(second.get()).isEqualTo("k1");
    assertThat(cache.getAsync("k")).isCompletedWithValue("k1");
    assertThat(loads).hasValue(1);
  }

  @Test
  void loaderFailureIsACacheLoadExceptionAndIsNotCached() {
    AtomicInteger calls = new AtomicInteger();
    TieredCache<String, String> cache = TieredCache.builder("failing").build();
    IllegalStateException boom = new IllegalStateException("database down");

    assertThatThrownBy(() -> cache.get("k", key -> {
      calls.incrementAndGet();
      throw boom;
    })).isInstanceOf(CacheLoadException.class)
        .hasCause(boom)
        .hasMessageContaining("'k'").hasMessageContaining("'failing'");
    assertThat(cache.get("k", key -> "recovered")).isEqualTo("recovered");
    assertThat(calls).hasValue(1);
    assertThat(cache.stats().loadFailures()).isEqualTo(1);
  }

  @Test
  void asyncLoaderFailureCompletesExceptionally() {
    TieredCache<String, String> cache = TieredCache.builder("failing-async").executor(Runnable::run).build();
    var result = cache.getAsync("k", key -> {
      throw new IllegalStateException("nope");
    });
    assertThat(result).isCompletedExceptionally();
    assertThatThrownBy(result::join).hasCauseInstanceOf(CacheLoadException.class);
  }

  @Test
  void nullKeysAndLoadersAreRejectedClearly() {
    TieredCache<String, String> cache = TieredCache.builder("nulls").build(key -> "v");
    assertThatThrownBy(() -> cache.get(null)).isInstanceOf(NullPointerException.class).hasMessage("key");
    assertThatThrownBy(() -> cache.get(null, k -> "v")).hasMessage("key");
    assertThatThrownBy(() -> cache.getIfPresent(null)).hasMessage("key");
    assertThatThrownBy(() -> cache.put(null, "v")).hasMessage("key");
    assertThatThrownBy(() -> cache.put("k", null)).hasMessage("value");
    assertThatThrownBy(() -> cache.invalidate(null)).hasMessage("key");
    assertThatThrownBy(() -> cache.get("k", null)).hasMessage("loader");
  }

  @Test
  void getWithoutADefaultLoaderExplainsWhatToDo() {
    TieredCache<String, String> cache = TieredCache.builder("no-loader").build();
    assertThatThrownBy(() -> cache.get("k"))
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("build(loader)");
  }

  @Test
  void putAndInvalidate() {
    AtomicInteger loads = new AtomicInteger();
    TieredCache<String, String> cache = TieredCache.builder("writes").build(key -> "loaded" + loads.incrementAndGet());
    cache.put("k", "put");
    assertThat(cache.get("k")).isEqualTo("put");
    cache.invalidate("k");
    assertThat(cache.get("k")).isEqualTo("loaded1");
    cache.putAll(java.util.Map.of("a", "1", "b", "2"));
    assertThat(cache.get("a")).isEqualTo("1");
    cache.invalidateAll(List.of("a", "b"));
    assertThat(cache.getIfPresent("a")).isNull();
    cache.invalidateAll();
    assertThat(cache.policy().l1EstimatedSize()).isZero();
    assertThat(cache.get("k")).isEqualTo("loaded2");
  }

  @Test
  void withoutL1EveryReadLoads() {
    AtomicInteger loads = new AtomicInteger();
    TieredCache<String, String> cache = TieredCache.builder("no-l1").maximumSize(0).build(key -> "v" + loads.incrementAndGet());
    assertThat(cache.get("k")).isEqualTo("v1");
    assertThat(cache.get("k")).isEqualTo("v2");
    assertThat(cache.policy().l1MaximumSize()).isZero();
  }

  static void await(CountDownLatch latch) {
    try {
      if (!latch.await(10, TimeUnit.SECONDS)) {
        throw new AssertionError("latch not released in time");
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AssertionError(e);
    }
  }
}
