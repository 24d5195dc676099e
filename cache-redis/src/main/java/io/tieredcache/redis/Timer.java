package io.tieredcache.redis;

import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;

/**
 * One daemon thread that starts the Redis tiers' periodic work (epoch checks, lease renewals).
 * Its tasks only issue asynchronous calls and never block, so one thread serves every tier.
 */
final class Timer {

  private static final ScheduledExecutorService TIMER = create();

  private Timer() {}

  static ScheduledFuture<?> scheduleAtFixedRate(Runnable task, long initialDelay, long period, TimeUnit unit) {
    return TIMER.scheduleAtFixedRate(() -> {
      try {
        task.run();
      } catch (RuntimeException e) {
        // A failing run must not cancel the next ones (scheduleAtFixedRate stops on a throw).
        System.getLogger(RedisTier.class.getName()).log(System.Logger.Level.DEBUG, "periodic task failed", e);
      }
    }, initialDelay, period, unit);
  }

  private static ScheduledExecutorService create() {
    var executor = new ScheduledThreadPoolExecutor(1, runnable -> {
      Thread thread = new Thread(runnable, "tiered-cache-redis-timer");
      thread.setDaemon(true);
      return thread;
    });
    executor.setRemoveOnCancelPolicy(true);
    return Executors.unconfigurableScheduledExecutorService(executor);
  }
}
