package io.tieredcache;

import static io.tieredcache.ReadPathTest.await;
import static org.assertj.core.api.Assertions.assertThat;

import io.tieredcache.spi.Lease;
import io.tieredcache.spi.RemoteEntry;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;

/**
 * Leases and fills at their edges: an unknown lease never fills, an interrupt is not a remote
 * error, a released lease ends the wait at once, a refresh never waits for another node's refresh,
 * a failing tier costs one call, and keys this node no longer trusts are never read remotely.
 */
class LeaseAndFillTest {

  private final InMemoryRemoteTier<String, String> shared = new InMemoryRemoteTier<>();
  private final InMemoryBus bus = new InMemoryBus();
  private final AtomicInteger loads = new AtomicInteger();

  private TieredCacheBuilder<String, String> builder(String node) {
    return TieredCache.builder("users").keyCodec(KeyCodec.strings())
        .remoteTier(context -> shared).invalidationBus(bus.node(node))
        .leaseWait(Duration.ofSeconds(10));
  }

  private TieredCache<String, String> node(String id) {
    return builder(id).build(key -> key + "@" + id + "#" + loads.incrementAndGet());
  }

  @Test
  void anUnknownLeaseLoadsButNeverFills() {
    var a = node("a");
    shared.forcedLease = Lease.unknown();
    assertThat(a.get("k")).isEqualTo("k@a#1");
    assertThat(shared.store).as("no fill without a known lease").doesNotContainKey("k");
    assertThat(shared.fills).hasValue(0);
    assertThat(a.policy().getIfPresentInL1("k")).as("L1 still serves it").isEqualTo("k@a#1");
  }

  @Test
  void anInterruptedCallerLoadsFillsNothingCountsNoErrorAndKeepsItsInterrupt() throws Exception {
    var a = node("a");
    shared.hanging = true;
    shared.maxCallDuration = Duration.ofSeconds(30);
    AtomicReference<String> got = new AtomicReference<>();
    AtomicReference<Boolean> stillInterrupted = new AtomicReference<>();
    Thread caller = new Thread(() -> {
      got.set(a.get("k"));
      stillInterrupted.set(Thread.currentThread().isInterrupted());
    });
    caller.start();
    Awaitility.await().atMost(5, TimeUnit.SECONDS).until(() -> shared.gets.get() == 1);
    caller.interrupt();
    caller.join(10_000);
    assertThat(got.get()).isEqualTo("k@a#1");
    assertThat(stillInterrupted.get()).isTrue();
    assertThat(a.stats().remoteErrorCount()).as("an interrupt is not a remote error").isZero();
    assertThat(shared.leaseCalls).as("no remote work after the interrupt").hasValue(0);
    assertThat(shared.fills).hasValue(0);
  }

  @Test
  void aFailingTierCostsOneCallPerCaller() {
    var a = node("a");
    shared.failing = true;
    assertThat(a.get("k")).isEqualTo("k@a#1");
    assertThat(shared.gets).hasValue(1);
    assertThat(shared.leaseCalls).as("no lease after the read failed").hasValue(0);
    assertThat(shared.fills).hasValue(0);
  }

  @Test
  void aTierThatNeverAnswersIsGivenUpAfterItsOwnLimit() {
    var a = node("a");
    shared.hanging = true;
    shared.maxCallDuration = Duration.ofMillis(50);
    assertThat(a.get("k")).isEqualTo("k@a#1");
    assertThat(shared.leaseCalls).hasValue(0);
    assertThat(a.stats().remoteErrors()).containsEntry("timeout", 1L);
  }

  @Test
  void aReleasedLeaseEndsTheWaitAtOnce() throws Exception {
    var a = node("a");
    shared.leases.put("k", "token-of-another-node");
    CompletableFuture<String> waiting = CompletableFuture.supplyAsync(() -> a.get("k"));
    Awaitility.await().atMost(5, TimeUnit.SECONDS).until(() -> shared.polls.get() >= 1);
    long released = System.nanoTime();
    shared.leases.remove("k"); // the other node's load failed and it gave its lease back
    assertThat(waiting.get(10, TimeUnit.SECONDS)).isEqualTo("k@a#1");
    assertThat(Duration.ofNanos(System.nanoTime() - released))
        .as("well within the 10 s lease wait").isLessThan(Duration.ofSeconds(5));
    assertThat(shared.store.get("k").value()).as("it took the lease and filled").isEqualTo("k@a#1");
  }

  @Test
  void aFillOfAKeyThisNodeNoLongerTrustsIsNotInstalled() throws Exception {
    var a = node("a");
    shared.leases.put("k", "token-of-another-node");
    CompletableFuture<String> waiting = CompletableFuture.supplyAsync(() -> a.get("k"));
    Awaitility.await().atMost(5, TimeUnit.SECONDS).until(() -> shared.polls.get() >= 1);
    // A write of this node fails to reach the tier: the key is on the repair list now.
    shared.failing = true;
    a.invalidate("k");
    shared.failing = false;
    shared.store.put("k", RemoteEntry.value("old-filled-elsewhere", 60_000, System.currentTimeMillis(), 0, 0));
    assertThat(waiting.get(10, TimeUnit.SECONDS)).isEqualTo("k@a#1");
  }

  @Test
  void getIfPresentDoesNotReadKeysThisNodeNoLongerTrusts() {
    var a = node("a");
    shared.store.put("k", RemoteEntry.value("old", 60_000, System.currentTimeMillis(), 0, 0));
    shared.failing = true;
    a.put("k", "new"); // not applied remotely: "old" may still be there
    shared.failing = false;
    a.policy().flushL1();
    int before = shared.gets.get();
    assertThat(a.getIfPresent("k")).isNull();
    assertThat(shared.gets.get()).isEqualTo(before);
  }

  @Test
  void aRefreshLeavesTheKeyToTheNodeHoldingItsLease() {
    FakeTicker ticker = new FakeTicker();
    ManualExecutor executor = new ManualExecutor();
    TieredCache<String, String> a = builder("a").ticker(ticker).executor(executor).jitter(0)
        .refreshAfterWrite(Duration.ofMinutes(1)).expireAfterWrite(Duration.ofMinutes(10))
        .build(key -> key + "#" + loads.incrementAndGet());
    assertThat(a.get("k")).isEqualTo("k#1");
    ticker.advance(Duration.ofMinutes(2));
    // Redis holds the same, soft-expired value; another node holds the lease and refreshes it.
    shared.store.put("k", RemoteEntry.value("k#1", 60_000, System.currentTimeMillis() - 120_000,
        System.currentTimeMillis() - 60_000, 0));
    shared.leases.put("k", "token-of-the-refreshing-node");
    for (int i = 0; i < 100; i++) {
      assertThat(a.get("k")).isEqualTo("k#1");
      executor.runAll();
    }
    assertThat(loads).as("no second refresh of the same key").hasValue(1);
    assertThat(a.stats().refreshes()).as("one attempt, then it backs off").isEqualTo(1);
    // The other node fills; after the back-off a read picks the fill up without loading.
    shared.leases.remove("k");
    shared.store.put("k", RemoteEntry.value("k#refreshed", 60_000, System.currentTimeMillis(),
        System.currentTimeMillis() + 60_000, 0));
    ticker.advance(Duration.ofSeconds(1));
    assertThat(a.get("k")).isEqualTo("k#1");
    executor.runAll();
    assertThat(a.get("k")).isEqualTo("k#refreshed");
    assertThat(loads).hasValue(1);
  }

  @Test
  void getAllRefreshesItsKeysInOneBulkCall() {
    FakeTicker ticker = new FakeTicker();
    ManualExecutor executor = new ManualExecutor();
    TieredCache<Integer, String> cache = TieredCache.builder("bulk-refresh").ticker(ticker).executor(executor)
        .jitter(0.1).refreshAfterWrite(Duration.ofMinutes(1)).expireAfterWrite(Duration.ofMinutes(10)).build();
    List<Set<? extends Integer>> calls = new CopyOnWriteArrayList<>();
    List<Integer> keys = new ArrayList<>();
    for (int i = 0; i < 50; i++) {
      keys.add(i);
    }
    java.util.function.Function<Set<? extends Integer>, Map<Integer, String>> bulk = wanted -> {
      calls.add(Set.copyOf(wanted));
      Map<Integer, String> values = new HashMap<>();
      wanted.forEach(key -> values.put(key, "v" + key + "@" + calls.size()));
      return values;
    };
    assertThat(cache.getAll(keys, bulk)).hasSize(50);
    ticker.advance(Duration.ofMinutes(2));
    assertThat(cache.getAll(keys, bulk)).containsEntry(7, "v7@1");
    executor.runAll();
    assertThat(calls).hasSize(2);
    assertThat(calls.get(1)).hasSize(50);
    assertThat(cache.getAll(keys, bulk)).containsEntry(7, "v7@2");
    assertThat(cache.stats().refreshes()).isEqualTo(50);
  }

  @Test
  void aWaiterGetsTheFillOfTheNodeHoldingTheLease() throws Exception {
    var a = node("a");
    var b = node("b");
    CountDownLatch loading = new CountDownLatch(1);
    CountDownLatch release = new CountDownLatch(1);
    CompletableFuture<String> first = CompletableFuture.supplyAsync(() -> a.get("k", key -> {
      loading.countDown();
      await(release);
      return "from-a";
    }));
    assertThat(loading.await(10, TimeUnit.SECONDS)).isTrue();
    CompletableFuture<String> second = CompletableFuture.supplyAsync(() -> b.get("k"));
    Awaitility.await().atMost(5, TimeUnit.SECONDS).until(() -> shared.polls.get() >= 1);
    release.countDown();
    assertThat(first.get(10, TimeUnit.SECONDS)).isEqualTo("from-a");
    assertThat(second.get(10, TimeUnit.SECONDS)).isEqualTo("from-a");
    assertThat(loads).as("b never loaded").hasValue(0);
  }
}
