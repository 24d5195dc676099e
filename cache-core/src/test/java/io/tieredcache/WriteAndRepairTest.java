package io.tieredcache;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.tieredcache.spi.RemoteEntry;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;

/** Writes that partly fail, the repair list, close, and invalidateAll's epoch. */
class WriteAndRepairTest {

  private final InMemoryRemoteTier<String, String> shared = new InMemoryRemoteTier<>();
  private final InMemoryBus bus = new InMemoryBus();
  private final AtomicInteger loads = new AtomicInteger();

  private TieredCache<String, String> node(String id) {
    return TieredCache.builder("users").keyCodec(KeyCodec.strings())
        .remoteTier(context -> shared).invalidationBus(bus.node(id))
        .build(key -> key + "@" + id + "#" + loads.incrementAndGet());
  }

  @Test
  void aPutAllWithAnUnencodableValueWritesTheRestAndLeavesNoNodeStale() {
    var a = node("a");
    var b = node("b");
    for (String key : List.of("k1", "k2", "k3")) {
      a.put(key, "old-" + key);
      assertThat(b.get(key)).isEqualTo("old-" + key);
    }
    shared.unencodable = value -> value.equals("poison");
    Map<String, String> batch = new LinkedHashMap<>();
    batch.put("k1", "new-k1");
    batch.put("k2", "poison");
    batch.put("k3", "new-k3");
    assertThatThrownBy(() -> a.putAll(batch))
        .isInstanceOfSatisfying(CacheWriteException.class, e -> assertThat(e.unwrittenKeys()).containsExactly("k2"))
        .hasMessageContaining("k2");
    // The others were written and announced; the refused key is gone everywhere.
    assertThat(b.get("k1")).isEqualTo("new-k1");
    assertThat(b.get("k3")).isEqualTo("new-k3");
    assertThat(a.get("k1")).isEqualTo("new-k1");
    assertThat(shared.store).doesNotContainKey("k2");
    assertThat(a.policy().getIfPresentInL1("k2")).isNull();
    assertThat(b.policy().getIfPresentInL1("k2")).isNull();
    assertThat(b.get("k2")).as("loaded afresh, not the old value").startsWith("k2@b#");
    assertThat(a.stats().l2Puts()).as("3 old puts + the 2 stored now").isEqualTo(5);
  }

  @Test
  void valuesTheTierSkipsAreNotCountedAsStored() {
    var a = node("a");
    shared.tooBig = value -> value.toString().startsWith("big");
    a.put("k", "big-value");
    assertThat(a.stats().l2Puts()).isZero();
    assertThat(a.get("k")).as("L1 keeps it: nothing newer exists").isEqualTo("big-value");
    shared.tooBig = value -> value.toString().startsWith("other@");
    assertThat(a.get("other")).startsWith("other@a#");
    assertThat(a.stats().l2Puts()).as("a skipped fill is not a stored one").isZero();
  }

  @Test
  void anUnappliedWriteIsRepairedAndAnnouncedOnceTheTierAnswers() {
    var a = node("a");
    var b = node("b");
    shared.store.put("k", RemoteEntry.value("old", 60_000, System.currentTimeMillis(), 0, 0));
    shared.failing = true;
    a.put("k", "new");
    assertThat(a.stats().repairsPending()).isEqualTo(1);
    shared.failing = false;
    Awaitility.await().atMost(5, TimeUnit.SECONDS).until(() -> a.stats().repairsPending() == 0);
    assertThat(shared.store).as("the possibly stale value was deleted").doesNotContainKey("k");
    assertThat(b.get("k")).startsWith("k@b#");
  }

  @Test
  void closeRepairsWhatItCanAndReportsTheRest() {
    var a = node("a");
    shared.failing = true;
    a.put("k1", "v");
    a.invalidate("k2");
    assertThat(a.stats().repairsPending()).isEqualTo(2);
    a.close();
    assertThat(a.stats().repairsAbandoned()).as("the tier never came back").isEqualTo(2);

    var c = node("c");
    shared.failing = true;
    shared.store.put("k3", RemoteEntry.value("old", 60_000, System.currentTimeMillis(), 0, 0));
    c.put("k3", "new");
    shared.failing = false;
    c.close(); // the tier answers again: close repairs before it returns
    assertThat(c.stats().repairsAbandoned()).isZero();
    assertThat(shared.store).doesNotContainKey("k3");
  }

  @Test
  void invalidateAllPublishesTheTiersNewEpochAndRepairsItIfUnknown() {
    var a = node("a");
    var b = node("b");
    b.get("k");
    a.invalidateAll();
    assertThat(shared.advancedTo).containsExactly(1L);
    assertThat(b.policy().getIfPresentInL1("k")).isNull();
    shared.failing = true;
    a.invalidateAll();
    assertThat(a.stats().repairsPending()).as("the whole cache waits for a repair").isEqualTo(1);
    assertThat(a.get("k")).as("nothing is read remotely meanwhile").startsWith("k@a#");
    shared.failing = false;
    Awaitility.await().atMost(5, TimeUnit.SECONDS).until(() -> a.stats().repairsPending() == 0);
    assertThat(shared.epoch).hasValue(2);
    // 0: the other nodes drop their L1 at once, before the epoch is known; 2: after the repair.
    assertThat(shared.advancedTo).containsExactly(1L, 0L, 2L);
  }

  @Test
  void writesAndReadsAfterCloseThrow() {
    var a = node("a");
    a.put("k", "v");
    a.close();
    assertThatThrownBy(() -> a.get("k")).isInstanceOf(IllegalStateException.class).hasMessageContaining("closed");
    assertThatThrownBy(() -> a.put("k", "v2")).isInstanceOf(IllegalStateException.class);
    assertThatThrownBy(() -> a.invalidate("k")).isInstanceOf(IllegalStateException.class);
    assertThatThrownBy(() -> a.invalidateAll()).isInstanceOf(IllegalStateException.class);
    assertThatThrownBy(() -> a.getIfPresent("k")).isInstanceOf(IllegalStateException.class);
    assertThatThrownBy(() -> a.getAll(List.of("k"), keys -> Map.of())).isInstanceOf(IllegalStateException.class);
    assertThatThrownBy(() -> a.getAsync("k")).isInstanceOf(IllegalStateException.class);
    assertThat(shared.closes).hasValue(1);
    a.close();
    assertThat(shared.closes).as("closing twice does nothing").hasValue(1);
  }

  @Test
  void aBuildThatFailsAtSubscribeClosesItsTier() {
    node("a");
    assertThatThrownBy(() -> node("a"))
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("already subscribed");
    assertThat(shared.closes).as("the second cache's tier was closed").hasValue(1);
  }

  @Test
  void aWriteWaitsNoLongerThanTheTiersLimitForAHungTier() {
    var a = node("a");
    shared.hanging = true;
    shared.maxCallDuration = Duration.ofMillis(50);
    a.put("k", "v");
    assertThat(a.get("k")).isEqualTo("v");
    assertThat(a.stats().repairsPending()).isEqualTo(1);
  }
}
