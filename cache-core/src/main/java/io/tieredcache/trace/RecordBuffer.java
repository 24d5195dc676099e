package io.tieredcache.trace;

import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicLongArray;

/**
 * A bounded, lock-free, many-producers one-consumer ring of fixed-size records (three longs each),
 * allocation-free on both sides. A producer claims a slot with one compare-and-set on the tail and
 * publishes it by advancing the slot's sequence number; when the ring is full it gives up at once
 * ({@link #offer} returns {@code false}) instead of waiting. The slot-sequence scheme is the
 * classic bounded-queue design described by Dmitry Vyukov.
 */
final class RecordBuffer {

  private final int mask;
  private final AtomicLongArray sequences;
  private final long[] times;
  private final long[] hashes;
  private final long[] metas;
  private final AtomicLong tail = new AtomicLong();
  /** Touched by the single consumer only. */
  private long head;

  // What the last successful poll() read; consumer only.
  long polledTime;
  long polledHash;
  long polledMeta;

  RecordBuffer(int capacity) {
    if (capacity < 2 || Integer.bitCount(capacity) != 1) {
      throw new IllegalArgumentException("capacity must be a power of two >= 2, was " + capacity);
    }
    this.mask = capacity - 1;
    this.sequences = new AtomicLongArray(capacity);
    for (int i = 0; i < capacity; i++) {
      sequences.set(i, i);
    }
    this.times = new long[capacity];
    this.hashes = new long[capacity];
    this.metas = new long[capacity];
  }

  int capacity() {
    return mask + 1;
  }

  /** Adds one record, or returns {@code false} at once if the ring is full. Never blocks. */
  boolean offer(long time, long hash, long meta) {
    long pos = tail.get();
    int slot;
    while (true) {
      slot = (int) (pos & mask);
      long difference = sequences.getAcquire(slot) - pos;
      if (difference == 0) {
        if (tail.compareAndSet(pos, pos + 1)) {
          break;
        }
        pos = tail.get();
      } else if (difference < 0) {
        return false; // the consumer has not freed this slot yet: full
      } else {
        pos = tail.get(); // another producer took it; look again
      }
    }
    times[slot] = time;
    hashes[slot] = hash;
    metas[slot] = meta;
    sequences.setRelease(slot, pos + 1);
    return true;
  }

  /** Takes the oldest published record into {@link #polledTime} etc.; {@code false} if there is none. */
  boolean poll() {
    int slot = (int) (head & mask);
    if (sequences.getAcquire(slot) != head + 1) {
      return false;
    }
    polledTime = times[slot];
    polledHash = hashes[slot];
    polledMeta = metas[slot];
    sequences.setRelease(slot, head + mask + 1);
    head++;
    return true;
  }
}
