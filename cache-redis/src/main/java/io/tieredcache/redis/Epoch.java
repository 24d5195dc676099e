package io.tieredcache.redis;

import static java.nio.charset.StandardCharsets.US_ASCII;

import io.lettuce.core.ScriptOutputType;
import io.tieredcache.spi.TierEvents;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

/**
 * What one tier knows of its cache's epoch: the number in every value and lease key, moved by
 * {@code invalidateAll} ({@code INCR} of one key, O(1) whatever the size of the store).
 *
 * <p>Other nodes learn a move from the bus ({@link #advance}); a node that may have missed it
 * re-reads the epoch ({@link #resync}); and every tier checks it on its own every
 * {@code checkInterval}, so a move is learnt within that bound even with no bus at all. The check
 * also raises a counter that went backwards (Redis lost its data) to the highest epoch any node
 * knew, so that nodes never split across two epochs for longer than one interval.
 */
final class Epoch {

  /** Raises the counter to ARGV[1] if it is lower (or missing); returns the counter. One key. */
  private static final Script RAISE = Script.of(
      "local e = tonumber(redis.call('GET', KEYS[1]) or '0') "
      + "local mine = tonumber(ARGV[1]) "
      + "if e < mine then redis.call('SET', KEYS[1], ARGV[1]) return mine end "
      + "return e");

  private final byte[] key;
  private final RedisCalls calls;
  private final TierEvents events;
  private final Object lock = new Object();
  private volatile long current;
  private volatile boolean known;
  /** The read in flight or last made while the epoch is not known; guarded by {@code lock}. */
  private CompletableFuture<Long> reading;
  private final ScheduledFuture<?> check;

  Epoch(byte[] key, RedisCalls calls, TierEvents events, Duration checkInterval) {
    this.key = key;
    this.calls = calls;
    this.events = events;
    synchronized (lock) {
      this.reading = read();
    }
    long period = Math.max(1, checkInterval.toMillis());
    this.check = Timer.scheduleAtFixedRate(this::check, period, period, TimeUnit.MILLISECONDS);
  }

  /** The epoch, now if known, else once it has been read; fails if it cannot be read. */
  CompletableFuture<Long> get() {
    if (known) {
      return CompletableFuture.completedFuture(current);
    }
    synchronized (lock) {
      if (known) {
        return CompletableFuture.completedFuture(current);
      }
      if (reading == null || reading.isCompletedExceptionally()) {
        reading = read();
      }
      return reading;
    }
  }

  /** The epoch if known, else {@code -1}. */
  long knownOrMinusOne() {
    return known ? current : -1;
  }

  /** Another node moved the epoch (or this one did): use {@code epoch} from now on if it is newer. */
  void advance(long epoch) {
    synchronized (lock) {
      if (epoch > current) {
        current = epoch;
      }
    }
  }

  /** Moves the epoch for every node; completes with the new one. */
  CompletableFuture<Long> increment() {
    return calls.call(batch -> batch.add(batch.redis().incr(key))).whenComplete((epoch, failure) -> {
      if (failure == null) {
        advance(epoch);
      } else {
        calls.report(failure);
      }
    });
  }

  /**
   * Forgets the epoch until it has been read again; completes with whether it had moved meanwhile
   * ({@code false} if it cannot be read now: the next {@link #get()} or check reads again).
   */
  CompletableFuture<Boolean> resync() {
    long before;
    CompletableFuture<Long> pending;
    synchronized (lock) {
      before = current;
      known = false;
      if (reading == null || reading.isDone()) {
        reading = read();
      }
      pending = reading;
    }
    return pending.handle((epoch, failure) -> failure == null && epoch != before);
  }

  /**
   * Reads the epoch from Redis now, whatever this node knows, and learns it if it moved; completes
   * with the larger of the two, or fails if it cannot be read.
   */
  CompletableFuture<Long> readNow() {
    // Does not mark the epoch known: a read begun before a resync must not end that resync.
    return fetch(false);
  }

  void close() {
    check.cancel(false);
  }

  /** Reads the epoch; when the read succeeds, it is known. Called with {@code lock} held. */
  private CompletableFuture<Long> read() {
    return fetch(true);
  }

  /** GETs the epoch and learns it if it moved; {@code markKnown}: a successful read makes it known. */
  private CompletableFuture<Long> fetch(boolean markKnown) {
    return calls.call(batch -> batch.add(batch.redis().get(key)), (bytes, failure) -> {
      if (failure != null) {
        calls.report(failure);
        throw new java.util.concurrent.CompletionException(failure);
      }
      long epoch = bytes == null ? 0 : Long.parseLong(new String(bytes, US_ASCII));
      synchronized (lock) {
        current = Math.max(current, epoch);
        if (markKnown) {
          known = true;
        }
        return current;
      }
    });
  }

  /** The periodic check: learn a move this node did not hear of; repair a counter that went back. */
  private void check() {
    if (calls.isClosed()) {
      return;
    }
    if (!known) {
      get(); // read again if the last read failed
      return;
    }
    long mine = current;
    byte[] arg = Long.toString(mine).getBytes(US_ASCII);
    calls.<Long>call(batch -> RedisCalls.script(batch, RAISE, ScriptOutputType.INTEGER, new byte[][] {key}, arg))
        .whenComplete((epoch, failure) -> {
          if (failure != null) {
            calls.report(failure);
            return;
          }
          boolean moved;
          synchronized (lock) {
            moved = epoch > current;
            if (moved) {
              current = epoch;
            }
          }
          if (moved) {
            try {
              events.epochMoved();
            } catch (RuntimeException ignored) {
              // The core's listener does not throw; a broken one must not stop the checks.
            }
          }
        });
  }
}
