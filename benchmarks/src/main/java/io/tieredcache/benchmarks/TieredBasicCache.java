package io.tieredcache.benchmarks;

import io.tieredcache.CacheStats;
import io.tieredcache.TieredCache;
import io.tieredcache.TieredCacheBuilder;
import java.util.Collection;
import java.util.function.Function;

/**
 * A {@link TieredCache} read through {@link TieredCache#get(Object, Function)}, as an
 * application reads it. The cache is filled by loads, so the only loads expected are the fills.
 */
final class TieredBasicCache<K, V> implements BasicCache<K, V> {

  private final TieredCache<K, V> cache;
  private final Function<K, V> loader;
  private V nextLoaded;
  private long fills;

  /**
   * @param builder a configured builder; this class supplies the loader
   */
  TieredBasicCache(TieredCacheBuilder<Object, Object> builder) {
    this.loader = this::load;
    this.cache = builder.build(loader);
  }

  private V load(K key) {
    if (nextLoaded == null) {
      throw new IllegalStateException("unexpected load of key " + key + " during a hit benchmark");
    }
    V value = nextLoaded;
    nextLoaded = null;
    return value;
  }

  @Override
  public V get(K key) {
    return cache.get(key, loader);
  }

  /** Fills through the read path (a miss and a load), as an application's cache is filled. */
  @Override
  public void put(K key, V value) {
    nextLoaded = value;
    V read = cache.get(key, loader);
    if (read != value || nextLoaded != null) {
      throw new IllegalStateException("key " + key + " was not loaded into an empty cache");
    }
    fills++;
  }

  @Override
  public void verifyOnlyHits(Collection<? extends K> populated) {
    CacheStats stats = cache.stats();
    if (stats.loadCount() != fills || stats.l1Misses() != fills || stats.evictions() != 0) {
      throw new IllegalStateException("TieredCache: expected " + fills + " loads and misses (the fills) "
          + "and no evictions, but " + stats);
    }
  }

  @Override
  public void close() {
    cache.close();
  }
}
