package io.tieredcache.internal;

import java.util.Collection;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Keys whose application write did not reach the remote tier, so the tier may still hold an older
 * value for them. Until they are repaired the cache does not read them from the tier; a
 * background task deletes them there (and announces them to the other nodes) once the tier
 * answers again. Past {@link #MAX_KEYS} keys it gives up on the list and repairs the whole cache.
 */
final class RemoteRepair<K> {

  static final int MAX_KEYS = 100_000;
  static final long RETRY_MILLIS = 500;

  private static final ScheduledExecutorService SCHEDULER = Executors.newSingleThreadScheduledExecutor(task -> {
    Thread thread = new Thread(task, "tiered-cache-repair");
    thread.setDaemon(true);
    return thread;
  });

  /** Repairs one batch: returns whether the tier applied it. */
  interface Attempt<K> {
    boolean keys(List<K> keys);

    boolean everything();
  }

  private final Set<K> keys = ConcurrentHashMap.newKeySet();
  private final AtomicLong everythingRequests = new AtomicLong();
  private final AtomicBoolean scheduled = new AtomicBoolean();
  private final Attempt<K> attempt;
  private volatile boolean closed;

  RemoteRepair(Attempt<K> attempt) {
    this.attempt = attempt;
  }

  /** Marks keys (or, with {@code null}, the whole cache) as possibly stale in the remote tier. */
  void add(Collection<K> failed) {
    if (failed == null || keys.size() + failed.size() > MAX_KEYS) {
      everythingRequests.incrementAndGet();
    } else {
      keys.addAll(failed);
    }
    schedule();
  }

  /** Whether the remote tier must not be trusted for {@code key} now. */
  boolean covers(K key) {
    return everythingRequests.get() != 0 || (!keys.isEmpty() && keys.contains(key));
  }

  boolean isEmpty() {
    return everythingRequests.get() == 0 && keys.isEmpty();
  }

  void close() {
    closed = true;
  }

  private void schedule() {
    if (!closed && scheduled.compareAndSet(false, true)) {
      SCHEDULER.schedule(this::run, RETRY_MILLIS, TimeUnit.MILLISECONDS);
    }
  }

  private void run() {
    scheduled.set(false);
    try {
      long wholeCache = everythingRequests.get();
      if (wholeCache != 0) {
        List<K> pending = List.copyOf(keys);
        if (attempt.everything()) {
          everythingRequests.compareAndSet(wholeCache, 0);
          keys.removeAll(pending);
        }
      } else if (!keys.isEmpty()) {
        List<K> pending = List.copyOf(keys);
        if (attempt.keys(pending)) {
          keys.removeAll(pending);
        }
      }
    } finally {
      if (!isEmpty()) {
        schedule();
      }
    }
  }
}
