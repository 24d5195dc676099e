package io.tieredcache.internal;

import io.tieredcache.CacheStats;
import io.tieredcache.TieredCache;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.function.Function;

/** Placeholder while the engine is written. */
public final class DefaultTieredCache<K, V> implements TieredCache<K, V> {
  private final CacheSettings<K, V> settings;

  public DefaultTieredCache(CacheSettings<K, V> settings) {
    this.settings = settings;
  }

  @Override public String name() { return settings.name(); }
  @Override public V get(K key, Function<? super K, ? extends V> loader) { throw new UnsupportedOperationException(); }
  @Override public V get(K key) { throw new UnsupportedOperationException(); }
  @Override public V getIfPresent(K key) { throw new UnsupportedOperationException(); }
  @Override public Map<K, V> getAll(Iterable<? extends K> keys, Function<? super Set<? extends K>, ? extends Map<? extends K, ? extends V>> bulkLoader) { throw new UnsupportedOperationException(); }
  @Override public CompletableFuture<V> getAsync(K key, Function<? super K, ? extends V> loader) { throw new UnsupportedOperationException(); }
  @Override public CompletableFuture<V> getAsync(K key) { throw new UnsupportedOperationException(); }
  @Override public CompletableFuture<Map<K, V>> getAllAsync(Iterable<? extends K> keys, Function<? super Set<? extends K>, ? extends Map<? extends K, ? extends V>> bulkLoader) { throw new UnsupportedOperationException(); }
  @Override public void put(K key, V value) { throw new UnsupportedOperationException(); }
  @Override public void putAll(Map<? extends K, ? extends V> entries) { throw new UnsupportedOperationException(); }
  @Override public void invalidate(K key) { throw new UnsupportedOperationException(); }
  @Override public void invalidateAll(Iterable<? extends K> keys) { throw new UnsupportedOperationException(); }
  @Override public void invalidateAll() { throw new UnsupportedOperationException(); }
  @Override public CacheStats stats() { throw new UnsupportedOperationException(); }
  @Override public Policy<K, V> policy() { throw new UnsupportedOperationException(); }
  @Override public void close() {}
}
