package io.tieredcache.internal;

import java.util.concurrent.CompletableFuture;

/**
 * One load of one key in flight on this JVM; every caller that misses the same key meanwhile
 * waits on {@link #result}. An invalidation or write of the key {@linkplain #fence() fences} it:
 * its callers still get the result, but it is not installed.
 */
final class Flight<V> {

  final CompletableFuture<L1Entry<V>> result = new CompletableFuture<>();
  /** The cache-wide epoch when the load began; {@code invalidateAll} moves the epoch on. */
  final long epoch;
  /** An entry past its hard TTL, served if the load fails (stale-if-error); or null. */
  final L1Entry<V> stale;
  private volatile boolean fenced;

  Flight(long epoch, L1Entry<V> stale) {
    this.epoch = epoch;
    this.stale = stale;
  }

  void fence() {
    fenced = true;
  }

  boolean isFenced() {
    return fenced;
  }
}
