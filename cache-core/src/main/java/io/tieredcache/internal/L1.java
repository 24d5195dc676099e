package io.tieredcache.internal;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import com.github.benmanes.caffeine.cache.RemovalCause;
import com.github.benmanes.caffeine.cache.Ticker;
import java.util.concurrent.TimeUnit;

/**
 * This node's in-process tier: a Caffeine cache of {@link L1Entry}s; absent when the cache was
 * built with {@code maximumSize(0)}.
 *
 * <p>Caffeine runs its cheapest time policy, a fixed {@code expireAfterWrite} of the longest any
 * entry may be kept (hard or absent TTL, plus the stale-if-error window), so a hit calls no expiry
 * callback and reorders no timer wheel. Each entry's own deadlines (jittered, soft, absent) are
 * checked by the read path against the same clock; an entry past them is no longer served, and
 * Caffeine drops it at the latest at the fixed age.
 */
final class L1<K, V> {

  private final Cache<K, L1Entry<V>> cache;

  L1(CacheSettings<K, V> settings, Ticker ticker, Runnable onEviction) {
    if (settings.maximumSize() == 0) {
      this.cache = null;
      return;
    }
    CaffeineHitPrimer.primeOnce();
    Caffeine<Object, Object> builder = Caffeine.newBuilder()
        .maximumSize(settings.maximumSize())
        .ticker(ticker);
    long retain = longestRetentionNanos(settings);
    if (retain < Long.MAX_VALUE) {
      builder.expireAfterWrite(retain, TimeUnit.NANOSECONDS);
    }
    this.cache = builder
        .evictionListener((K key, L1Entry<V> entry, RemovalCause cause) -> onEviction.run())
        .build();
  }

  /** The longest any entry may be kept: its hard or absent TTL, plus the stale-if-error window. */
  static long longestRetentionNanos(CacheSettings<?, ?> settings) {
    long ttl = Math.max(Durations.saturatedNanos(settings.expireAfterWrite()),
        Durations.saturatedNanos(settings.absentTtl()));
    return Durations.saturatedAdd(ttl, Durations.saturatedNanos(settings.staleIfError()));
  }

  /**
   * The Caffeine cache itself, or {@code null} when L1 is off: the hot path reads it directly, one
   * call level less, so the JIT inlines all of a hit into the caller.
   */
  Cache<K, L1Entry<V>> caffeine() {
    return cache;
  }

  boolean isEnabled() {
    return cache != null;
  }

  /** The entry for {@code key}, or null; counts as a read for Caffeine's frequency sketch. */
  L1Entry<V> get(K key) {
    return cache == null ? null : cache.getIfPresent(key);
  }

  /** The entry without touching Caffeine's policy or the entry's read flags. */
  L1Entry<V> peek(K key) {
    return cache == null ? null : cache.asMap().get(key);
  }

  void put(K key, L1Entry<V> entry) {
    if (cache != null) {
      cache.put(key, entry);
    }
  }

  /** Removes {@code entry} if it is still the one held for {@code key}. */
  void remove(K key, L1Entry<V> entry) {
    if (cache != null) {
      cache.asMap().remove(key, entry);
    }
  }

  void invalidate(K key) {
    if (cache != null) {
      cache.invalidate(key);
    }
  }

  void invalidateAll() {
    if (cache != null) {
      cache.invalidateAll();
    }
  }

  /** Marks every entry as unverified since {@code since} (or since its load, if later). */
  void markUnverified(long since) {
    if (cache != null) {
      for (L1Entry<V> entry : cache.asMap().values()) {
        entry.markUnverified(since);
      }
    }
  }

  /** Clears the unverified mark of entries whose doubt began at or after {@code episodeStart}. */
  void clearUnverified(long episodeStart) {
    if (cache != null) {
      for (L1Entry<V> entry : cache.asMap().values()) {
        entry.clearUnverified(episodeStart);
      }
    }
  }

  long estimatedSize() {
    return cache == null ? 0 : cache.estimatedSize();
  }
}
