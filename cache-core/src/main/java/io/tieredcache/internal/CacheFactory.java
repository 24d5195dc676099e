package io.tieredcache.internal;

import io.tieredcache.TieredCache;

/** Creates the cache behind {@link io.tieredcache.TieredCacheBuilder}; settings are checked already. */
public final class CacheFactory {

  private CacheFactory() {}

  /** A new cache with these settings; it subscribes to the bus and creates its remote tier now. */
  public static <K, V> TieredCache<K, V> create(CacheSettings<K, V> settings) {
    return new DefaultTieredCache<>(settings);
  }
}
