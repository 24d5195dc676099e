package io.tieredcache.internal;

import com.github.benmanes.caffeine.cache.Expiry;

/** Keeps each L1 entry until its own deadline and flags soft/hard expiry as it is read. */
final class EntryExpiry<K, V> implements Expiry<K, L1Entry<V>> {

  @Override
  public long expireAfterCreate(K key, L1Entry<V> entry, long currentTime) {
    return Math.max(0, entry.retainUntil - currentTime);
  }

  @Override
  public long expireAfterUpdate(K key, L1Entry<V> entry, long currentTime, long currentDuration) {
    return Math.max(0, entry.retainUntil - currentTime);
  }

  @Override
  public long expireAfterRead(K key, L1Entry<V> entry, long currentTime, long currentDuration) {
    entry.onRead(currentTime);
    return currentDuration;
  }
}
