package io.tieredcache;

import io.tieredcache.spi.Lease;
import io.tieredcache.spi.RemoteEntry;
import io.tieredcache.spi.RemoteTier;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A remote tier in a map, with leases, shared by several caches in one test to stand in for a
 * shared store. It checks the core's use of the SPI; the Redis tier has its own tests against a
 * real Redis.
 */
final class InMemoryRemoteTier<K, V> implements RemoteTier<K, V> {
  final Map<K, RemoteEntry<V>> store = new ConcurrentHashMap<>();
  final Map<K, String> leases = new ConcurrentHashMap<>();
  final AtomicInteger gets = new AtomicInteger();
  final AtomicInteger getAlls = new AtomicInteger();
  final AtomicInteger fills = new AtomicInteger();
  volatile boolean failing;

  private <T> CompletableFuture<T> answer(T value) {
    return failing
        ? CompletableFuture.failedFuture(new IllegalStateException("remote tier down (test)"))
        : CompletableFuture.completedFuture(value);
  }

  @Override
  public CompletableFuture<RemoteEntry<V>> get(K key) {
    gets.incrementAndGet();
    return answer(store.getOrDefault(key, RemoteEntry.miss()));
  }

  @Override
  public CompletableFuture<Map<K, RemoteEntry<V>>> getAll(Collection<? extends K> keys) {
    getAlls.incrementAndGet();
    Map<K, RemoteEntry<V>> found = new HashMap<>();
    for (K key : keys) {
      RemoteEntry<V> entry = store.get(key);
      if (entry != null) {
        found.put(key, entry);
      }
    }
    return answer(found);
  }

  @Override
  public CompletableFuture<Void> putAll(Map<? extends K, RemoteEntry<V>> entries) {
    if (failing) {
      return answer(null);
    }
    entries.forEach((key, entry) -> {
      leases.remove(key);
      store.put(key, entry);
    });
    return answer(null);
  }

  @Override
  public CompletableFuture<Void> invalidate(Collection<? extends K> keys) {
    if (failing) {
      return answer(null);
    }
    for (K key : keys) {
      leases.remove(key);
      store.remove(key);
    }
    return answer(null);
  }

  @Override
  public CompletableFuture<Void> invalidateAll() {
    store.clear();
    leases.clear();
    return answer(null);
  }

  @Override
  public CompletableFuture<Map<K, Lease>> acquireLeases(Collection<? extends K> keys) {
    Map<K, Lease> result = new HashMap<>();
    for (K key : keys) {
      String token = UUID.randomUUID().toString();
      result.put(key, leases.putIfAbsent(key, token) == null ? Lease.acquired(token) : Lease.heldElsewhere());
    }
    return answer(result);
  }

  @Override
  public CompletableFuture<Set<K>> fill(Map<K, LeasedEntry<V>> fills) {
    this.fills.incrementAndGet();
    if (failing) {
      return answer(null);
    }
    Set<K> stored = new HashSet<>();
    fills.forEach((key, fill) -> {
      Lease lease = fill.lease();
      boolean valid = lease.state() == Lease.State.NONE || leases.remove(key, lease.token());
      if (valid && fill.entry().isHit()) {
        store.put(key, fill.entry());
        stored.add(key);
      }
    });
    return answer(stored);
  }
}
