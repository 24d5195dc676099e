package io.tieredcache.internal;

import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Keys whose application write may not have reached the remote tier, so the tier may still hold
 * an older value for them. Until they are repaired the cache does not read them from the tier; a
 * background task deletes them there (and announces them to the other nodes) once the tier answers
 * again. Past {@link #MAX_KEYS} keys it gives up on the list and repairs the whole cache (an O(1)
 * {@code invalidateAll} of the tier).
 *
 * <p>Every failure is stamped: a key that fails again while a repair of it is running keeps its
 * newer stamp, so that repair's success does not forget it.
 */
final class RemoteRepair<K> {

  static final int MAX_KEYS = 100_000;
  static final long RETRY_MILLIS = 500;

  private static final ScheduledExecutorService SCHEDULER = Executors.newSingleThreadScheduledExecutor(task -> {
    Thread thread = new Thread(task, "tiered-cache-repair");
    thread.setDaemon(true);
    return thread;
  });

  /** Repairs one batch. */
  interface Attempt<K> {
    /** Deletes these keys remotely (and announces them); returns those still not repaired. */
    Set<K> keys(List<K> keys);

    /** Invalidates the whole cache remotely (and announces it); returns whether it was applied. */
    boolean everything();
  }

  private final ConcurrentHashMap<K, Long> keys = new ConcurrentHashMap<>();
  private final AtomicLong stamps = new AtomicLong();
  private final AtomicLong everythingRequests = new AtomicLong();
  private final AtomicBoolean scheduled = new AtomicBoolean();
  private final Object running = new Object();
  private final Attempt<K> attempt;
  private volatile boolean closed;

  RemoteRepair(Attempt<K> attempt) {
    this.attempt = attempt;
  }

  /** Marks keys as possibly stale in the remote tier. */
  void add(Collection<K> failed) {
    if (failed.isEmpty()) {
      return;
    }
    if (keys.size() + failed.size() > MAX_KEYS) {
      addEverything();
      return;
    }
    for (K key : failed) {
      keys.put(key, stamps.incrementAndGet());
    }
    schedule();
  }

  /** Marks the whole cache as possibly stale in the remote tier. */
  void addEverything() {
    everythingRequests.incrementAndGet();
    schedule();
  }

  /** Whether the remote tier must not be trusted for {@code key} now. */
  boolean covers(K key) {
    return everythingRequests.get() != 0 || (!keys.isEmpty() && keys.containsKey(key));
  }

  /** Keys waiting for repair, plus one while the whole cache does. */
  long pending() {
    return keys.size() + (everythingRequests.get() != 0 ? 1 : 0);
  }

  boolean isEmpty() {
    return everythingRequests.get() == 0 && keys.isEmpty();
  }

  /**
   * Stops scheduling and tries what is pending now, repeatedly, for at most {@code boundNanos};
   * returns what is still pending afterwards (given up).
   */
  long closeAndDrain(long boundNanos) {
    closed = true;
    long deadline = System.nanoTime() + boundNanos;
    while (!isEmpty() && System.nanoTime() < deadline) {
      runOnce();
      if (!isEmpty()) {
        try {
          Thread.sleep(Math.min(50, Math.max(1, TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime()))));
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          break;
        }
      }
    }
    return pending();
  }

  private void schedule() {
    if (!closed && scheduled.compareAndSet(false, true)) {
      SCHEDULER.schedule(this::run, RETRY_MILLIS, TimeUnit.MILLISECONDS);
    }
  }

  private void run() {
    scheduled.set(false);
    try {
      runOnce();
    } finally {
      if (!isEmpty()) {
        schedule();
      }
    }
  }

  private void runOnce() {
    synchronized (running) {
      long wholeCache = everythingRequests.get();
      if (wholeCache != 0) {
        Map<K, Long> snapshot = new HashMap<>(keys);
        if (attempt.everything()) {
          everythingRequests.compareAndSet(wholeCache, 0);
          snapshot.forEach(keys::remove); // only those not failed again since
        }
      } else if (!keys.isEmpty()) {
        Map<K, Long> snapshot = new HashMap<>(keys);
        Set<K> stillFailing = attempt.keys(List.copyOf(snapshot.keySet()));
        snapshot.forEach((key, stamp) -> {
          if (!stillFailing.contains(key)) {
            keys.remove(key, stamp);
          }
        });
      }
    }
  }
}
