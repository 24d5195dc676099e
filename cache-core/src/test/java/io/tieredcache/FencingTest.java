package io.tieredcache;

import static io.tieredcache.ReadPathTest.await;
import static org.assertj.core.api.Assertions.assertThat;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;
import org.junit.jupiter.api.Test;

/**
 * A write or invalidation that happens while a load of the same key is in flight must win: the
 * load's caller gets its result, but the result is never installed. Forced with latches.
 */
class FencingTest {

  /** Starts a load of "k" returning "old" that blocks until {@code whileLoading} has run. */
  private static String loadRacing(TieredCache<String, String> cache, Consumer<TieredCache<String, String>> whileLoading)
      throws Exception {
    CountDownLatch loaderStarted = new CountDownLatch(1);
    CountDownLatch writeDone = new CountDownLatch(1);
    CompletableFuture<String> load = CompletableFuture.supplyAsync(() -> cache.get("k", key -> {
      loaderStarted.countDown();
      await(writeDone);
      return "old";
    }));
    assertThat(loaderStarted.await(10, TimeUnit.SECONDS)).isTrue();
    whileLoading.accept(cache);
    writeDone.countDown();
    return load.get(10, TimeUnit.SECONDS);
  }

  @Test
  void invalidateDuringALoadWins() throws Exception {
    TieredCache<String, String> cache = TieredCache.builder("fence-invalidate").build();
    assertThat(loadRacing(cache, c -> c.invalidate("k"))).as("the caller still gets its result").isEqualTo("old");
    assertThat(cache.getIfPresent("k")).as("but it is not installed").isNull();
    AtomicInteger loads = new AtomicInteger();
    assertThat(cache.get("k", key -> "new" + loads.incrementAndGet())).isEqualTo("new1");
    assertThat(cache.stats().fencedFills()).isEqualTo(1);
  }

  @Test
  void putDuringALoadWins() throws Exception {
    TieredCache<String, String> cache = TieredCache.builder("fence-put").build();
    assertThat(loadRacing(cache, c -> c.put("k", "new"))).isEqualTo("old");
    assertThat(cache.getIfPresent("k")).isEqualTo("new");
  }

  @Test
  void invalidateAllDuringALoadWins() throws Exception {
    TieredCache<String, String> cache = TieredCache.builder("fence-all").build();
    assertThat(loadRacing(cache, TieredCache::invalidateAll)).isEqualTo("old");
    assertThat(cache.getIfPresent("k")).isNull();
  }

  @Test
  void anotherNodesInvalidationDuringALoadWins() throws Exception {
    InMemoryBus bus = new InMemoryBus();
    TieredCache<String, String> nodeA = TieredCache.builder("fence-bus").keyCodec(KeyCodec.strings())
        .invalidationBus(bus.node("a")).build();
    TieredCache<String, String> nodeB = TieredCache.builder("fence-bus").keyCodec(KeyCodec.strings())
        .invalidationBus(bus.node("b")).build();
    assertThat(loadRacing(nodeA, a -> nodeB.invalidate("k"))).isEqualTo("old");
    assertThat(nodeA.getIfPresent("k")).isNull();
    assertThat(nodeA.stats().invalidationsReceived()).isEqualTo(1);
  }

  @Test
  void aPossibleLossOnTheBusFencesEveryLoad() throws Exception {
    InMemoryBus bus = new InMemoryBus();
    var captured = new io.tieredcache.spi.InvalidationListener[1];
    var node = bus.node("a");
    TieredCache<String, String> cache = TieredCache.builder("fence-loss").keyCodec(KeyCodec.strings())
        .invalidationBus(new DelegatingBus(node) {
          @Override
          public Subscription subscribe(String cacheName, io.tieredcache.spi.InvalidationListener listener) {
            captured[0] = listener;
            return super.subscribe(cacheName, listener);
          }
        }).build();
    cache.put("other", "x");
    assertThat(loadRacing(cache, c -> captured[0].onMessagesLost("gap"))).isEqualTo("old");
    assertThat(cache.getIfPresent("k")).isNull();
    assertThat(cache.getIfPresent("other")).isNull();
    assertThat(cache.stats().lossFlushes()).isEqualTo(1);
  }

  /** Passes everything to another bus; tests override what they watch. */
  static class DelegatingBus implements io.tieredcache.spi.InvalidationBus {
    private final io.tieredcache.spi.InvalidationBus delegate;

    DelegatingBus(io.tieredcache.spi.InvalidationBus delegate) {
      this.delegate = delegate;
    }

    @Override
    public String nodeId() {
      return delegate.nodeId();
    }

    @Override
    public CompletableFuture<Void> publish(String cacheName, java.util.Collection<String> encodedKeys) {
      return delegate.publish(cacheName, encodedKeys);
    }

    @Override
    public CompletableFuture<Void> publishAll(String cacheName, long epoch) {
      return delegate.publishAll(cacheName, epoch);
    }

    @Override
    public Subscription subscribe(String cacheName, io.tieredcache.spi.InvalidationListener listener) {
      return delegate.subscribe(cacheName, listener);
    }

    @Override
    public void close() {
      delegate.close();
    }
  }
}
