package io.tieredcache.internal;

import io.tieredcache.CacheLoadException;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;

/**
 * Calls the application's loaders, times and counts them, and turns what they throw into what the
 * caller gets: a {@link CacheLoadException} carrying any {@link RuntimeException} (a
 * {@link NullPointerException} included), an {@link Error} as it is (as Caffeine does).
 */
final class Loaders {

  /** Loads the values of some keys; a key left out (or mapped to null) has no value. */
  interface Loader<K, V> {
    Map<K, V> load(Set<K> keys);
  }

  private final String cacheName;
  private final Stats stats;

  Loaders(String cacheName, Stats stats) {
    this.cacheName = cacheName;
    this.stats = stats;
  }

  /** A loader that calls {@code loader} once per key. */
  <K, V> Loader<K, V> single(Function<? super K, ? extends V> loader) {
    return keys -> {
      Map<K, V> values = new HashMap<>(keys.size() * 2);
      for (K key : keys) {
        values.put(key, call(() -> loader.apply(key)));
      }
      return values;
    };
  }

  /** A loader that makes one call of {@code bulkLoader} for all keys. */
  <K, V> Loader<K, V> bulk(Function<? super Set<? extends K>, ? extends Map<? extends K, ? extends V>> bulkLoader) {
    return keys -> {
      Map<? extends K, ? extends V> loaded = call(() -> bulkLoader.apply(Collections.unmodifiableSet(new LinkedHashSet<>(keys))));
      if (loaded == null) {
        stats.loadSuccesses.decrement();
        stats.loadFailures.increment();
        throw new NullPointerException("the bulk loader of cache '" + cacheName + "' returned null; "
            + "return an empty map when no key has a value");
      }
      Map<K, V> values = new HashMap<>(keys.size() * 2);
      for (K key : keys) {
        values.put(key, loaded.get(key));
      }
      return values;
    };
  }

  /** One key's loader adapted from a bulk loader, for refreshes of a single key. */
  <K, V> Function<K, V> oneKeyOf(Function<? super Set<? extends K>, ? extends Map<? extends K, ? extends V>> bulkLoader) {
    return key -> {
      Map<? extends K, ? extends V> loaded = bulkLoader.apply(Set.of(key));
      if (loaded == null) {
        throw new NullPointerException("the bulk loader of cache '" + cacheName + "' returned null");
      }
      return loaded.get(key);
    };
  }

  private <T> T call(java.util.function.Supplier<T> loader) {
    long started = System.nanoTime();
    try {
      T value = loader.get();
      stats.loadSuccesses.increment();
      return value;
    } catch (RuntimeException | Error e) {
      stats.loadFailures.increment();
      throw e;
    } finally {
      stats.loadNanos.add(System.nanoTime() - started);
    }
  }

  /** What the callers of a failed load of {@code key} get: an {@link Error} as is, else a {@link CacheLoadException}. */
  Throwable failure(Object key, Throwable cause) {
    if (cause instanceof Error || cause instanceof CacheLoadException) {
      return cause;
    }
    return new CacheLoadException(cacheName, key, cause);
  }
}
