package io.tieredcache.internal;

import java.util.concurrent.CompletableFuture;

/**
 * One load of one key in flight on this JVM; every caller that misses the same key meanwhile
 * waits on {@link #result}. An invalidation or write of the key {@linkplain #fence() fences} it:
 * its callers still get the result, but it is not installed. A {@link Load} drives one or more
 * flights (a bulk load drives many).
 */
final class Flight<K, V> {

  final K key;
  final CompletableFuture<L1Entry<V>> result = new CompletableFuture<>();
  /** The cache-wide fence epoch when the load began; {@code invalidateAll} and loss flushes move it. */
  final long epoch;
  /** Ticker time when the flight began: what it loads is at least this fresh. */
  final long startedAt;
  /**
   * The L1 entry this flight replaces, or null: served to its callers if the load fails while the
   * entry is within its hard TTL (a failed refresh) or within the stale-if-error window.
   */
  final L1Entry<V> fallback;
  /** A background refresh: it never waits for other nodes and keeps {@link #fallback} on failure. */
  final boolean refresh;
  private volatile boolean fenced;
  /** Whether the remote tier (not the loader) answered; set before {@link #result} completes. */
  volatile boolean answeredByRemote;
  /** Set by {@link Flights#install} inside its bin lock, read by the same thread after it. */
  boolean installed;
  /** The load driving this flight; set before any other thread can need it. */
  volatile Load<K, V> load;

  Flight(K key, long epoch, long startedAt, L1Entry<V> fallback, boolean refresh) {
    this.key = key;
    this.epoch = epoch;
    this.startedAt = startedAt;
    this.fallback = fallback;
    this.refresh = refresh;
  }

  void fence() {
    fenced = true;
  }

  boolean isFenced() {
    return fenced;
  }
}
