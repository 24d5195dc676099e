package io.tieredcache.internal;

import io.tieredcache.CacheStats;
import io.tieredcache.spi.RemoteErrorKind;
import io.tieredcache.spi.TierEvents;
import java.lang.System.Logger.Level;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;

/** The counters of one cache, and the rate-limited log of absorbed remote errors. */
final class Stats implements TierEvents {

  private static final System.Logger LOG = System.getLogger("io.tieredcache.TieredCache");
  private static final long LOG_INTERVAL_NANOS = TimeUnit.SECONDS.toNanos(10);

  private final String cacheName;
  final LongAdder l1Hits = new LongAdder();
  final LongAdder l1Misses = new LongAdder();
  final LongAdder l2Hits = new LongAdder();
  final LongAdder l2Misses = new LongAdder();
  final LongAdder l2Puts = new LongAdder();
  final LongAdder loadSuccesses = new LongAdder();
  final LongAdder loadFailures = new LongAdder();
  final LongAdder loadNanos = new LongAdder();
  final LongAdder puts = new LongAdder();
  final LongAdder evictions = new LongAdder();
  final LongAdder refreshes = new LongAdder();
  final LongAdder staleServes = new LongAdder();
  final LongAdder fencedFills = new LongAdder();
  final LongAdder invalidationsReceived = new LongAdder();
  final LongAdder lossFlushes = new LongAdder();
  final LongAdder busOutages = new LongAdder();
  final LongAdder revalidations = new LongAdder();
  final LongAdder repairsAbandoned = new LongAdder();
  private final Map<RemoteErrorKind, LongAdder> remoteErrors = new EnumMap<>(RemoteErrorKind.class);
  private final Map<RemoteErrorKind, AtomicLong> lastLogged = new EnumMap<>(RemoteErrorKind.class);
  private final Map<RemoteErrorKind, LongAdder> unlogged = new EnumMap<>(RemoteErrorKind.class);

  Stats(String cacheName) {
    this.cacheName = cacheName;
    for (RemoteErrorKind kind : RemoteErrorKind.values()) {
      remoteErrors.put(kind, new LongAdder());
      lastLogged.put(kind, new AtomicLong(System.nanoTime() - LOG_INTERVAL_NANOS));
      unlogged.put(kind, new LongAdder());
    }
  }

  /** Counts the error, and logs at most one line per kind every ten seconds. */
  @Override
  public void remoteError(RemoteErrorKind kind, Throwable cause) {
    remoteErrors.get(kind).increment();
    unlogged.get(kind).increment();
    AtomicLong last = lastLogged.get(kind);
    long now = System.nanoTime();
    long previous = last.get();
    if (now - previous >= LOG_INTERVAL_NANOS && last.compareAndSet(previous, now)) {
      long count = unlogged.get(kind).sumThenReset();
      LOG.log(Level.WARNING, "cache ''{0}'': remote tier {1} ({2} since the last report); served "
          + "from L1 and the loader instead. Last cause: {3}", cacheName, kind.tagValue(), count, cause);
    }
  }

  CacheStats snapshot(long repairsPending) {
    Map<String, Long> errors = new HashMap<>();
    remoteErrors.forEach((kind, adder) -> errors.put(kind.tagValue(), adder.sum()));
    return new CacheStats(
        l1Hits.sum(), l1Misses.sum(), l2Hits.sum(), l2Misses.sum(), l2Puts.sum(),
        loadSuccesses.sum(), loadFailures.sum(), loadNanos.sum(), puts.sum(), evictions.sum(),
        refreshes.sum(), staleServes.sum(), fencedFills.sum(), invalidationsReceived.sum(),
        lossFlushes.sum(), busOutages.sum(), revalidations.sum(), repairsPending,
        repairsAbandoned.sum(), errors);
  }
}
