package io.tieredcache;

import io.tieredcache.spi.FillOutcome;
import io.tieredcache.spi.Lease;
import io.tieredcache.spi.PendingFill;
import io.tieredcache.spi.RemoteEntry;
import io.tieredcache.spi.RemoteTier;
import io.tieredcache.spi.WriteResult;
import java.time.Duration;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Predicate;

/**
 * A remote tier in a map, with leases and an epoch, shared by several caches in one test to stand
 * in for a shared store. It checks the core's use of the SPI; the Redis tier has its own tests
 * against a real Redis. Knobs let a test make it unavailable, hang, refuse or skip values.
 */
final class InMemoryRemoteTier<K, V> implements RemoteTier<K, V> {
  final Map<K, RemoteEntry<V>> store = new ConcurrentHashMap<>();
  final Map<K, String> leases = new ConcurrentHashMap<>();
  final AtomicInteger gets = new AtomicInteger();
  final AtomicInteger getAlls = new AtomicInteger();
  final AtomicInteger leaseCalls = new AtomicInteger();
  final AtomicInteger fills = new AtomicInteger();
  final AtomicInteger polls = new AtomicInteger();
  final AtomicInteger writes = new AtomicInteger();
  final AtomicInteger closes = new AtomicInteger();
  final AtomicLong epoch = new AtomicLong();
  final List<Long> advancedTo = new CopyOnWriteArrayList<>();
  final AtomicInteger resyncs = new AtomicInteger();
  /** Every call answers "could not ask" (reads) or "unknown" (writes). */
  volatile boolean failing;
  /** Every call returns a future that never completes (a hung tier that breaks its own contract). */
  volatile boolean hanging;
  /** Values the tier cannot encode: refused by putAll. */
  volatile Predicate<Object> unencodable = value -> false;
  /** Values the tier will not store (too big): skipped. */
  volatile Predicate<Object> tooBig = value -> false;
  /** If set, what acquireLeases answers for every key. */
  volatile Lease forcedLease;
  volatile Duration maxCallDuration = Duration.ofMillis(300);

  private <T> CompletableFuture<T> answer(T value) {
    return hanging ? new CompletableFuture<>() : CompletableFuture.completedFuture(value);
  }

  @Override
  public CompletableFuture<RemoteEntry<V>> get(K key) {
    gets.incrementAndGet();
    return answer(failing ? RemoteEntry.unavailable() : store.getOrDefault(key, RemoteEntry.miss()));
  }

  @Override
  public CompletableFuture<Map<K, RemoteEntry<V>>> getAll(Collection<? extends K> keys) {
    getAlls.incrementAndGet();
    Map<K, RemoteEntry<V>> found = new HashMap<>();
    for (K key : keys) {
      found.put(key, failing ? RemoteEntry.unavailable() : store.getOrDefault(key, RemoteEntry.miss()));
    }
    return answer(found);
  }

  @Override
  public CompletableFuture<WriteResult<K>> putAll(Map<? extends K, RemoteEntry<V>> entries) {
    writes.incrementAndGet();
    if (failing) {
      return answer(WriteResult.unapplied(new HashSet<K>(entries.keySet())));
    }
    Map<K, RuntimeException> refused = new HashMap<>();
    Set<K> skipped = new HashSet<>();
    entries.forEach((key, entry) -> {
      leases.remove(key);
      if (entry.value() != null && unencodable.test(entry.value())) {
        store.remove(key);
        refused.put(key, new IllegalArgumentException("cannot encode the value of key '" + key + "'"));
      } else if (entry.value() != null && tooBig.test(entry.value())) {
        store.remove(key);
        skipped.add(key);
      } else {
        store.put(key, entry);
      }
    });
    return answer(new WriteResult<>(Set.of(), refused, skipped));
  }

  @Override
  public CompletableFuture<WriteResult<K>> invalidate(Collection<? extends K> keys) {
    writes.incrementAndGet();
    if (failing) {
      return answer(WriteResult.unapplied(new HashSet<K>(keys)));
    }
    for (K key : keys) {
      leases.remove(key);
      store.remove(key);
    }
    return answer(WriteResult.applied());
  }

  @Override
  public CompletableFuture<Long> invalidateAll() {
    writes.incrementAndGet();
    if (failing || hanging) {
      return hanging ? new CompletableFuture<>()
          : CompletableFuture.failedFuture(new IllegalStateException("remote tier down (test)"));
    }
    store.clear();
    leases.clear();
    return answer(epoch.incrementAndGet());
  }

  @Override
  public void advanceEpoch(long newEpoch) {
    advancedTo.add(newEpoch);
  }

  @Override
  public CompletableFuture<Boolean> resync() {
    resyncs.incrementAndGet();
    return CompletableFuture.completedFuture(false);
  }

  @Override
  public CompletableFuture<Map<K, Lease>> acquireLeases(Collection<? extends K> keys) {
    leaseCalls.incrementAndGet();
    Map<K, Lease> result = new HashMap<>();
    for (K key : keys) {
      String token = UUID.randomUUID().toString();
      result.put(key, failing ? Lease.unknown() : forcedLease != null ? forcedLease
          : leases.putIfAbsent(key, token) == null ? Lease.acquired(token) : Lease.heldElsewhere());
    }
    return answer(result);
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
    return answer(result);
  }

  @Override
  public CompletableFuture<Map<K, FillOutcome>> fill(Map<K, LeasedEntry<V>> toFill) {
    fills.incrementAndGet();
    Map<K, FillOutcome> outcomes = new HashMap<>();
    toFill.forEach((key, fill) -> {
      Lease lease = fill.lease();
      if (failing) {
        outcomes.put(key, FillOutcome.UNKNOWN);
        return;
      }
      boolean valid = lease.state() == Lease.State.NONE
          || (lease.state() == Lease.State.ACQUIRED && leases.remove(key, lease.token()));
      if (!fill.entry().isHit()) {
        outcomes.put(key, FillOutcome.RELEASED);
      } else if (!valid) {
        outcomes.put(key, FillOutcome.FENCED);
      } else if (fill.entry().value() != null && tooBig.test(fill.entry().value())) {
        outcomes.put(key, FillOutcome.SKIPPED);
      } else {
        store.put(key, fill.entry());
        outcomes.put(key, FillOutcome.STORED);
      }
    });
    return answer(outcomes);
  }

  @Override
  public Duration maxCallDuration(int keyCount) {
    return maxCallDuration;
  }

  @Override
  public void close() {
    closes.incrementAndGet();
  }
}
