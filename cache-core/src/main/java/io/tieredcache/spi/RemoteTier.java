package io.tieredcache.spi;

import java.util.Collection;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;

/**
 * A shared tier behind the in-process L1 (Redis in {@code cache-redis}), one instance per cache.
 *
 * <p>Every call is asynchronous and must complete within the tier's own time limit. A tier is a
 * cache, not the source of truth: it reports each failure it absorbs through
 * {@link TierContext#events()}, then
 * <ul>
 *   <li>a read ({@link #get}, {@link #getAll}, {@link #acquireLeases}) completes normally with a
 *       {@link RemoteEntry#miss() miss} (or {@link Lease#none()});
 *   <li>a write ({@link #putAll}, {@link #invalidate}, {@link #invalidateAll}, {@link #fill})
 *       that was not applied completes exceptionally, so the core knows the tier may now hold a
 *       value older than the truth: it keeps such keys aside, never trusts the tier for them, and
 *       deletes them (and tells the other nodes) once the tier answers again. The core does not
 *       count these failures a second time, and never passes them to the caller, except an
 *       {@link IllegalArgumentException} from {@link #putAll}: a value that cannot be encoded.
 * </ul>
 *
 * <p>Writes by the application ({@link #putAll}, {@link #invalidate}, {@link #invalidateAll}) void
 * any outstanding {@link Lease}s on their keys, so a slow load that began before the write can no
 * longer {@link #fill} its older value.
 *
 * @param <K> key type
 * @param <V> value type
 */
public interface RemoteTier<K, V> extends AutoCloseable {

  /** Looks one key up; completes with {@link RemoteEntry#miss()} when the key is not stored. */
  CompletableFuture<RemoteEntry<V>> get(K key);

  /**
   * Looks many keys up in one round trip (MGET or a pipeline, never one trip per key). Keys that
   * are not stored may be left out of the map or mapped to {@link RemoteEntry#miss()}.
   */
  CompletableFuture<Map<K, RemoteEntry<V>>> getAll(Collection<? extends K> keys);

  /**
   * Writes entries unconditionally (an application {@code put}), in one round trip, each with its
   * own {@link RemoteEntry#ttlMillis() TTL}. Voids outstanding leases on these keys.
   */
  CompletableFuture<Void> putAll(Map<? extends K, RemoteEntry<V>> entries);

  /** Deletes keys and voids outstanding leases on them, in one round trip. */
  CompletableFuture<Void> invalidate(Collection<? extends K> keys);

  /** Deletes every key of this cache (and no other cache's). */
  CompletableFuture<Void> invalidateAll();

  /**
   * Tries to take a short fill lease on each key: one loader per key across all nodes. The default
   * (a tier without leases) answers {@link Lease#none()} for every key, which lets the caller load
   * and {@link #fill} unconditionally.
   */
  default CompletableFuture<Map<K, Lease>> acquireLeases(Collection<? extends K> keys) {
    var leases = new java.util.HashMap<K, Lease>();
    for (K key : keys) {
      leases.put(key, Lease.none());
    }
    return CompletableFuture.completedFuture(leases);
  }

  /**
   * Stores loaded values, each only while its lease is still valid (a compare-and-set), and
   * releases the leases. Completes with the keys whose value was stored; a key left out lost its
   * lease to a write or an invalidation, so its value may be stale and must not be installed
   * anywhere. An entry with {@link Lease#none()} is written unconditionally. A
   * {@link RemoteEntry#miss() miss} entry stores nothing and only releases its lease (the load
   * failed, or produced an absent value that is not cached), so other nodes stop waiting.
   */
  default CompletableFuture<Set<K>> fill(Map<K, LeasedEntry<V>> fills) {
    var entries = new java.util.HashMap<K, RemoteEntry<V>>();
    fills.forEach((key, fill) -> {
      if (fill.entry().isHit()) {
        entries.put(key, fill.entry());
      }
    });
    return putAll(entries).thenApply(ignored -> entries.keySet());
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
