package io.tieredcache;

import java.util.Map;

/**
 * An immutable snapshot of one cache's counters since it was built. Counters only grow, except
 * {@code repairsPending}, which is a current level.
 *
 * @param l1Hits lookups answered by L1 (values and absent markers)
 * @param l1Misses lookups that L1 could not answer
 * @param l2Hits L1 misses answered by the remote tier
 * @param l2Misses L1 misses the remote tier could not answer (including absorbed errors)
 * @param l2Puts entries the remote tier stored (writes and fills; not those it skipped, e.g. too big)
 * @param loadSuccesses loader calls (single or bulk) that returned
 * @param loadFailures loader calls that threw
 * @param totalLoadTimeNanos time spent in the loader, successes and failures
 * @param puts entries installed in L1 by {@code put} or by a load
 * @param evictions L1 entries removed for size or expiry
 * @param refreshes background refreshes started after the soft TTL
 * @param staleServes stale values served because the loader failed (stale-if-error)
 * @param fencedFills loaded values not installed because an invalidation or write won
 * @param invalidationsReceived invalidations applied from other nodes (keys, or one per "all")
 * @param lossFlushes whole-L1 flushes because the bus lost messages (a gap, a trimmed stream)
 * @param busOutages times the bus could not hear other nodes (disconnected or silent); meanwhile
 *     L1 entries are served within {@code staleWhileDisconnected} and reloaded in the background
 * @param revalidations background reloads of entries this node could no longer vouch for
 * @param repairsPending keys whose last write may not have reached the remote tier and that wait
 *     to be deleted there (plus one while the whole cache waits for such a repair)
 * @param repairsAbandoned such keys given up when the cache was closed before the remote tier
 *     answered again: the remote tier may keep an older value for them until its TTL
 * @param remoteErrors remote failures absorbed, by {@link io.tieredcache.spi.RemoteErrorKind} tag
 */
public record CacheStats(
    long l1Hits,
    long l1Misses,
    long l2Hits,
    long l2Misses,
    long l2Puts,
    long loadSuccesses,
    long loadFailures,
    long totalLoadTimeNanos,
    long puts,
    long evictions,
    long refreshes,
    long staleServes,
    long fencedFills,
    long invalidationsReceived,
    long lossFlushes,
    long busOutages,
    long revalidations,
    long repairsPending,
    long repairsAbandoned,
    Map<String, Long> remoteErrors) {

  public CacheStats {
    remoteErrors = Map.copyOf(remoteErrors);
  }

  /** All remote errors, whatever their kind. */
  public long remoteErrorCount() {
    return remoteErrors.values().stream().mapToLong(Long::longValue).sum();
  }

  /** Loader calls, successful or not. */
  public long loadCount() {
    return loadSuccesses + loadFailures;
  }

  /** The share of lookups answered by any tier, {@code 1.0} when there were none. */
  public double hitRate() {
    long requests = l1Hits + l1Misses;
    return requests == 0 ? 1.0 : (double) (l1Hits + l2Hits) / requests;
  }
}
