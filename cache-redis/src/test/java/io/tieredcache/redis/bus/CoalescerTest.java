package io.tieredcache.redis.bus;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

class CoalescerTest {

  record Sent(String cache, boolean all, List<String> keys, CompletableFuture<Void> done) {}

  final List<Sent> sent = new ArrayList<>();
  final Coalescer coalescer = new Coalescer((cache, all, keys) -> {
    Sent s = new Sent(cache, all, keys, new CompletableFuture<>());
    sent.add(s);
    return s.done;
  });

  @Test
  void idleLaneSendsAtOnce() {
    CompletableFuture<Void> f = coalescer.submit("c", List.of("a", "b", "a"), false);
    assertThat(sent).hasSize(1);
    assertThat(sent.get(0).keys()).containsExactly("a", "b");
    assertThat(f).isNotDone();
    sent.get(0).done().complete(null);
    assertThat(f).isCompleted();
  }

  @Test
  void keysPublishedWhileInFlightAreMergedIntoTheNextSend() {
    CompletableFuture<Void> first = coalescer.submit("c", List.of("k0"), false);
    List<CompletableFuture<Void>> later = IntStream.range(1, 100)
        .mapToObj(i -> coalescer.submit("c", List.of("k" + i), false)).toList();
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

    coalescer.submit("c", List.of("again"), false);
    assertThat(sent).hasSize(3); // the lane is idle again
  }

  @Test
  void lanesOfDifferentCachesAreIndependent() {
    coalescer.submit("a", List.of("1"), false);
    coalescer.submit("b", List.of("2"), false);
    assertThat(sent).extracting(Sent::cache).containsExactly("a", "b");
  }

  @Test
  void pendingAllAbsorbsPendingKeys() {
    coalescer.submit("c", List.of("k0"), false);
    coalescer.submit("c", List.of("k1"), false);
    coalescer.submit("c", List.of(), true);
    coalescer.submit("c", List.of("k2"), false);
    sent.get(0).done().complete(null);
    assertThat(sent).hasSize(2);
    assertThat(sent.get(1).all()).isTrue();
    assertThat(sent.get(1).keys()).isEmpty();
  }

  @Test
  void tooManyPendingKeysCollapseIntoAll() {
    coalescer.submit("c", List.of("k"), false);
    List<String> many = IntStream.rangeClosed(0, Coalescer.MAX_PENDING_KEYS).mapToObj(i -> "p" + i).toList();
    coalescer.submit("c", many, false);
    sent.get(0).done().complete(null);
    assertThat(sent.get(1).all()).isTrue();
  }

  @Test
  void failureReachesTheCallerAndTheLaneGoesOn() {
    CompletableFuture<Void> first = coalescer.submit("c", List.of("k0"), false);
    CompletableFuture<Void> second = coalescer.submit("c", List.of("k1"), false);
    sent.get(0).done().completeExceptionally(new IllegalStateException("down"));
    assertThat(first).isCompletedExceptionally();
    sent.get(1).done().completeExceptionally(new IllegalStateException("down"));
    assertThat(second).isCompletedExceptionally();
    coalescer.submit("c", List.of("k2"), false);
    assertThat(sent).hasSize(3);
  }

  @Test
  void senderCompletingAtOnceDrainsWithoutRecursion() {
    Coalescer immediate = new Coalescer((cache, all, keys) -> CompletableFuture.completedFuture(null));
    for (int i = 0; i < 10_000; i++) {
      assertThat(immediate.submit("c", List.of("k" + i), false)).isCompleted();
    }
  }

  @Test
  void abandonFailsWhatIsStillWaiting() {
    coalescer.submit("c", List.of("k0"), false);
    CompletableFuture<Void> waiting = coalescer.submit("c", List.of("k1"), false);
    coalescer.abandon(new IllegalStateException("closed"));
    assertThat(waiting).isCompletedExceptionally();
    sent.get(0).done().complete(null);
    assertThat(sent).hasSize(1);
  }
}
