package io.tieredcache.sizer;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.LinkedList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

class LruStackTest {

  /** The obvious LRU cache: a list, most recent first. */
  static final class BruteLru {
    final int capacity;
    final LinkedList<Long> order = new LinkedList<>();

    BruteLru(int capacity) {
      this.capacity = capacity;
    }

    boolean read(long key) {
      boolean hit = order.remove(key);
      order.addFirst(key);
      if (order.size() > capacity) {
        order.removeLast();
      }
      return hit;
    }

    void write(long key) {
      order.remove(key);
      order.addFirst(key);
      if (order.size() > capacity) {
        order.removeLast();
      }
    }

    void delete(long key) {
      order.remove(key);
    }
  }

  @Test
  void withoutDeletionsDistancesGiveExactlyTheHitsOfABruteForceLruAtEverySize() {
    long[][] hits = replay(0);
    assertThat(hits[1]).containsExactly(hits[0]);
    assertThat(hits[0][6]).isPositive();
  }

  /**
   * A deletion takes its key out of every size at once, so a key just below a small cache's bound
   * moves up into it, where a real LRU had already evicted it: slightly more hits, never fewer.
   */
  @Test
  void withDeletionsDistancesOverstateHitsOnlySlightly() {
    long[][] hits = replay(6);
    for (int c = 0; c < hits[0].length; c++) {
      assertThat(hits[1][c]).isGreaterThanOrEqualTo(hits[0][c]);
      assertThat((double) hits[1][c] - hits[0][c]).isLessThanOrEqualTo(hits[0][c] * 0.005 + 2);
    }
  }

  /** Replays one random trace (reads, writes, {@code deletePercent}% deletions, a few clears): brute hits, stack hits. */
  private static long[][] replay(int deletePercent) {
    Random random = new Random(42);
    int[] capacities = {1, 2, 5, 17, 64, 150, 400};
    List<BruteLru> brutes = new ArrayList<>();
    for (int c : capacities) {
      brutes.add(new BruteLru(c));
    }
    long[] bruteHits = new long[capacities.length];
    long[] stackHits = new long[capacities.length];
    LruStack stack = new LruStack(16, 0); // small, so the time line is compacted and grown many times
    for (int i = 0; i < 60_000; i++) {
      long key = (long) Math.abs(random.nextGaussian() * 120) + (random.nextInt(10) == 0 ? random.nextInt(2000) : 0);
      int what = random.nextInt(100);
      if (what < 85) {
        long distance = stack.read(key, i);
        for (int c = 0; c < capacities.length; c++) {
          if (brutes.get(c).read(key)) {
            bruteHits[c]++;
          }
          if (distance <= capacities[c]) {
            stackHits[c]++;
          }
        }
      } else if (what < 99 - deletePercent) {
        stack.write(key, i);
        brutes.forEach(b -> b.write(key));
      } else if (what < 99) {
        stack.delete(key);
        brutes.forEach(b -> b.delete(key));
      } else if (random.nextInt(20) == 0) {
        stack.clear();
        brutes.forEach(b -> b.order.clear());
      }
    }
    return new long[][] {bruteHits, stackHits};
  }

  @Test
  void aValueReadAfterItsTtlMissesAtEverySize() {
    LruStack stack = new LruStack(16, 100);
    assertThat(stack.read(1, 0)).isEqualTo(LruStack.INFINITE);
    assertThat(stack.read(1, 50)).isEqualTo(1);
    assertThat(stack.read(1, 100)).isEqualTo(LruStack.INFINITE); // filled at 0: expired at 100
    assertThat(stack.read(1, 150)).isEqualTo(1); // refilled at 100
    stack.write(1, 190);
    assertThat(stack.read(1, 280)).isEqualTo(1);
  }

  @Test
  void distanceCountsDistinctKeysSinceTheLastUse() {
    LruStack stack = new LruStack(16, 0);
    stack.read(1, 0);
    stack.read(2, 0);
    stack.read(3, 0);
    stack.read(2, 0);
    assertThat(stack.read(1, 0)).isEqualTo(3); // 2 and 3 since, then itself
    assertThat(stack.read(1, 0)).isEqualTo(1);
    stack.delete(3);
    assertThat(stack.read(2, 0)).isEqualTo(2);
    assertThat(stack.size()).isEqualTo(2);
  }
}
