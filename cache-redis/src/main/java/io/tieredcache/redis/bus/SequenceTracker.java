package io.tieredcache.redis.bus;

import java.util.HashMap;
import java.util.Iterator;
import java.util.Map;

/**
 * The last sequence number seen from every other node, to notice messages that never arrived.
 *
 * <p>A numbered message ({@code KEYS}, {@code ALL}) must carry the last number plus one; a control
 * message ({@code HEARTBEAT}, {@code HELLO}) carries the origin's latest number, which must equal
 * the last one seen. Anything higher means the messages in between were lost. Also remembers when
 * each origin was last heard, for the per-origin silence check.
 *
 * <p>Not thread-safe: the bus uses it from its dispatch thread only. Times are {@link
 * System#nanoTime()} values supplied by the caller.
 */
final class SequenceTracker {

  /** What one observation means. */
  enum Verdict {
    /** The origin (or this incarnation of it) was unknown: its number is taken as the baseline. */
    FIRST,
    /** As expected: nothing was lost. */
    IN_ORDER,
    /** A number already seen (a resent message): nothing was lost. */
    REPEAT,
    /** Numbers were skipped: messages from this origin may have been lost. */
    GAP
  }

  private static final class Origin {
    final long incarnation;
    long last;
    long heardNanos;
    boolean silent;

    Origin(long incarnation, long last, long heardNanos) {
      this.incarnation = incarnation;
      this.last = last;
      this.heardNanos = heardNanos;
    }
  }

  private final Map<String, Origin> origins = new HashMap<>();

  /** A message that carries its own number. */
  Verdict numbered(String origin, long incarnation, long sequence, long nowNanos) {
    return observe(origin, incarnation, sequence, nowNanos, 1);
  }

  /** A heartbeat or hello that carries the origin's latest number. */
  Verdict latest(String origin, long incarnation, long latestSequence, long nowNanos) {
    return observe(origin, incarnation, latestSequence, nowNanos, 0);
  }

  private Verdict observe(String name, long incarnation, long sequence, long now, int step) {
    Origin origin = origins.get(name);
    if (origin == null || origin.incarnation != incarnation) {
      origins.put(name, new Origin(incarnation, sequence, now));
      return Verdict.FIRST;
    }
    origin.heardNanos = now;
    origin.silent = false;
    long expected = origin.last + step;
    if (sequence == expected) {
      origin.last = sequence;
      return Verdict.IN_ORDER;
    }
    if (sequence < expected) {
      return Verdict.REPEAT;
    }
    origin.last = sequence;
    return Verdict.GAP;
  }

  /** The origin closed cleanly: forget it. */
  void forget(String origin) {
    origins.remove(origin);
  }

  /**
   * Marks as silent every origin not heard for {@code timeoutNanos} (counting from {@code
   * aliveSinceNanos} at the earliest, when this node's own subscription came back) and returns how
   * many became silent now. An origin is reported once per silence; hearing it again re-arms it.
   * Origins silent for longer than {@code expiryNanos} are forgotten.
   */
  int markSilent(long nowNanos, long timeoutNanos, long aliveSinceNanos, long expiryNanos) {
    int newlySilent = 0;
    for (Iterator<Origin> it = origins.values().iterator(); it.hasNext(); ) {
      Origin origin = it.next();
      long quietFor = nowNanos - origin.heardNanos;
      if (quietFor > expiryNanos) {
        it.remove();
      } else if (!origin.silent && nowNanos - Math.max(origin.heardNanos, aliveSinceNanos) > timeoutNanos) {
        origin.silent = true;
        newlySilent++;
      }
    }
    return newlySilent;
  }

  /** Forgets origins not heard for {@code expiryNanos}. */
  void expire(long nowNanos, long expiryNanos) {
    origins.values().removeIf(origin -> nowNanos - origin.heardNanos > expiryNanos);
  }

  /** How many origins are known. */
  int size() {
    return origins.size();
  }

  /** The last number seen from {@code origin}, or -1 if unknown. For tests. */
  long last(String origin) {
    Origin o = origins.get(origin);
    return o == null ? -1 : o.last;
  }
}
