package io.tieredcache.redis.bus;

import static org.assertj.core.api.Assertions.assertThat;

import io.tieredcache.redis.bus.Coalescer.Kind;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

class CoalescerTest {

  record Sent(String cache, Kind kind, long epoch, List<String> keys, CompletableFuture<Void> done) {
    boolean all() {
      return kind == Kind.ALL;
    }
  }

  final List<Sent> sent = new ArrayList<>();
  final Coalescer coalescer = new Coalescer((cache, batch) -> {
    Sent s = new Sent(cache, batch.kind(), batch.epoch(), batch.keys(), new CompletableFuture<>());
    sent.add(s);
    return s.done;
  });

  CompletableFuture<Void> keys(String cache, String... keys) {
    return coalescer.submit(cache, List.of(keys), false, 0);
  }

  CompletableFuture<Void> all(String cache, long epoch) {
    return coalescer.submit(cache, List.of(), true, epoch);
  }

  @Test
  void idleLaneSendsAtOnce() {
    CompletableFuture<Void> f = keys("c", "a", "b", "a");
    assertThat(sent).hasSize(1);
    assertThat(sent.get(0).keys()).containsExactly("a", "b");
    assertThat(f).isNotDone();
    sent.get(0).done().complete(null);
    assertThat(f).isCompleted();
  }

  @Test
  void keysPublishedWhileInFlightAreMergedIntoTheNextSend() {
    CompletableFuture<Void> first = keys("c", "k0");
    List<CompletableFuture<Void>> later = IntStream.range(1, 100)
        .mapToObj(i -> keys("c", "k" + i)).toList();
    assertThat(sent).hasSize(1);
    assertThat(later).allMatch(f -> f == later.get(0)); // one shared future for the merged batch

    sent.get(0).done().complete(null);
    assertThat(first).isCompleted();
    assertThat(sent).hasSize(2);
    assertThat(sent.get(1).keys()).hasSize(99).startsWith("k1").endsWith("k99");
    assertThat(later.get(0)).isNotDone();

    sent.get(1).done().complete(null);
    assertThat(later.get(0)).isCompleted();
    assertThat(sent).hasSize(2);

    keys("c", "again");
    assertThat(sent).hasSize(3); // the lane is idle again
  }

  @Test
  void lanesOfDifferentCachesAreIndependent() {
    keys("a", "1");
    keys("b", "2");
    assertThat(sent).extracting(Sent::cache).containsExactly("a", "b");
  }

  @Test
  void idleAllCarriesItsEpoch() {
    all("c", 42);
    assertThat(sent.get(0).all()).isTrue();
    assertThat(sent.get(0).epoch()).isEqualTo(42);
  }

  @Test
  void pendingAllAbsorbsPendingKeys() {
    keys("c", "k0");
    keys("c", "k1");
    all("c", 7);
    keys("c", "k2");
    sent.get(0).done().complete(null);
    assertThat(sent).hasSize(2);
    assertThat(sent.get(1).all()).isTrue();
    assertThat(sent.get(1).epoch()).isEqualTo(7);
    assertThat(sent.get(1).keys()).isEmpty();
  }

  @Test
  void pendingAllsMergeIntoTheHighestEpoch() {
    keys("c", "k0");
    all("c", 9);
    all("c", 8); // submitted late by a slower thread
    sent.get(0).done().complete(null);
    assertThat(sent).hasSize(2);
    assertThat(sent.get(1).epoch()).isEqualTo(9);
  }

  @Test
  void tooManyPendingKeysBecomeAnOverflowNeverAnAll() {
    keys("c", "k");
    List<String> many = IntStream.rangeClosed(0, Coalescer.MAX_PENDING_KEYS).mapToObj(i -> "p" + i).toList();
    coalescer.submit("c", many, false, 0);
    keys("c", "after");
    sent.get(0).done().complete(null);
    assertThat(sent.get(1).kind()).isEqualTo(Kind.OVERFLOW);
    assertThat(sent.get(1).keys()).isEmpty();
  }

  @Test
  void allSupersedesAnOverflow() {
    keys("c", "k");
    coalescer.submit("c", IntStream.rangeClosed(0, Coalescer.MAX_PENDING_KEYS).mapToObj(i -> "p" + i).toList(), false, 0);
    all("c", 3);
    sent.get(0).done().complete(null);
    assertThat(sent.get(1).kind()).isEqualTo(Kind.ALL);
    assertThat(sent.get(1).epoch()).isEqualTo(3);
  }

  @Test
  void failureReachesTheCallerAndTheLaneGoesOn() {
    CompletableFuture<Void> first = keys("c", "k0");
    CompletableFuture<Void> second = keys("c", "k1");
    sent.get(0).done().completeExceptionally(new IllegalStateException("down"));
    assertThat(first).isCompletedExceptionally();
    sent.get(1).done().completeExceptionally(new IllegalStateException("down"));
    assertThat(second).isCompletedExceptionally();
    keys("c", "k2");
    assertThat(sent).hasSize(3);
  }

  @Test
  void senderCompletingAtOnceDrainsWithoutRecursion() {
    Coalescer immediate = new Coalescer((cache, batch) -> CompletableFuture.completedFuture(null));
    for (int i = 0; i < 10_000; i++) {
      assertThat(immediate.submit("c", List.of("k" + i), false, 0)).isCompleted();
    }
  }

  @Test
  void abandonFailsWhatIsStillWaiting() {
    keys("c", "k0");
    CompletableFuture<Void> waiting = keys("c", "k1");
    coalescer.abandon(new IllegalStateException("closed"));
    assertThat(waiting).isCompletedExceptionally();
    sent.get(0).done().complete(null);
    assertThat(sent).hasSize(1);
  }
}
