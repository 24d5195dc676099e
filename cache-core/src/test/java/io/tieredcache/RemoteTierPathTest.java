package io.tieredcache;

import static io.tieredcache.ReadPathTest.await;
import static org.assertj.core.api.Assertions.assertThat;

import io.tieredcache.spi.RemoteEntry;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;

/** The core's use of the remote-tier SPI, with two caches sharing one in-memory tier as two nodes. */
class RemoteTierPathTest {

  private final InMemoryRemoteTier<String, String> shared = new InMemoryRemoteTier<>();
  private final InMemoryBus bus = new InMemoryBus();
  private final AtomicInteger loads = new AtomicInteger();

  private TieredCache<String, String> node(String id) {
    return node(id, Duration.ofMillis(300));
  }

  private TieredCache<String, String> node(String id, Duration leaseWait) {
    return TieredCache.builder("users").keyCodec(KeyCodec.strings())
        .remoteTier(context -> shared).invalidationBus(bus.node(id))
        .leaseWait(leaseWait)
        .build(key -> key + "@" + id + "#" + loads.incrementAndGet());
  }

  @Test
  void aValueLoadedOnOneNodeIsAnL2HitOnTheOther() {
    var a = node("a");
    var b = node("b");
    assertThat(a.get("k")).isEqualTo("k@a#1");
    assertThat(b.get("k")).isEqualTo("k@a#1");
    assertThat(loads).hasValue(1);
    assertThat(b.stats().l2Hits()).isEqualTo(1);
    assertThat(b.stats().l1Misses()).isEqualTo(1);
    assertThat(shared.store.get("k").writtenAtMillis()).isPositive();
  }

  @Test
  void aWriteOnOneNodeReachesTheOther() {
    var a = node("a");
    var b = node("b");
    assertThat(b.get("k")).isEqualTo("k@b#1");
    a.put("k", "written-by-a");
    assertThat(b.get("k")).isEqualTo("written-by-a");
    a.invalidate("k");
    assertThat(b.get("k")).isEqualTo("k@b#2");
  }

  @Test
  void aLoadWhoseLeaseWasVoidedIsInstalledNowhere() throws Exception {
    var a = node("a");
    var b = node("b");
    CountDownLatch loading = new CountDownLatch(1);
    CountDownLatch written = new CountDownLatch(1);
    CompletableFuture<String> slow = CompletableFuture.supplyAsync(() -> a.get("k", key -> {
      loading.countDown();
      await(written);
      return "v1-read-before-the-write";
    }));
    assertThat(loading.await(10, TimeUnit.SECONDS)).isTrue();
    b.invalidate("k"); // the database changed to v2; the invalidation voids a's lease
    written.countDown();

    assertThat(slow.get(10, TimeUnit.SECONDS)).isEqualTo("v1-read-before-the-write");
    assertThat(shared.store).doesNotContainKey("k");
    assertThat(a.get("k", key -> "v2")).isEqualTo("v2");
    assertThat(a.stats().fencedFills()).isEqualTo(1);
  }

  @Test
  void whileAnotherNodeHoldsTheLeaseWaitForItsFill() throws Exception {
    var a = node("a", Duration.ofSeconds(10));
    shared.leases.put("k", "token-of-another-node");
    CompletableFuture<String> waiting = CompletableFuture.supplyAsync(() -> a.get("k"));
    Awaitility.await().pollInterval(Duration.ofMillis(1)).atMost(5, TimeUnit.SECONDS).until(() -> shared.polls.get() >= 1); // it is polling for the fill
    shared.store.put("k", RemoteEntry.value("filled-elsewhere", 60_000, System.currentTimeMillis(), 0, 0));
    assertThat(waiting.get(10, TimeUnit.SECONDS)).isEqualTo("filled-elsewhere");
    assertThat(loads).hasValue(0);
  }

  @Test
  void aDeadLeaseHolderDelaysByAtMostTheLeaseWait() {
    var a = node("a");
    shared.leases.put("k", "token-of-a-dead-node");
    long started = System.nanoTime();
    assertThat(a.get("k")).isEqualTo("k@a#1");
    assertThat(Duration.ofNanos(System.nanoTime() - started)).isBetween(Duration.ofMillis(300), Duration.ofSeconds(5));
    assertThat(shared.store).as("no fill without the lease").doesNotContainKey("k");
  }

  @Test
  void aFailingRemoteTierIsAMissAndTheLoaderAnswers() {
    var a = node("a");
    shared.failing = true;
    assertThat(a.get("k")).isEqualTo("k@a#1");
    a.put("p", "v");
    assertThat(a.get("p")).isEqualTo("v");
    // Failures are the tier's to report (this one reports none); the core counts none twice.
    assertThat(a.stats().remoteErrorCount()).isZero();
  }

  @Test
  void aFailedLoadGivesItsLeaseBack() {
    var a = node("a");
    org.assertj.core.api.Assertions.assertThatThrownBy(() -> a.get("k", key -> {
      throw new IllegalStateException("db down");
    })).isInstanceOf(CacheLoadException.class);
    assertThat(shared.leases).doesNotContainKey("k");
  }

  @Test
  void anUncachedAbsentValueGivesItsLeaseBackAndStoresNothing() {
    var a = TieredCache.builder("users").keyCodec(KeyCodec.strings()).remoteTier(context -> shared)
        .absentTtl(Duration.ZERO).<String, String>build();
    assertThat(a.get("k", key -> null)).isNull();
    assertThat(shared.leases).doesNotContainKey("k");
    assertThat(shared.store).doesNotContainKey("k");
  }

  @Test
  void aWriteTheTierMissedIsRepairedWhenItAnswersAgain() {
    var a = node("a");
    var b = node("b");
    assertThat(a.get("k")).isEqualTo("k@a#1");
    shared.failing = true;
    a.put("k", "new"); // the database has "new"; the tier missed the write and still holds k@a#1
    shared.failing = false;

    a.policy().flushL1();
    assertThat(a.get("k")).as("the node that missed the write does not trust the tier for k").isEqualTo("k@a#2");
    assertThat(b.get("k")).as("another node may read the old value until the repair").isIn("k@a#1", "k@a#2");
    Awaitility.await().atMost(5, TimeUnit.SECONDS).untilAsserted(() -> {
      assertThat(shared.store.get("k")).isNull();
      assertThat(b.getIfPresent("k")).as("the repair told the other nodes").isNull();
    });
    assertThat(b.get("k")).isEqualTo("k@b#3");
  }

  @Test
  void getAllMakesOneRemoteLookupAndOneBulkLoad() {
    var a = node("a");
    var b = node("b");
    a.get("in-l2"); // now in L2 (and a's L1)
    b.put("in-l1", "x"); // in b's L1 and L2
    int getAllsBefore = shared.getAlls.get();
    AtomicInteger bulkCalls = new AtomicInteger();
    Map<String, String> result = b.getAll(List.of("in-l1", "in-l2", "m1", "m2"), keys -> {
      bulkCalls.incrementAndGet();
      assertThat(keys).isEqualTo(Set.of("m1", "m2"));
      return Map.of("m1", "loaded-m1");
    });
    assertThat(result).containsOnlyKeys("in-l1", "in-l2", "m1");
    assertThat(shared.getAlls.get() - getAllsBefore).isEqualTo(1);
    assertThat(bulkCalls).hasValue(1);
    assertThat(shared.store.get("m2").kind()).isEqualTo(RemoteEntry.Kind.ABSENT);
  }

  // ------------------------------------------------------------------------------ getIfPresentAsync

  @Test
  void getIfPresentAsyncCompletesAtOnceOnAnL1Hit() {
    var a = node("a");
    a.put("k", "v");
    CompletableFuture<String> hit = a.getIfPresentAsync("k");
    assertThat(hit).isCompletedWithValue("v");
    assertThat(a.stats().l1Hits()).isEqualTo(1);
  }

  @Test
  void getIfPresentAsyncFindsWhatOnlyTheRemoteTierHasAndLoadsNothing() throws Exception {
    var a = node("a");
    var b = node("b");
    a.put("k", "v");
    assertThat(b.getIfPresentAsync("k").get(5, TimeUnit.SECONDS)).isEqualTo("v");
    assertThat(b.stats().l2Hits()).isEqualTo(1);
    assertThat(b.getIfPresentAsync("missing").get(5, TimeUnit.SECONDS)).isNull();
    assertThat(loads).hasValue(0);
  }

  @Test
  void getIfPresentAsyncDoesNotHoldTheCallerOnAHungTierAndEndsAsAMiss() throws Exception {
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
  void getIfPresentAsyncOnAFailingRemoteTierIsAMiss() throws Exception {
    var a = node("a");
    shared.failing = true;
    assertThat(a.getIfPresentAsync("k").get(5, TimeUnit.SECONDS)).isNull();
  }
}
