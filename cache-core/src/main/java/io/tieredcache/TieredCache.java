package io.tieredcache;

import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.function.Function;

/**
 * A cache with an in-process L1 (Caffeine), an optional shared remote tier (Redis) and a loader
 * behind them. Build one with {@link #builder(String)}.
 *
 * <p>Reads go L1 → remote tier → loader, with one load per key per JVM in flight (and, with a
 * remote tier that supports leases, one per key across all nodes). A loader that returns
 * {@code null} means "no value": that is cached as absent for the shorter absent TTL, and the
 * read returns {@code null}. Writes and invalidations go to the remote tier first, then to L1,
 * then to other nodes through the invalidation bus; an invalidation always wins over a load that
 * was in flight when it happened.
 *
 * <h2>What a caller gets when something goes wrong</h2>
 * <ul>
 *   <li>A null key, keys collection or loader: {@link NullPointerException} naming the argument,
 *       on every call (hits included).
 *   <li>A loader (or bulk loader) that throws a {@link RuntimeException}, any kind, a
 *       {@link NullPointerException} included, or a bulk loader that returns {@code null}: a
 *       {@link CacheLoadException} with that exception as its cause, unless a stale copy may be
 *       served (the entry a failed refresh replaces, within its hard TTL, or one within the
 *       stale-if-error window). A failed load is never cached. An {@link Error} is rethrown as it
 *       is, as Caffeine does.
 *   <li>A loader that asks the cache for the very key it is loading (directly or through other
 *       keys on the same thread): {@link IllegalStateException} inside the loader, so the outer
 *       call fails with a {@link CacheLoadException} instead of waiting for itself forever.
 *   <li>A value the remote tier cannot store (it cannot be encoded): {@link CacheWriteException}
 *       from {@code put}/{@code putAll}, after the rest of the batch was written and the failed
 *       keys were invalidated everywhere.
 *   <li>Remote-tier failures never reach the caller: they are counted, treated as misses, and a
 *       write whose outcome is unknown is repaired later.
 *   <li>Any call but {@link #stats()}, {@link #policy()} and {@link #close()} after {@code close()}:
 *       {@link IllegalStateException}.
 * </ul>
 *
 * @param <K> key type
 * @param <V> value type
 */
public interface TieredCache<K, V> extends AutoCloseable {

  /** Starts building a cache called {@code name} (used in remote keys, metrics and messages). */
  static TieredCacheBuilder<Object, Object> builder(String name) {
    return new TieredCacheBuilder<>(name);
  }

  /** This cache's name. */
  String name();

  /**
   * Returns the value for {@code key}, loading it with {@code loader} on a miss in every tier. The
   * loader runs on the calling thread.
   *
   * @return the value, or {@code null} if the loader said there is none
   * @throws CacheLoadException if the loader threw and no stale copy could be served
   */
  V get(K key, Function<? super K, ? extends V> loader);

  /**
   * Returns the value for {@code key}, loading it with the loader given to
   * {@link TieredCacheBuilder#build(Function)}.
   *
   * @throws IllegalStateException if the cache was built without a loader
   */
  V get(K key);

  /**
   * Returns the value for {@code key} from L1 or the remote tier, without calling any loader.
   *
   * @return the value, or {@code null} if no tier has one (or the key is cached as absent)
   */
  V getIfPresent(K key);

  /**
   * {@link #getIfPresent} without blocking: an L1 hit completes at once; otherwise the remote
   * lookup completes the future, and no thread waits for it. No loader is called. A remote tier
   * that fails or is too slow is a miss ({@code null}), as in {@link #getIfPresent}.
   */
  CompletableFuture<V> getIfPresentAsync(K key);

  /**
   * Returns the values for {@code keys}: one L1 pass, one remote batch lookup for the rest, then
   * one call of {@code bulkLoader} for what is still missing. Keys the bulk loader leaves out of
   * its result are cached as absent and left out of the returned map. Loads already in flight for
   * some of the keys are shared, not repeated.
   *
   * @return an unmodifiable map of the keys that have a value, in the iteration order of {@code keys}
   * @throws NullPointerException if {@code keys} or any key is null
   * @throws CacheLoadException if the bulk loader threw (or returned null) and a key has no stale
   *     copy to serve
   */
  Map<K, V> getAll(Iterable<? extends K> keys, Function<? super Set<? extends K>, ? extends Map<? extends K, ? extends V>> bulkLoader);

  /**
   * {@link #get(Object, Function)} without blocking: remote calls never hold a thread, and the
   * loader runs on the cache's executor.
   */
  CompletableFuture<V> getAsync(K key, Function<? super K, ? extends V> loader);

  /** {@link #get(Object)} without blocking. */
  CompletableFuture<V> getAsync(K key);

  /** {@link #getAll(Iterable, Function)} without blocking. */
  CompletableFuture<Map<K, V>> getAllAsync(
      Iterable<? extends K> keys, Function<? super Set<? extends K>, ? extends Map<? extends K, ? extends V>> bulkLoader);

  /**
   * Stores {@code value} in every tier and tells the other nodes to drop their copy. A load of the
   * same key in flight does not overwrite it.
   *
   * @throws CacheWriteException if the remote tier cannot store the value (it was invalidated
   *     everywhere instead)
   */
  void put(K key, V value);

  /**
   * {@link #put} for many entries, with one remote batch and one message. If some values cannot be
   * stored, the others are written and announced as usual, the failed keys are invalidated
   * everywhere, and a {@link CacheWriteException} names them.
   */
  void putAll(Map<? extends K, ? extends V> entries);

  /** Removes {@code key} from every tier and from every node's L1; a load in flight loses. */
  void invalidate(K key);

  /** {@link #invalidate} for many keys, with one remote round trip and one message. */
  void invalidateAll(Iterable<? extends K> keys);

  /**
   * Removes every key of this cache from every tier and every node's L1, in O(1) whatever the size
   * of the remote store: the remote tier moves to a new epoch (older keys are never read again and
   * expire by their TTL), and loads in flight anywhere can no longer install or fill their values.
   */
  void invalidateAll();

  /** A snapshot of the counters. */
  CacheStats stats();

  /** Reads and adjusts how the tiers are set up. */
  Policy<K, V> policy();

  /**
   * Stops this cache: tries briefly to repair writes that did not reach the remote tier (what it
   * cannot repair is logged and counted in {@link CacheStats#repairsAbandoned()}), unsubscribes
   * from the bus and closes the remote tier; resources the caller handed in (a Redis client, the
   * bus, the executor) stay open.
   */
  @Override
  void close();

  /**
   * The tiers' set-up, for inspection and tests.
   *
   * @param <K> key type
   * @param <V> value type
   */
  interface Policy<K, V> {

    /** The L1's approximate number of entries (values, absent markers and stale copies). */
    long l1EstimatedSize();

    /** The L1's bound on entries; {@code 0} means there is no L1. */
    long l1MaximumSize();

    /** How long an L1 entry lives at most: the staleness bound of last resort. */
    Duration l1ExpireAfterWrite();

    /** How long the remote tier keeps a value. */
    Duration remoteExpireAfterWrite();

    /** How long an absent marker lives; {@link Duration#ZERO} when absent values are not cached. */
    Duration absentTtl();

    /** The staleness bound while this node cannot hear other nodes' invalidations. */
    Duration staleWhileDisconnected();

    /**
     * The value this node's L1 holds for {@code key} and would serve now, or {@code null} (not
     * there, expired, cached as absent, or unverified past its bound): no loader, no remote call,
     * no counters, no refresh. For operators and tests.
     */
    V getIfPresentInL1(K key);

    /**
     * A part of the remote tier exposed for monitoring, e.g. its Resilience4j
     * {@code CircuitBreaker}; empty without a remote tier or if it has no such part.
     */
    <T> Optional<T> remoteTierComponent(Class<T> type);

    /** Drops every L1 entry of this node only (no remote call, no message). */
    void flushL1();
  }
}
