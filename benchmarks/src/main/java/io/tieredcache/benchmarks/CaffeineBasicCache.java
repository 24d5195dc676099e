package io.tieredcache.benchmarks;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import java.util.Collection;

/** Raw Caffeine: the baseline the L1 of a {@code TieredCache} is measured against. */
final class CaffeineBasicCache<K, V> implements BasicCache<K, V> {

  private final Cache<K, V> cache;

  /**
   * @param builder a configured builder
   */
  CaffeineBasicCache(Caffeine<Object, Object> builder) {
    this.cache = builder.build();
  }

  @Override
  public V get(K key) {
    return cache.getIfPresent(key);
  }

  @Override
  public void put(K key, V value) {
    cache.put(key, value);
  }

  @Override
  public void cleanUp() {
    cache.cleanUp();
  }

  /** Nothing re-adds an entry during a read-only run, so all present at the end means all hit. */
  @Override
  public void verifyOnlyHits(Collection<? extends K> populated) {
    long absent = populated.stream().filter(key -> cache.getIfPresent(key) == null).count();
    if (absent > 0) {
      throw new IllegalStateException(
          "Caffeine: " + absent + " of " + populated.size() + " keys were evicted or expired");
    }
  }
}
