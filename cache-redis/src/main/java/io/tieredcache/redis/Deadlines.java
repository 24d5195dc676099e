package io.tieredcache.redis;

import java.util.Iterator;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

/**
 * The time limits of the Redis calls in flight, enforced by one daemon thread that looks at them
 * every {@value #TICK_MILLIS} ms while any is watched, and sleeps otherwise. Watching a call costs
 * one lock-free queue insert; a scheduled task per call (what {@code CompletableFuture.orTimeout}
 * does) costs a locked heap insert and removal plus its objects on every call, which on an L2 hit
 * was a visible part of the tier's own overhead. A limit is enforced at most about a tick late;
 * callers wait a full second beyond it, so the difference is never seen as a hang.
 */
final class Deadlines {

  static final long TICK_MILLIS = 2;

  /** A call with a time limit. */
  interface Limited {
    /** Whether it has ended (then it is forgotten). */
    boolean isDone();

    /** Its deadline, in {@code System.nanoTime()} units. */
    long deadlineNanos();

    /** Ends it as timed out; called at most once, on the watching thread. */
    void expire();
  }

  private static final ConcurrentLinkedQueue<Limited> WATCHED = new ConcurrentLinkedQueue<>();
  private static volatile boolean idle;
  private static final Thread WATCHER = start();

  private Deadlines() {}

  /** Watches {@code call} until it is done or its deadline passes. */
  static void watch(Limited call) {
    WATCHED.offer(call);
    if (idle) {
      idle = false;
      LockSupport.unpark(WATCHER);
    }
  }

  private static Thread start() {
    Thread thread = new Thread(Deadlines::run, "tiered-cache-redis-deadlines");
    thread.setDaemon(true);
    thread.start();
    return thread;
  }

  private static void run() {
    long tick = TimeUnit.MILLISECONDS.toNanos(TICK_MILLIS);
    while (true) {
      if (WATCHED.isEmpty()) {
        idle = true;
        // A call watched after this check finds idle set and wakes this thread.
        if (WATCHED.isEmpty()) {
          LockSupport.park();
        }
        idle = false;
        continue;
      }
      LockSupport.parkNanos(tick);
      sweep(System.nanoTime());
    }
  }

  private static void sweep(long now) {
    for (Iterator<Limited> it = WATCHED.iterator(); it.hasNext(); ) {
      Limited call = it.next();
      if (call.isDone()) {
        it.remove();
      } else if (now - call.deadlineNanos() >= 0) {
        it.remove();
        try {
          call.expire();
        } catch (RuntimeException e) {
          System.getLogger(RedisTier.class.getName()).log(System.Logger.Level.WARNING,
              "expiring a timed-out Redis call failed", e);
        }
      }
    }
  }
}
