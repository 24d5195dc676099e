package io.tieredcache.spi;

import java.time.Duration;
import java.util.Collection;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;

/**
 * A shared tier behind the in-process L1 (Redis in {@code cache-redis}), one instance per cache.
 *
 * <h2>Contract</h2>
 * <ul>
 *   <li>Every call is asynchronous, never blocks its caller, and completes within
 *       {@link #maxCallDuration(int)} for its number of keys. A tier is a cache, not the source of
 *       truth: it reports every failure it absorbs through {@link TierContext#events()} exactly
 *       once and never completes a future exceptionally, except for a caller's bug (a null key, a
 *       key the codec cannot encode).
 *   <li>Reads answer {@link RemoteEntry#unavailable()} (or {@link Lease#unknown()},
 *       {@link PendingFill#unknown()}) when the tier could not be asked. Entries read may be
 *       {@linkplain RemoteEntry#deferred deferred}: their bytes are decoded by the core's thread,
 *       never by an I/O thread.
 *   <li>Writes answer key by key ({@link WriteResult}, {@link FillOutcome}); a key whose outcome is
 *       unknown is reported as such, and the core repairs it later.
 *   <li>Application writes ({@link #putAll}, {@link #invalidate}, {@link #invalidateAll}) void
 *       outstanding {@link Lease}s on their keys, so a slow load that began before the write can
 *       no longer {@link #fill} its older value.
 *   <li>A tier that splits large batches gives each part its own time limit, so a batch that the
 *       remote side completes is never reported as failed because of its size.
 * </ul>
 *
 * <h2>Epochs</h2>
 * {@link #invalidateAll()} retires every key in O(1) by moving the tier to a new <em>epoch</em>, an
 * increasing number that is part of every stored key and lease; entries of older epochs are never
 * read again and expire by their TTL. The core publishes the new epoch to the other nodes, which
 * {@link #advanceEpoch switch} at once; a node that may have missed such a message
 * {@link #resync re-reads} the epoch. A tier without epochs answers {@code 0} and ignores both.
 *
 * @param <K> key type
 * @param <V> value type
 */
public interface RemoteTier<K, V> extends AutoCloseable {

  /** Looks one key up. */
  CompletableFuture<RemoteEntry<V>> get(K key);

  /**
   * Looks many keys up in as few round trips as possible (never one trip per key). Every key is in
   * the result: a hit, {@link RemoteEntry#miss()} or {@link RemoteEntry#unavailable()}.
   */
  CompletableFuture<Map<K, RemoteEntry<V>>> getAll(Collection<? extends K> keys);

  /**
   * Writes entries unconditionally (an application {@code put}), each with its own
   * {@link RemoteEntry#ttlMillis() TTL}, and voids outstanding leases on these keys. A value the
   * tier cannot encode is {@linkplain WriteResult#refused() refused} and its key deleted.
   */
  CompletableFuture<WriteResult<K>> putAll(Map<? extends K, RemoteEntry<V>> entries);

  /** Deletes keys and voids outstanding leases on them. */
  CompletableFuture<WriteResult<K>> invalidate(Collection<? extends K> keys);

  /**
   * Retires every key of this cache (and no other cache's) in O(1), whatever the size of the
   * store, and voids every outstanding lease of this cache. Completes with the new epoch, or
   * exceptionally if it is unknown whether the change was applied.
   */
  CompletableFuture<Long> invalidateAll();

  /**
   * Another node retired everything up to {@code epoch}: use it from now on (an older epoch than
   * the current one is ignored). Called on the bus's thread; must not block.
   */
  default void advanceEpoch(long epoch) {}

  /**
   * This node may have missed invalidations: stop trusting what it knows of the epoch until it has
   * been read again (meanwhile reads answer unavailable and fills store nothing). Completes with
   * {@code true} if the epoch had moved, i.e. another node invalidated everything meanwhile.
   */
  default CompletableFuture<Boolean> resync() {
    return CompletableFuture.completedFuture(false);
  }

  /**
   * Tries to take a fill lease on each key: one loader per key across all nodes. A tier without
   * leases answers {@link Lease#none()} for every key.
   */
  default CompletableFuture<Map<K, Lease>> acquireLeases(Collection<? extends K> keys) {
    var leases = new HashMap<K, Lease>();
    for (K key : keys) {
      leases.put(key, Lease.none());
    }
    return CompletableFuture.completedFuture(leases);
  }

  /**
   * For keys whose lease another node holds: whether it has filled them, is still loading, or gave
   * up (released its lease or let it lapse without a value), in one round trip.
   */
  default CompletableFuture<Map<K, PendingFill<V>>> pollFills(Collection<? extends K> keys) {
    return getAll(keys).thenApply(found -> {
      Map<K, PendingFill<V>> result = new HashMap<>();
      found.forEach((key, entry) -> result.put(key, entry.isHit() ? PendingFill.filled(entry)
          : entry.isUnavailable() ? PendingFill.unknown() : PendingFill.loading()));
      return result;
    });
  }

  /**
   * Stores loaded values, each only while its lease is still valid (a compare-and-set), and
   * releases the leases; an entry with {@link Lease#none()} is stored unconditionally. While this
   * node loads, the tier keeps its acquired leases alive, so a slow load is not fenced by the
   * lease's own expiry. A {@link RemoteEntry#miss() miss} entry stores nothing and only releases
   * its lease, so other nodes stop waiting at once. Entries with {@link Lease#heldElsewhere()} or
   * {@link Lease#unknown()} are never stored.
   */
  default CompletableFuture<Map<K, FillOutcome>> fill(Map<K, LeasedEntry<V>> fills) {
    var entries = new HashMap<K, RemoteEntry<V>>();
    var outcomes = new HashMap<K, FillOutcome>();
    fills.forEach((key, fill) -> {
      if (fill.lease().state() == Lease.State.NONE && fill.entry().isHit()) {
        entries.put(key, fill.entry());
      } else {
        outcomes.put(key, fill.entry().isHit() ? FillOutcome.FENCED : FillOutcome.RELEASED);
      }
    });
    return putAll(entries).thenApply(result -> {
      entries.keySet().forEach(key -> outcomes.put(key,
          result.unapplied().contains(key) ? FillOutcome.UNKNOWN
              : result.refused().containsKey(key) || result.skipped().contains(key) ? FillOutcome.SKIPPED
              : FillOutcome.STORED));
      return outcomes;
    });
  }

  /**
   * The longest a call over {@code keyCount} keys may take before the tier itself gives up; the
   * core never waits much longer. Default: 10 s.
   */
  default Duration maxCallDuration(int keyCount) {
    return Duration.ofSeconds(10);
  }

  /**
   * A part of this tier exposed for monitoring only, e.g. its Resilience4j {@code CircuitBreaker};
   * empty by default. Never a way to write around the cache.
   */
  default <T> Optional<T> component(Class<T> type) {
    return Optional.empty();
  }

  /** Releases what this tier holds; resources the caller handed in stay open. */
  @Override
  default void close() {}

  /** A value to fill together with the lease under which it was loaded. */
  record LeasedEntry<V>(Lease lease, RemoteEntry<V> entry) {
    public LeasedEntry {
      java.util.Objects.requireNonNull(lease, "lease");
      java.util.Objects.requireNonNull(entry, "entry");
    }
  }
}
