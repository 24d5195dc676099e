package io.tieredcache;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

/** No caller waits forever: dropped or refused executor tasks, recursive loaders. */
class LivenessTest {

  private static final Duration BOUND = Duration.ofSeconds(10);
  /** An executor with a discard policy: accepts every task and runs none. */
  private static final Executor DISCARDING = task -> { };

  @Test
  void aSyncGetTakesOverALoadTheExecutorDropped() {
    AtomicInteger loads = new AtomicInteger();
    TieredCache<String, String> cache = TieredCache.builder("dropped").executor(DISCARDING)
        .build(key -> key + "#" + loads.incrementAndGet());
    CompletableFuture<String> async = cache.getAsync("k");
    assertThat(async).isNotDone();
    String value = assertTimeoutPreemptively(BOUND, () -> cache.get("k"));
    assertThat(value).isEqualTo("k#1");
    assertThat(async.join()).as("the async caller gets the same load").isEqualTo("k#1");
    assertThat(loads).hasValue(1);
  }

  @Test
  void anAsyncOnlyCallerIsRescuedWhenTheExecutorDropsItsLoad() throws Exception {
    TieredCache<String, String> cache = TieredCache.builder("rescued").executor(DISCARDING).build(key -> "v");
    assertThat(cache.getAsync("k").get(BOUND.toSeconds(), TimeUnit.SECONDS)).isEqualTo("v");
    assertThat(cache.getAllAsync(List.of("a", "b"), keys -> Map.of("a", "1", "b", "2"))
        .get(BOUND.toSeconds(), TimeUnit.SECONDS)).containsEntry("a", "1").containsEntry("b", "2");
  }

  @Test
  void aRefusedAsyncLoadStillCompletes() throws Exception {
    Executor refusing = task -> {
      throw new RejectedExecutionException("saturated");
    };
    TieredCache<String, String> cache = TieredCache.builder("refused").executor(refusing).build(key -> "v");
    assertThat(cache.getAsync("k").get(BOUND.toSeconds(), TimeUnit.SECONDS)).isEqualTo("v");
  }

  @Test
  void aDroppedRefreshDoesNotBlockLaterReads() {
    FakeTicker ticker = new FakeTicker();
    AtomicInteger loads = new AtomicInteger();
    TieredCache<String, String> cache = TieredCache.builder("dropped-refresh").executor(DISCARDING).ticker(ticker)
        .jitter(0).refreshAfterWrite(Duration.ofMinutes(1)).expireAfterWrite(Duration.ofMinutes(2))
        .build(key -> key + "#" + loads.incrementAndGet());
    assertThat(cache.get("k")).isEqualTo("k#1");
    ticker.advance(Duration.ofSeconds(90));
    assertThat(cache.get("k")).as("served while the (dropped) refresh is pending").isEqualTo("k#1");
    ticker.advance(Duration.ofMinutes(1)); // past the hard TTL: a read must load, not wait for the refresh
    String value = assertTimeoutPreemptively(BOUND, () -> cache.get("k"));
    assertThat(value).isEqualTo("k#2");
  }

  @Test
  void aLoaderThatReadsItsOwnKeyFailsInsteadOfHanging() {
    AtomicReference<TieredCache<String, String>> self = new AtomicReference<>();
    TieredCache<String, String> cache = TieredCache.builder("recursive")
        .build(key -> "x" + self.get().get(key));
    self.set(cache);
    assertTimeoutPreemptively(BOUND, () -> assertThatThrownBy(() -> cache.get("k"))
        .isInstanceOf(CacheLoadException.class)
        .cause().isInstanceOf(IllegalStateException.class).hasMessageContaining("recursive"));
    assertThat(cache.get("other", key -> "fine")).isEqualTo("fine");
  }

  @Test
  void aBulkLoaderThatReadsAKeyOfItsOwnBatchFailsInsteadOfHanging() {
    AtomicReference<TieredCache<String, String>> self = new AtomicReference<>();
    TieredCache<String, String> cache = TieredCache.builder("recursive-bulk").build();
    self.set(cache);
    assertTimeoutPreemptively(BOUND, () -> assertThatThrownBy(() -> cache.getAll(List.of("a", "b"),
            keys -> Map.of("a", self.get().get("b", key -> "?"))))
        .isInstanceOf(CacheLoadException.class)
        .cause().isInstanceOf(IllegalStateException.class));
  }

  @Test
  void aLoaderMayReadOtherKeys() {
    AtomicReference<TieredCache<String, String>> self = new AtomicReference<>();
    TieredCache<String, String> cache = TieredCache.builder("nested")
        .build(key -> key.equals("outer") ? "o+" + self.get().get("inner") : "i");
    self.set(cache);
    assertThat(cache.get("outer")).isEqualTo("o+i");
  }
}
