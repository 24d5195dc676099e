package io.tieredcache.internal;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import com.github.benmanes.caffeine.cache.RemovalCause;

/**
 * This node's in-process tier: a Caffeine cache of {@link L1Entry}s, each kept until its own
 * deadline; absent when the cache was built with {@code maximumSize(0)}.
 */
final class L1<K, V> {

  private final Cache<K, L1Entry<V>> cache;

  L1(CacheSettings<K, V> settings, Runnable onEviction) {
    this.cache = settings.maximumSize() == 0 ? null : Caffeine.newBuilder()
        .maximumSize(settings.maximumSize())
        .expireAfter(new EntryExpiry<K, V>())
        .ticker(settings.ticker())
        .evictionListener((K key, L1Entry<V> entry, RemovalCause cause) -> onEviction.run())
        .build();
  }

  boolean isEnabled() {
    return cache != null;
  }

  /** The entry for {@code key}, or null; counts as a read for Caffeine (expiry flags, frequency). */
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
