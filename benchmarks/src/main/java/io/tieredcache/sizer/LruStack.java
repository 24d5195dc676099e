package io.tieredcache.sizer;

import java.util.Arrays;

/**
 * Mattson's LRU stack distances in {@code O(log n)} per access, with deletions: every cache size
 * at once. A key's distance is the number of distinct keys used since its last use, plus one; an
 * LRU cache of {@code C} entries hits exactly the accesses whose distance is at most {@code C}.
 *
 * <p>Each access takes the next position on a time line; a Fenwick tree marks the positions that
 * are still some key's latest use, so the distance of a key last used at {@code p} is the number
 * of marks after {@code p}, plus one. When the time line is full it is compacted (the live marks
 * renumbered in order) and grown if more than half of it is live.
 *
 * <p>A deletion takes the key out of every size at once, so keys below it move up one place; in a
 * real LRU of a size it was not in, a key that moves up into that size had already been evicted.
 * So with deletions the hits are slightly overstated (by at most one key per deletion and size);
 * without them they are exact.
 *
 * <p>With a TTL, a value read at least {@code ttl} after it was filled or written is a miss at
 * every size. (Strictly, a size that missed it in between refilled it later; counting the TTL from
 * the last fill common to all sizes overstates expiry a little for small caches.)
 */
final class LruStack {

  /** The distance of a key not in the stack (never used, deleted, or expired). */
  static final long INFINITE = Long.MAX_VALUE;

  private final KeyIndex index;
  private final long ttlNanos;
  private int[] lastPosition = new int[1024]; // by key id; 0: not in the stack
  private long[] filledAt; // by key id, with a TTL only
  private int[] tree; // Fenwick tree over positions 1..capacity
  private int[] owner; // key id by position
  private int position;
  private int live;

  LruStack(int expectedKeys, long ttlNanos) {
    this.index = new KeyIndex(expectedKeys);
    this.ttlNanos = ttlNanos;
    int capacity = Math.max(1024, expectedKeys * 4);
    this.tree = new int[capacity + 1];
    this.owner = new int[capacity + 1];
    if (ttlNanos > 0) {
      filledAt = new long[1024];
    }
  }

  /** Number of keys in the stack. */
  int size() {
    return live;
  }

  /**
   * A read at time {@code now}: returns its stack distance ({@link #INFINITE} on a miss at every
   * size), then puts the key on top (a miss loads it, a hit uses it).
   */
  long read(long key, long now) {
    int id = idOf(key);
    int last = lastPosition[id];
    long distance = INFINITE;
    if (last > 0) {
      if (ttlNanos == 0 || now - filledAt[id] < ttlNanos) {
        distance = live - prefix(last) + 1;
      }
      add(last, -1);
      live--;
      lastPosition[id] = 0; // not live while it moves: a compaction in push() must not keep it
    }
    push(id);
    if (distance == INFINITE && ttlNanos > 0) {
      filledAt[id] = now;
    }
    return distance;
  }

  /** A write: the key goes on top, freshly filled. */
  void write(long key, long now) {
    int id = idOf(key);
    int last = lastPosition[id];
    if (last > 0) {
      add(last, -1);
      live--;
      lastPosition[id] = 0; // not live while it moves: a compaction in push() must not keep it
    }
    push(id);
    if (ttlNanos > 0) {
      filledAt[id] = now;
    }
  }

  /** A deletion: the key leaves every cache size. */
  void delete(long key) {
    int id = idOf(key);
    int last = lastPosition[id];
    if (last > 0) {
      add(last, -1);
      live--;
      lastPosition[id] = 0;
    }
  }

  /** Everything leaves. */
  void clear() {
    Arrays.fill(tree, 0);
    Arrays.fill(lastPosition, 0);
    position = 0;
    live = 0;
  }

  private int idOf(long key) {
    int id = index.idOf(key);
    if (id >= lastPosition.length) {
      lastPosition = Arrays.copyOf(lastPosition, lastPosition.length * 2);
      if (filledAt != null) {
        filledAt = Arrays.copyOf(filledAt, lastPosition.length);
      }
    }
    return id;
  }

  private void push(int id) {
    if (position == tree.length - 1) {
      compact();
    }
    int p = ++position;
    add(p, 1);
    owner[p] = id;
    lastPosition[id] = p;
    live++;
  }

  /** Renumbers the live positions 1..live in order; grows the time line if it is over half live. */
  private void compact() {
    int capacity = tree.length - 1;
    if (live * 2 > capacity) {
      capacity *= 2;
    }
    int[] newOwner = new int[capacity + 1];
    int next = 0;
    for (int p = 1; p <= position; p++) {
      int id = owner[p];
      if (lastPosition[id] == p) {
        newOwner[++next] = id;
        lastPosition[id] = next;
      }
    }
    owner = newOwner;
    tree = new int[capacity + 1];
    // Linear-time build of a tree with a 1 at each of positions 1..next.
    for (int p = 1; p <= capacity; p++) {
      if (p <= next) {
        tree[p] += 1;
      }
      int parent = p + (p & -p);
      if (parent <= capacity) {
        tree[parent] += tree[p];
      }
    }
    position = next;
  }

  private void add(int p, int delta) {
    for (int i = p; i < tree.length; i += i & -i) {
      tree[i] += delta;
    }
  }

  private int prefix(int p) {
    int sum = 0;
    for (int i = p; i > 0; i -= i & -i) {
      sum += tree[i];
    }
    return sum;
  }
}
