package io.tieredcache.internal;

import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The flights in progress, one per key, and the fence that keeps a load from installing a value
 * that an invalidation made stale.
 *
 * <p>A flight installs its entry into L1 inside {@code byKey.compute(key)}, only while it is still
 * the registered flight of its key, is not fenced and the cache's fence epoch has not moved. A
 * write or invalidation of a key fences and removes its flight under the same bin lock after the
 * remote tier was updated; {@code invalidateAll} and loss flushes move the epoch. So an
 * invalidation that happens while a load is in flight always wins.
 */
final class Flights<K, V> {

  private final ConcurrentHashMap<K, Flight<K, V>> byKey = new ConcurrentHashMap<>();
  private final AtomicLong epoch = new AtomicLong();
  private final L1<K, V> l1;
  private final Hearing hearing;
  private final Stats stats;

  Flights(L1<K, V> l1, Hearing hearing, Stats stats) {
    this.l1 = l1;
    this.hearing = hearing;
    this.stats = stats;
  }

  long epoch() {
    return epoch.get();
  }

  /** The flight of {@code key} in progress, or null. */
  Flight<K, V> current(K key) {
    return byKey.get(key);
  }

  /** Registers {@code flight} unless its key has one: returns that one, or null if registered. */
  Flight<K, V> register(Flight<K, V> flight) {
    return byKey.putIfAbsent(flight.key, flight);
  }

  /**
   * Installs {@code entry} for {@code flight} if it may, and ends the flight either way.
   *
   * @return whether the entry is now in L1
   */
  boolean install(Flight<K, V> flight, L1Entry<V> entry, boolean installable) {
    if (!installable || !l1.isEnabled()) {
      byKey.remove(flight.key, flight); // nothing to install: no bin lock held over an L1 write
      return false;
    }
    flight.installed = false;
    byKey.compute(flight.key, (key, current) -> {
      if (current != flight) {
        return current;
      }
      if (!flight.isFenced() && flight.epoch == epoch.get()) {
        l1.put(key, entry);
        flight.installed = true;
      }
      return null;
    });
    if (flight.installed) {
      if (flight.epoch != epoch.get()) {
        l1.remove(flight.key, entry); // a flush raced with the install: it wins
        stats.fencedFills.increment();
        return false;
      }
      stats.puts.increment();
      doubtIfDeaf(entry);
      return true;
    }
    stats.fencedFills.increment();
    return false;
  }

  /** Ends a flight without installing anything. */
  void abandon(Flight<K, V> flight) {
    byKey.remove(flight.key, flight);
  }

  /** Stores an application write in L1, fencing the key's flight. */
  void write(K key, L1Entry<V> entry) {
    byKey.compute(key, (k, flight) -> {
      if (flight != null) {
        flight.fence();
      }
      if (l1.isEnabled()) {
        l1.put(k, entry);
        stats.puts.increment();
      }
      return null;
    });
    doubtIfDeaf(entry);
  }

  /** Fences the key's flight and drops its L1 entry. */
  void drop(K key) {
    byKey.computeIfPresent(key, (k, flight) -> {
      flight.fence();
      return null;
    });
    l1.invalidate(key);
  }

  /** Moves the epoch (fencing every load in flight) and empties L1. */
  void dropAll() {
    epoch.incrementAndGet();
    for (K key : byKey.keySet()) {
      byKey.computeIfPresent(key, (k, flight) -> {
        flight.fence();
        return null;
      });
    }
    l1.invalidateAll();
  }

  /** Every flight in progress, for close. */
  Iterable<Flight<K, V>> all() {
    return byKey.values();
  }

  private void doubtIfDeaf(L1Entry<V> entry) {
    if (hearing.isDeaf()) {
      entry.markUnverified(hearing.deafSince());
    }
  }
}
