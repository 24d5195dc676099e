package io.tieredcache.spi;

import java.util.Collection;
import java.util.concurrent.CompletableFuture;

/**
 * Carries invalidations between the L1s of many nodes. One bus per node is shared by all of its
 * caches. A message carries the origin node, a per-origin sequence number, the cache name and the
 * encoded keys (or "all"); a node never applies its own messages.
 *
 * <p>A transport that can lose messages (Redis pub/sub) must notice when it may have missed one (a
 * gap in an origin's sequence, a dropped subscription, no heartbeat) and tell the listener to flush
 * through {@link InvalidationListener#onAll(String)}.
 */
public interface InvalidationBus extends AutoCloseable {

  /** This node's id: the origin of every message it publishes. */
  String nodeId();

  /**
   * Publishes that these keys of {@code cacheName} changed. Implementations may coalesce keys
   * published within a short window into one message.
   */
  CompletableFuture<Void> publish(String cacheName, Collection<String> encodedKeys);

  /** Publishes that every key of {@code cacheName} changed. */
  CompletableFuture<Void> publishAll(String cacheName);

  /** Delivers other nodes' invalidations of {@code cacheName} to {@code listener}. */
  Subscription subscribe(String cacheName, InvalidationListener listener);

  @Override
  void close();

  /** A registration that stops delivery when closed. */
  interface Subscription extends AutoCloseable {
    @Override
    void close();
  }
}
