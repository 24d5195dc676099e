package io.tieredcache.redis.bus;

import io.lettuce.core.RedisClient;
import io.tieredcache.spi.InvalidationBus;

/**
 * An {@link InvalidationBus} over Redis, with counters of what it sent, received and detected.
 * Two transports implement it: {@link PubSubInvalidationBus} (the default: at-most-once pub/sub,
 * made safe by sequence numbers, heartbeats and flushes) and {@link StreamInvalidationBus} (a Redis
 * Stream, which replays what a node missed during a short disconnect instead of flushing).
 *
 * <p>Both put the same messages on the wire ({@code {origin, incarnation, sequence, cache, keys |
 * all}}, see the package documentation), never deliver a node's own messages back to it, call
 * listeners on one thread of their own (never on a Lettuce event loop), and tell listeners to
 * flush ({@code onAll(reason)}) whenever they may have missed a message. Create one bus per node
 * and share it among all caches of the node; close it when the node stops.
 */
public interface RedisInvalidationBus extends InvalidationBus {

  /** What this bus has sent, received and detected so far. */
  BusStats stats();

  /**
   * A pub/sub bus with the default {@link PubSubBusOptions} on connections of {@code client},
   * which the caller keeps owning (closing the bus never shuts the client down).
   */
  static RedisInvalidationBus create(RedisClient client) {
    return PubSubInvalidationBus.create(client, PubSubBusOptions.create());
  }
}
