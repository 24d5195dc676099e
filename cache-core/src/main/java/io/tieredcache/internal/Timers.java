package io.tieredcache.internal;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The few threads the core keeps for itself, shared by every cache in the JVM: one timer (short
 * delays, rescue checks; never runs anything that blocks) and a small rescue pool that drives loads
 * the application's executor dropped or refused, so that no caller waits forever on such a load.
 */
final class Timers {

  private static final ScheduledThreadPoolExecutor TIMER = new ScheduledThreadPoolExecutor(1, daemon("tiered-cache-timer"));
  private static final ThreadPoolExecutor RESCUE = new ThreadPoolExecutor(
      4, 4, 30, TimeUnit.SECONDS, new LinkedBlockingQueue<>(), daemon("tiered-cache-rescue"));

  static {
    TIMER.setRemoveOnCancelPolicy(true);
    RESCUE.allowCoreThreadTimeOut(true);
  }

  private Timers() {}

  /** A future completed (on the timer thread) after {@code nanos}. */
  static CompletableFuture<Void> after(long nanos) {
    var done = new CompletableFuture<Void>();
    TIMER.schedule(() -> done.complete(null), Math.max(0, nanos), TimeUnit.NANOSECONDS);
    return done;
  }

  /** Runs {@code task} on the timer thread after {@code nanos}; the task must not block. */
  static void schedule(Runnable task, long nanos) {
    TIMER.schedule(task, Math.max(0, nanos), TimeUnit.NANOSECONDS);
  }

  /** Runs {@code task} on a rescue thread. */
  static void rescue(Runnable task) {
    RESCUE.execute(task);
  }

  private static ThreadFactory daemon(String name) {
    AtomicInteger count = new AtomicInteger();
    return runnable -> {
      Thread thread = new Thread(runnable, name + "-" + count.incrementAndGet());
      thread.setDaemon(true);
      return thread;
    };
  }
}
