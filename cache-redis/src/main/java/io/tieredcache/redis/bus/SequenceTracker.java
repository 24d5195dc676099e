package io.tieredcache.redis.bus;

import java.util.HashMap;
import java.util.Iterator;
import java.util.Map;

/**
 * The last sequence number seen from every other node, to notice messages that never arrived.
 *
 * <p>A numbered message ({@code KEYS}, {@code ALL}) must carry the last number plus one; a control
 * message ({@code HEARTBEAT}, {@code HELLO}, {@code BYE}) carries the origin's latest number, which
 * must equal the last one seen. Anything higher skips numbers, and what that means depends on the
 * {@code lastFailed} number the message carries (the highest of the origin's numbers whose publish
 * failed or may have failed):
 *
 * <ul>
 *   <li>if a skipped number may have failed, the origin may have changed data that this node was
 *       never told about, at any time: a {@link Verdict#GAP};
 *   <li>otherwise Redis accepted every skipped number, so this node missed them only because it was
 *       not listening. If this node has been deaf since it last heard the origin (its listeners were
 *       told {@code onDeaf}, which covers everything published meanwhile), that is {@link
 *       Verdict#MISSED_WHILE_DEAF}; if it has not, something dropped them unnoticed: a {@link
 *       Verdict#GAP} to be safe.
 * </ul>
 *
 * <p>The first message of an origin (or of a new incarnation of it) is compared the same way
 * against nothing: a {@link Verdict#FIRST} when none of the numbers before it failed (they were
 * published before this node listened, or while it was deaf), a {@link Verdict#GAP} otherwise. So a
 * loss just after a node started, or just after this node subscribed, is noticed.
 *
 * <p>Also remembers when each origin was last heard, for the per-origin silence check. Not
 * thread-safe: the bus uses it from its dispatch thread only. Times are {@link System#nanoTime()}
 * values supplied by the caller; {@code deafSpells} is how many times this node has been deaf so far.
 */
final class SequenceTracker {

  /** What one observation means. */
  enum Verdict {
    /** The origin (or this incarnation of it) was unknown, and none of its earlier numbers failed. */
    FIRST,
    /** As expected: nothing was lost. */
    IN_ORDER,
    /** A number already seen (a resent or late message): nothing was lost. */
    REPEAT,
    /** Numbers were skipped, all published while this node was deaf: already covered. */
    MISSED_WHILE_DEAF,
    /** Numbers were skipped that this node may never have been told about: a loss. */
    GAP
  }

  private static final class Origin {
    final long incarnation;
    long last;
    long heardNanos;
    long deafSpells;
    boolean silent;

    Origin(long incarnation, long last, long heardNanos, long deafSpells) {
      this.incarnation = incarnation;
      this.last = last;
      this.heardNanos = heardNanos;
      this.deafSpells = deafSpells;
    }
  }

  private final Map<String, Origin> origins = new HashMap<>();

  /** A message that carries its own number. */
  Verdict numbered(String origin, long incarnation, long sequence, long lastFailed,
      long deafSpells, long nowNanos) {
    return observe(origin, incarnation, sequence, lastFailed, deafSpells, nowNanos, 1);
  }

  /** A heartbeat, hello or bye that carries the origin's latest number. */
  Verdict latest(String origin, long incarnation, long latestSequence, long lastFailed,
      long deafSpells, long nowNanos) {
    return observe(origin, incarnation, latestSequence, lastFailed, deafSpells, nowNanos, 0);
  }

  private Verdict observe(String name, long incarnation, long sequence, long lastFailed,
      long deafSpells, long now, int step) {
    Origin origin = origins.get(name);
    if (origin == null || origin.incarnation != incarnation) {
      // numbers 1 .. sequence - step were never seen here; lastFailed lies among them if positive
      origins.put(name, new Origin(incarnation, sequence, now, deafSpells));
      return lastFailed > 0 ? Verdict.GAP : Verdict.FIRST;
    }
    origin.heardNanos = now;
    origin.silent = false;
    long expected = origin.last + step;
    if (sequence < expected) {
      return Verdict.REPEAT;
    }
    boolean skipped = sequence > expected;
    boolean failedAmongSkipped = lastFailed > origin.last;
    boolean deafSinceLastHeard = origin.deafSpells != deafSpells;
    origin.last = sequence;
    origin.deafSpells = deafSpells;
    if (!skipped) {
      return Verdict.IN_ORDER;
    }
    return !failedAmongSkipped && deafSinceLastHeard ? Verdict.MISSED_WHILE_DEAF : Verdict.GAP;
  }

  /** The origin closed cleanly (after its bye was compared): forget it. */
  void forget(String origin) {
    origins.remove(origin);
  }

  /**
   * Marks as silent every origin not heard for {@code timeoutNanos} (counting from {@code
   * aliveSinceNanos} at the earliest, when this node itself heard again) and returns how many became
   * silent now. An origin is reported once per silence; hearing it again re-arms it. Origins silent
   * for longer than {@code expiryNanos} are forgotten.
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
