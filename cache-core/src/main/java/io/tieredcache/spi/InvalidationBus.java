package io.tieredcache.spi;

import java.util.Collection;
import java.util.concurrent.CompletableFuture;

/**
 * Carries invalidations between the L1s of many nodes. One bus per node is shared by all of its
 * caches. A message carries the origin node, a per-origin sequence number, the cache name and the
 * encoded keys (or "all" with the remote tier's new epoch); a node never applies its own messages.
 *
 * <p>A transport that can lose messages must notice when it may have (a gap in an origin's
 * sequence, a dropped subscription, no heartbeat) and tell its listeners, through
 * {@link InvalidationListener#onMessagesLost} or {@link InvalidationListener#onDeaf}.
 */
public interface InvalidationBus extends AutoCloseable {

  /** This node's id: the origin of every message it publishes. */
  String nodeId();

  /**
   * Publishes that these keys of {@code cacheName} changed. Implementations may coalesce keys
   * published within a short window into one message. Never throws because of the transport: the
   * future completes exceptionally instead.
   */
  CompletableFuture<Void> publish(String cacheName, Collection<String> encodedKeys);

  /**
   * Publishes that every key of {@code cacheName} changed and that its remote tier is now at
   * {@code epoch} ({@code 0} for a cache without one).
   */
  CompletableFuture<Void> publishAll(String cacheName, long epoch);

  /**
   * Delivers other nodes' invalidations of {@code cacheName} to {@code listener}.
   *
   * @throws IllegalStateException if a cache of that name is already subscribed on this bus (two
   *     caches of one name on one node would never hear each other) or the bus is closed
   */
  Subscription subscribe(String cacheName, InvalidationListener listener);

  @Override
  void close();

  /** A registration that stops delivery when closed. */
  interface Subscription extends AutoCloseable {
    @Override
    void close();
  }
}
