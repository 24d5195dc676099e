package io.tieredcache.redis.bus;

import io.tieredcache.spi.InvalidationListener;
import java.util.Collection;
import java.util.concurrent.CompletableFuture;

/**
 * What both transports do the same way: numbering, coalescing, origin filtering and dispatch all
 * live in their {@link BusCore}; a transport only moves the bytes.
 */
abstract class CoreBackedBus implements RedisInvalidationBus {

  abstract BusCore core();

  @Override
  public String nodeId() {
    return core().nodeId;
  }

  /**
   * {@inheritDoc}
   *
   * <p>Never throws because of Redis: if the message cannot be sent the future completes
   * exceptionally, and other nodes treat it as a loss (see the transport's class documentation).
   */
  @Override
  public CompletableFuture<Void> publish(String cacheName, Collection<String> encodedKeys) {
    return core().outbox.publish(cacheName, encodedKeys);
  }

  @Override
  public CompletableFuture<Void> publishAll(String cacheName, long epoch) {
    return core().outbox.publishAll(cacheName, epoch);
  }

  /**
   * {@inheritDoc}
   *
   * <p>A listener that subscribes while the bus is deaf is told {@code onDeaf} at once (with the
   * moment the bus stopped hearing), so that it hears {@code onHearing} only after {@code onDeaf}.
   *
   * @throws IllegalStateException if a listener for {@code cacheName} is already subscribed on this
   *     bus, or the bus is closed
   */
  @Override
  public Subscription subscribe(String cacheName, InvalidationListener listener) {
    return core().subscribe(cacheName, listener);
  }

  @Override
  public BusStats stats() {
    return core().stats();
  }

  @Override
  public boolean isHearing() {
    return !core().isDeaf();
  }
}
