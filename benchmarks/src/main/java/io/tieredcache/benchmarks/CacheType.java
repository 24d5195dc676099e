package io.tieredcache.benchmarks;

import com.github.benmanes.caffeine.cache.Expiry;
import io.tieredcache.TieredCacheBuilder;
import java.time.Duration;

/**
 * The caches a benchmark compares, as a JMH {@code @Param}. Every type gets the same bound and the
 * same time to live, so that differences come from the read path alone.
 */
public enum CacheType {

  /** Raw Caffeine with {@code expireAfterWrite}, read with {@code getIfPresent}: the baseline. */
  Caffeine {
    @Override
    public <K, V> BasicCache<K, V> create(long maximumSize, Duration ttl) {
      return new CaffeineBasicCache<>(com.github.benmanes.caffeine.cache.Caffeine.newBuilder()
          .maximumSize(maximumSize)
          .expireAfterWrite(ttl));
    }
  },

  /**
   * Raw Caffeine with the same TTL given per entry ({@code expireAfter}), the kind of expiry the L1
   * of a {@link io.tieredcache.TieredCache} uses: separates Caffeine's cost of per-entry expiry
   * from the cost of our own read path.
   */
  CaffeineVariableExpiry {
    @Override
    public <K, V> BasicCache<K, V> create(long maximumSize, Duration ttl) {
      return new CaffeineBasicCache<>(com.github.benmanes.caffeine.cache.Caffeine.newBuilder()
          .maximumSize(maximumSize)
          .expireAfter(Expiry.writing((Object key, Object value) -> ttl)));
    }
  },

  /** An {@link io.tieredcache.TieredCache} with L1 only and a fixed TTL (no jitter): like for like with Caffeine. */
  TieredCache {
    @Override
    public <K, V> BasicCache<K, V> create(long maximumSize, Duration ttl) {
      return new TieredBasicCache<>(builder(maximumSize, ttl).jitter(0));
    }
  },

  /** As a user gets it: only the bound and the TTL set, everything else default (TTL jitter on). */
  TieredCacheDefaults {
    @Override
    public <K, V> BasicCache<K, V> create(long maximumSize, Duration ttl) {
      return new TieredBasicCache<>(builder(maximumSize, ttl));
    }
  },

  /**
   * With a soft TTL ({@code refreshAfterWrite}) at half the hard TTL: the cost of having
   * stale-while-revalidate configured, on hits that are not yet due for a refresh.
   */
  TieredCacheRefresh {
    @Override
    public <K, V> BasicCache<K, V> create(long maximumSize, Duration ttl) {
      return new TieredBasicCache<>(builder(maximumSize, ttl).refreshAfterWrite(ttl.dividedBy(2)));
    }
  };

  /** Creates an empty cache of this type bounded to {@code maximumSize}, with a hard TTL of {@code ttl}. */
  public abstract <K, V> BasicCache<K, V> create(long maximumSize, Duration ttl);

  private static TieredCacheBuilder<Object, Object> builder(long maximumSize, Duration ttl) {
    return io.tieredcache.TieredCache.builder("bench").maximumSize(maximumSize).expireAfterWrite(ttl);
  }
}
