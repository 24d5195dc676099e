package io.tieredcache.spring;

import io.tieredcache.CacheLoadException;
import io.tieredcache.TieredCache;
import java.util.Collection;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.Executor;
import java.util.concurrent.ForkJoinPool;
import java.util.function.Function;
import java.util.function.Supplier;
import org.springframework.cache.support.AbstractValueAdaptingCache;
import org.springframework.cache.support.NullValue;

/**
 * A Spring {@link org.springframework.cache.Cache} over one {@link TieredCache}: L1 in this JVM,
 * Redis shared by all nodes, and the annotated method as the loader.
 *
 * <p>How Spring's operations map:
 * <ul>
 *   <li>{@code get(key)} / {@code get(key, Class)} (plain {@code @Cacheable}): L1, then Redis; no
 *       loader. A Redis hit is returned but not put into L1 (only a load may fill L1 safely);
 *       {@code sync = true} takes the full read path below.
 *   <li>{@code get(key, Callable)} ({@code @Cacheable(sync = true)}): the core's read path: L1,
 *       Redis, then one load per key across all nodes (a lease in Redis), soft TTL refreshes,
 *       stale-if-error. A failure reaches the caller as a {@link ValueRetrievalException} with the
 *       method's exception as its cause. A {@code null} result is cached for the absent TTL.
 *   <li>{@code retrieve(key)} and {@code retrieve(key, Supplier)} ({@code CompletableFuture},
 *       {@code Mono} and {@code Flux} methods): the same, without blocking the calling thread; the
 *       lookup in Redis completes the future. With a supplier, one load per key; the supplier's
 *       future is awaited on the cache's executor.
 *   <li>{@code put}, {@code evict}: write-through to Redis and every node's L1, immediately.
 *       {@code putIfAbsent}: stores the value only if no tier holds one, with the core's one load
 *       per key (so two nodes racing agree on one value, unless one waits past the lease wait);
 *       returns the existing value otherwise.
 *   <li>{@code clear()} and {@code invalidate()}: the core's {@code invalidateAll()}, O(1) whatever
 *       the size of Redis, reaching every node's L1.
 * </ul>
 * Keys become stable strings (see {@code SpringCacheKeys}): a key type that cannot be encoded
 * stably fails its first call with an {@link IllegalArgumentException}. A {@code null} value is
 * stored as Spring's {@link NullValue} when {@code allowNullValues} is on, and refused otherwise.
 */
public final class TieredSpringCache extends AbstractValueAdaptingCache {

  private final String name;
  private final TieredCache<String, Object> cache;
  private final Executor executor;

  /**
   * Wraps {@code cache}, whose values must be what this class stores ({@link NullValue} included);
   * {@link TieredCacheManager} makes these. Answers of {@code retrieve(key)} that come from Redis
   * continue on the common pool.
   */
  public TieredSpringCache(String name, TieredCache<String, Object> cache, boolean allowNullValues) {
    this(name, cache, allowNullValues, ForkJoinPool.commonPool());
  }

  /**
   * As {@link #TieredSpringCache(String, TieredCache, boolean)}, with answers of
   * {@code retrieve(key)} that come from Redis continuing on {@code executor}, never on a Redis
   * client's I/O thread (Spring then runs the rest of the caller's pipeline there).
   */
  public TieredSpringCache(String name, TieredCache<String, Object> cache, boolean allowNullValues, Executor executor) {
    super(allowNullValues);
    this.name = Objects.requireNonNull(name, "name");
    this.cache = Objects.requireNonNull(cache, "cache");
    this.executor = Objects.requireNonNull(executor, "executor");
  }

  @Override
  public String getName() {
    return name;
  }

  /** The {@link TieredCache} behind this cache, keyed by the encoded key strings. */
  @Override
  public TieredCache<String, Object> getNativeCache() {
    return cache;
  }

  private String key(Object key) {
    return SpringCacheKeys.encode(name, Objects.requireNonNull(key, "key"));
  }

  @Override
  protected Object lookup(Object key) {
    return cache.getIfPresent(key(key));
  }

  @Override
  @SuppressWarnings("unchecked")
  public <T> T get(Object key, Callable<T> valueLoader) {
    Objects.requireNonNull(valueLoader, "valueLoader");
    Function<String, Object> loader = encoded -> {
      Object loaded;
      try {
        loaded = valueLoader.call();
      } catch (Exception e) {
        throw new ValueRetrievalException(key, valueLoader, e);
      }
      return storeLoaded(loaded);
    };
    try {
      return (T) fromStoreValue(cache.get(key(key), loader));
    } catch (CacheLoadException e) {
      if (e.getCause() instanceof ValueRetrievalException retrieval) {
        throw retrieval;
      }
      throw new ValueRetrievalException(key, valueLoader, e.getCause() != null ? e.getCause() : e);
    }
  }

  /** What the core stores for a loaded value: {@code null} is cached as absent (for the absent TTL). */
  private Object storeLoaded(Object loaded) {
    if (loaded == null) {
      if (!isAllowNullValues()) {
        throw new IllegalArgumentException("cache '" + name + "' is configured to not allow null values but null was provided");
      }
      return null;
    }
    return loaded;
  }

  @Override
  public CompletableFuture<?> retrieve(Object key) {
    CompletableFuture<Object> lookup = cache.getIfPresentAsync(key(key));
    Function<Object, Object> answer = stored -> {
      if (stored == null) {
        return null;
      }
      return isAllowNullValues() ? toValueWrapper(stored) : fromStoreValue(stored);
    };
    return lookup.isDone() ? lookup.thenApply(answer) : lookup.thenApplyAsync(answer, executor);
  }

  @Override
  @SuppressWarnings("unchecked")
  public <T> CompletableFuture<T> retrieve(Object key, Supplier<CompletableFuture<T>> valueLoader) {
    Objects.requireNonNull(valueLoader, "valueLoader");
    Function<String, Object> loader = encoded -> {
      CompletableFuture<T> future = Objects.requireNonNull(valueLoader.get(), "the value loader returned no future");
      return storeLoaded(future.join());
    };
    return cache.getAsync(key(key), loader).handle((stored, failure) -> {
      if (failure != null) {
        Throwable cause = failure instanceof CompletionException && failure.getCause() != null ? failure.getCause() : failure;
        if (cause instanceof CacheLoadException && cause.getCause() != null) {
          cause = cause.getCause();
        }
        if (cause instanceof CompletionException && cause.getCause() != null) {
          cause = cause.getCause();
        }
        throw cause instanceof RuntimeException runtime ? runtime : new CompletionException(cause);
      }
      return (T) fromStoreValue(stored);
    });
  }

  /**
   * The values of many keys at once, sharing entries with the single-key operations (the same key
   * is the same entry): one L1 pass, one Redis round trip for the rest, then one call of
   * {@code bulkLoader} with the keys still missing, e.g. one {@code WHERE id = ANY(?)} query
   * instead of one query per key. Keys the loader leaves out are cached as absent and left out of
   * the result; a {@code null} value it returns is cached as one if {@code allowNullValues} is on.
   *
   * @return the keys that have a value, in the order of {@code keys}
   * @throws ValueRetrievalException if the bulk loader threw
   */
  @SuppressWarnings("unchecked")
  public <K, V> Map<K, V> getAll(Collection<? extends K> keys,
      Function<? super Set<K>, ? extends Map<? extends K, ? extends V>> bulkLoader) {
    Objects.requireNonNull(bulkLoader, "bulkLoader");
    Map<String, K> byEncoded = new LinkedHashMap<>();
    for (K key : keys) {
      byEncoded.put(key(key), key);
    }
    Map<String, Object> found;
    try {
      found = cache.getAll(byEncoded.keySet(), missing -> {
        Set<K> wanted = new LinkedHashSet<>();
        for (String encoded : missing) {
          wanted.add(byEncoded.get(encoded));
        }
        Map<String, Object> loaded = new HashMap<>();
        bulkLoader.apply(wanted).forEach((key, value) -> {
          if (value != null || isAllowNullValues()) {
            loaded.put(key(key), toStoreValue(value));
          }
        });
        return loaded;
      });
    } catch (CacheLoadException e) {
      throw new ValueRetrievalException(keys, null, e.getCause() != null ? e.getCause() : e);
    }
    Map<K, V> result = new LinkedHashMap<>();
    found.forEach((encoded, stored) -> result.put(byEncoded.get(encoded), (V) fromStoreValue(stored)));
    return result;
  }

  @Override
  public void put(Object key, Object value) {
    cache.put(key(key), toStoreValue(value));
  }

  @Override
  public ValueWrapper putIfAbsent(Object key, Object value) {
    Object storeValue = toStoreValue(value);
    boolean[] stored = {false};
    Object current = cache.get(key(key), encoded -> {
      stored[0] = true;
      return storeValue;
    });
    return stored[0] ? null : toValueWrapper(current);
  }

  @Override
  public void evict(Object key) {
    cache.invalidate(key(key));
  }

  @Override
  public boolean evictIfPresent(Object key) {
    String encoded = key(key);
    boolean present = cache.policy().getIfPresentInL1(encoded) != null;
    cache.invalidate(encoded);
    return present;
  }

  @Override
  public void clear() {
    cache.invalidateAll();
  }

  @Override
  public boolean invalidate() {
    boolean hadEntries = cache.policy().l1EstimatedSize() > 0;
    cache.invalidateAll();
    return hadEntries;
  }

  @Override
  public String toString() {
    return "TieredSpringCache[" + name + "]";
  }
}
