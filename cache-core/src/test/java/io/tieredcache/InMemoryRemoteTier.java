package io.tieredcache;

import io.tieredcache.spi.FillOutcome;
import io.tieredcache.spi.Lease;
import io.tieredcache.spi.PendingFill;
import io.tieredcache.spi.WriteResult;
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
  final AtomicInteger polls = new AtomicInteger();
  volatile boolean failing;

  final java.util.concurrent.atomic.AtomicLong epoch = new java.util.concurrent.atomic.AtomicLong();

  @Override
  public CompletableFuture<RemoteEntry<V>> get(K key) {
    gets.incrementAndGet();
    return CompletableFuture.completedFuture(failing ? RemoteEntry.unavailable() : store.getOrDefault(key, RemoteEntry.miss()));
  }

  @Override
  public CompletableFuture<Map<K, RemoteEntry<V>>> getAll(Collection<? extends K> keys) {
    getAlls.incrementAndGet();
    Map<K, RemoteEntry<V>> found = new HashMap<>();
    for (K key : keys) {
      found.put(key, failing ? RemoteEntry.unavailable() : store.getOrDefault(key, RemoteEntry.miss()));
    }
    return CompletableFuture.completedFuture(found);
  }

  @Override
  public CompletableFuture<WriteResult<K>> putAll(Map<? extends K, RemoteEntry<V>> entries) {
    if (failing) {
      return CompletableFuture.completedFuture(WriteResult.unapplied(new HashSet<K>(entries.keySet())));
    }
    entries.forEach((key, entry) -> {
      leases.remove(key);
      store.put(key, entry);
    });
    return CompletableFuture.completedFuture(WriteResult.applied());
  }

  @Override
  public CompletableFuture<WriteResult<K>> invalidate(Collection<? extends K> keys) {
    if (failing) {
      return CompletableFuture.completedFuture(WriteResult.unapplied(new HashSet<K>(keys)));
    }
    for (K key : keys) {
      leases.remove(key);
      store.remove(key);
    }
    return CompletableFuture.completedFuture(WriteResult.applied());
  }

  @Override
  public CompletableFuture<Long> invalidateAll() {
    if (failing) {
      return CompletableFuture.failedFuture(new IllegalStateException("remote tier down (test)"));
    }
    store.clear();
    leases.clear();
    return CompletableFuture.completedFuture(epoch.incrementAndGet());
  }

  @Override
  public CompletableFuture<Map<K, Lease>> acquireLeases(Collection<? extends K> keys) {
    Map<K, Lease> result = new HashMap<>();
    for (K key : keys) {
      String token = UUID.randomUUID().toString();
      result.put(key, failing ? Lease.unknown()
          : leases.putIfAbsent(key, token) == null ? Lease.acquired(token) : Lease.heldElsewhere());
    }
    return CompletableFuture.completedFuture(result);
  }

  @Override
  public CompletableFuture<Map<K, PendingFill<V>>> pollFills(Collection<? extends K> keys) {
    polls.incrementAndGet();
    Map<K, PendingFill<V>> result = new HashMap<>();
    for (K key : keys) {
      RemoteEntry<V> entry = store.get(key);
      result.put(key, failing ? PendingFill.unknown() : entry != null ? PendingFill.filled(entry)
          : leases.containsKey(key) ? PendingFill.loading() : PendingFill.abandoned());
    }
    return CompletableFuture.completedFuture(result);
  }

  @Override
  public CompletableFuture<Map<K, FillOutcome>> fill(Map<K, LeasedEntry<V>> fills) {
    this.fills.incrementAndGet();
    Map<K, FillOutcome> outcomes = new HashMap<>();
    fills.forEach((key, fill) -> {
      Lease lease = fill.lease();
      if (failing) {
        outcomes.put(key, FillOutcome.UNKNOWN);
        return;
      }
      boolean valid = lease.state() == Lease.State.NONE || (lease.state() == Lease.State.ACQUIRED && leases.remove(key, lease.token()));
      if (!fill.entry().isHit()) {
        outcomes.put(key, FillOutcome.RELEASED);
      } else if (valid) {
        store.put(key, fill.entry());
        outcomes.put(key, FillOutcome.STORED);
      } else {
        outcomes.put(key, FillOutcome.FENCED);
      }
    });
    return CompletableFuture.completedFuture(outcomes);
  }
}
