package io.tieredcache;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/** {@link TieredCache#getIfPresentAsync}: no loader, and no thread waits for the remote tier. */
class GetIfPresentAsyncTest {

  private final InMemoryRemoteTier<String, String> shared = new InMemoryRemoteTier<>();
  private final InMemoryBus bus = new InMemoryBus();
  private final AtomicInteger loads = new AtomicInteger();

  private TieredCache<String, String> node(String id) {
    return TieredCache.builder("users").keyCodec(KeyCodec.strings())
        .remoteTier(context -> shared).invalidationBus(bus.node(id))
        .build(key -> key + "@" + id + "#" + loads.incrementAndGet());
  }

  @Test
  void anL1HitIsACompletedFuture() {
    var a = node("a");
    a.put("k", "v");
    CompletableFuture<String> hit = a.getIfPresentAsync("k");
    assertThat(hit).isCompletedWithValue("v");
    assertThat(a.stats().l1Hits()).isEqualTo(1);
  }

  @Test
  void aValueOnlyTheRemoteTierHasIsAnL2HitAndNothingIsLoaded() throws Exception {
    var a = node("a");
    var b = node("b");
    a.put("k", "v");
    assertThat(b.getIfPresentAsync("k").get(5, TimeUnit.SECONDS)).isEqualTo("v");
    assertThat(b.stats().l2Hits()).isEqualTo(1);
    assertThat(b.getIfPresentAsync("missing").get(5, TimeUnit.SECONDS)).isNull();
    assertThat(loads).hasValue(0);
  }

  @Test
  void aHungRemoteTierDoesNotHoldTheCallerAndEndsAsAMiss() throws Exception {
    var a = node("a");
    shared.hanging = true;
    long started = System.nanoTime();
    CompletableFuture<String> pending = a.getIfPresentAsync("k");
    assertThat(Duration.ofNanos(System.nanoTime() - started)).isLessThan(Duration.ofMillis(200));
    assertThat(pending).isNotDone();
    assertThat(pending.get(5, TimeUnit.SECONDS)).isNull();
    assertThat(a.stats().l2Misses()).isEqualTo(1);
    assertThat(loads).hasValue(0);
  }

  @Test
  void aFailingRemoteTierIsAMiss() throws Exception {
    var a = node("a");
    shared.failing = true;
    assertThat(a.getIfPresentAsync("k").get(5, TimeUnit.SECONDS)).isNull();
  }
}
