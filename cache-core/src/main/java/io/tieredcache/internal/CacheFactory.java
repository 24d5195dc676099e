package io.tieredcache.internal;

import io.tieredcache.TieredCache;
import io.tieredcache.trace.AccessRecorder;

/** Creates the cache behind {@link io.tieredcache.TieredCacheBuilder}; settings are checked already. */
public final class CacheFactory {

  private CacheFactory() {}

  /** A new cache with these settings; it subscribes to the bus and creates its remote tier now. */
  public static <K, V> TieredCache<K, V> create(CacheSettings<K, V> settings) {
    return new DefaultTieredCache<>(settings, null);
  }

  /** As {@link #create(CacheSettings)}, recording accesses with {@code recorder} (may be null: off). */
  public static <K, V> TieredCache<K, V> create(CacheSettings<K, V> settings, AccessRecorder recorder) {
    return new DefaultTieredCache<>(settings, recorder);
  }
}
