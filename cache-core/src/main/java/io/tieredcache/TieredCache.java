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
 * <p>Null keys are rejected with a {@link NullPointerException}. A loader failure reaches the
 * caller as a {@link CacheLoadException} unless a stale copy within the stale-if-error window is
 * served. Remote-tier failures never reach the caller: they are counted and treated as misses.
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
   * Returns the value for {@code key}, loading it with {@code loader} on a miss in every tier.
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
   * Returns the values for {@code keys}: one L1 pass, one remote batch lookup for the rest, then
   * one call of {@code bulkLoader} for what is still missing. Keys the bulk loader leaves out of
   * its result are cached as absent and left out of the returned map. Loads already in flight for
   * some of the keys are shared, not repeated.
   *
   * @return an unmodifiable map of the keys that have a value, in the iteration order of {@code keys}
   * @throws NullPointerException if {@code keys} or any key is null, or the bulk loader returns null
   * @throws CacheLoadException if the bulk loader threw and a key has no stale copy to serve
   */
  Map<K, V> getAll(Iterable<? extends K> keys, Function<? super Set<? extends K>, ? extends Map<? extends K, ? extends V>> bulkLoader);

  /** {@link #get(Object, Function)} without blocking: the load runs on the cache's executor. */
  CompletableFuture<V> getAsync(K key, Function<? super K, ? extends V> loader);

  /** {@link #get(Object)} without blocking. */
  CompletableFuture<V> getAsync(K key);

  /** {@link #getAll(Iterable, Function)} without blocking. */
  CompletableFuture<Map<K, V>> getAllAsync(
      Iterable<? extends K> keys, Function<? super Set<? extends K>, ? extends Map<? extends K, ? extends V>> bulkLoader);

  /**
   * Stores {@code value} in every tier and tells the other nodes to drop their copy. A load of the
   * same key in flight does not overwrite it.
   */
  void put(K key, V value);

  /** {@link #put} for many entries, with one remote round trip and one message. */
  void putAll(Map<? extends K, ? extends V> entries);

  /** Removes {@code key} from every tier and from every node's L1; a load in flight loses. */
  void invalidate(K key);

  /** {@link #invalidate} for many keys, with one remote round trip and one message. */
  void invalidateAll(Iterable<? extends K> keys);

  /** Removes every key of this cache from every tier and every node's L1. */
  void invalidateAll();

  /** A snapshot of the counters. */
  CacheStats stats();

  /** Reads and adjusts how the tiers are set up. */
  Policy<K, V> policy();

  /** Stops background work and unsubscribes from the bus; resources the caller handed in stay open. */
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

    /**
     * A part of the remote tier exposed for monitoring, e.g. its Resilience4j
     * {@code CircuitBreaker}; empty without a remote tier or if it has no such part.
     */
    <T> Optional<T> remoteTierComponent(Class<T> type);

    /** Drops every L1 entry of this node only (no remote call, no message). */
    void flushL1();
  }
}
