package io.tieredcache;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * What a node serves while its bus cannot hear other nodes: L1 keeps answering within the
 * {@code staleWhileDisconnected} bound, one background reload per key per bound, no stampede, and
 * nothing past the bound without a reload under way.
 */
class DisconnectedTest {

  private static final Duration BOUND = Duration.ofSeconds(5);

  private final InMemoryRemoteTier<String, String> shared = new InMemoryRemoteTier<>();
  private final InMemoryBus bus = new InMemoryBus();
  private final FakeTicker ticker = new FakeTicker();
  private final ManualExecutor executor = new ManualExecutor();
  private final AtomicInteger loads = new AtomicInteger();
  private TieredCache<String, String> cache;

  @BeforeEach
  void warm() {
    cache = TieredCache.builder("users").keyCodec(KeyCodec.strings()).ticker(ticker).executor(executor)
        .remoteTier(context -> shared).invalidationBus(bus.node("a")).jitter(0)
        .expireAfterWrite(Duration.ofMinutes(10)).staleWhileDisconnected(BOUND)
        .build(key -> key + "#" + loads.incrementAndGet());
    for (int i = 0; i < 100; i++) {
      cache.get("k" + i);
    }
    assertThat(loads).hasValue(100);
  }

  private void deaf() {
    bus.toNode("a", listener -> listener.onDeaf("disconnect", System.nanoTime()));
  }

  @Test
  void withinTheBoundEverythingIsServedFromL1WithoutLoads() {
    deaf();
    ticker.advance(BOUND.minusSeconds(1));
    for (int i = 0; i < 100; i++) {
      assertThat(cache.get("k" + i)).isEqualTo("k" + i + "#" + (i + 1));
    }
    assertThat(executor.pending()).isZero();
    assertThat(loads).hasValue(100);
    assertThat(cache.stats().busOutages()).isEqualTo(1);
  }

  @Test
  void nearTheBoundOneBackgroundReloadPerKeyWhileL1KeepsAnswering() {
    deaf();
    int remoteReadsBefore = shared.gets.get();
    ticker.advance(BOUND.minusMillis(5));
    for (int round = 0; round < 10; round++) {
      for (int i = 0; i < 100; i++) {
        assertThat(cache.get("k" + i)).as("the caller never waits").isEqualTo("k" + i + "#" + (i + 1));
      }
    }
    assertThat(cache.stats().l1Misses()).as("only the warm-up missed").isEqualTo(100);
    executor.runAll();
    assertThat(loads).as("one reload per key, not one per read").hasValue(200);
    assertThat(shared.gets.get()).as("the remote tier is not read while deaf").isEqualTo(remoteReadsBefore);
    assertThat(cache.stats().revalidations()).isEqualTo(100);
    // The reloaded entries are good for another bound, still unverified while the bus is deaf.
    ticker.advance(BOUND.minusSeconds(1));
    for (int i = 0; i < 100; i++) {
      cache.get("k" + i);
    }
    assertThat(executor.pending()).isZero();
    assertThat(loads).hasValue(200);
  }

  @Test
  void pastTheBoundWithNoReloadUnderWayAReadLoads() {
    deaf();
    ticker.advance(BOUND.plusMillis(1));
    assertThat(cache.get("k1")).isEqualTo("k1#101");
    assertThat(cache.stats().l1Misses()).isEqualTo(101);
  }

  @Test
  void hearingAgainWithNothingMissedVerifiesTheEntries() {
    deaf();
    ticker.advance(BOUND.minusSeconds(1));
    bus.toNode("a", listener -> listener.onHearing(true));
    ticker.advance(BOUND.multipliedBy(3));
    for (int i = 0; i < 100; i++) {
      cache.get("k" + i);
    }
    assertThat(loads).hasValue(100);
    assertThat(executor.pending()).isZero();
  }

  @Test
  void hearingAgainAfterALossDropsL1AndDistrustsOlderRemoteValues() {
    // k1 was filled remotely a minute ago (remote write times are wall-clock times) ...
    shared.store.put("k1", io.tieredcache.spi.RemoteEntry.value("k1#2", 60_000,
        System.currentTimeMillis() - 60_000, 0, 0));
    // ... and the bus went deaf 10 s ago, for a while.
    bus.toNode("a", listener -> listener.onDeaf("disconnect", System.nanoTime() - 10_000_000_000L));
    ticker.advance(BOUND.plusSeconds(1));
    bus.toNode("a", listener -> listener.onHearing(false));
    assertThat(cache.policy().l1EstimatedSize()).as("what was kept through the outage is dropped").isZero();
    assertThat(cache.stats().lossFlushes()).isEqualTo(1);
    cache.get("fresh"); // loaded after the outage: verified
    // A write during the outage may have failed to reach the remote tier and still wait for its
    // writer's repair: the old remote value is not taken.
    assertThat(cache.get("k1")).as("past the bound: loaded afresh").isEqualTo("k1#102");
    assertThat(shared.store.get("k1").value()).as("and filled for everyone").isEqualTo("k1#102");
    // A value written after the outage is taken as usual.
    shared.store.put("k2", io.tieredcache.spi.RemoteEntry.value("k2-written-now", 60_000,
        System.currentTimeMillis() + 2_000, 0, 0));
    cache.policy().flushL1();
    assertThat(cache.get("k2")).isEqualTo("k2-written-now");
    assertThat(cache.get("fresh")).isEqualTo("fresh#101");
    assertThat(loads).hasValue(102);
  }

  @Test
  void hearingAgainWithNothingMissedKeepsTrustingTheRemoteTier() {
    bus.toNode("a", listener -> listener.onDeaf("disconnect", System.nanoTime() - 10_000_000_000L));
    bus.toNode("a", listener -> listener.onHearing(true));
    cache.policy().flushL1();
    assertThat(cache.get("k1")).isEqualTo("k1#2");
    assertThat(loads).hasValue(100);
  }

  @Test
  void aNodeThatLostMessagesDropsItsL1AtOnce() {
    bus.toNode("a", listener -> listener.onMessagesLost("gap"));
    assertThat(cache.policy().l1EstimatedSize()).isZero();
    assertThat(cache.stats().lossFlushes()).isEqualTo(1);
    assertThat(shared.resyncs).as("the epoch is read again").hasValue(1);
  }

  @Test
  void deafnessIsCountedOncePerOutage() {
    deaf();
    deaf();
    bus.toNode("a", listener -> listener.onHearing(false));
    deaf();
    assertThat(cache.stats().busOutages()).isEqualTo(2);
  }
}
