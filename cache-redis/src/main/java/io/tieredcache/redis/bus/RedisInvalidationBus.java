package io.tieredcache.redis.bus;

import io.lettuce.core.RedisClient;
import io.tieredcache.spi.InvalidationBus;

/**
 * An {@link InvalidationBus} over Redis, with counters of what it sent, received and detected.
 * Two transports implement it: {@link PubSubInvalidationBus} (the default: at-most-once pub/sub,
 * made safe by sequence numbers and heartbeats) and {@link StreamInvalidationBus} (a Redis Stream,
 * which replays what a node missed during a disconnect).
 *
 * <p>Both put the same messages on the wire ({@code {origin, incarnation, sequence, cache, keys |
 * all + epoch}}, see the package documentation), never deliver a node's own messages back to it,
 * call listeners on one thread of their own (never on a Lettuce event loop), and tell them exactly
 * what they know about their own hearing: {@code onDeaf} once when they stop hearing (with the last
 * moment they were sure they had heard everything), {@code onHearing} once when they hear again
 * (saying whether anything was lost meanwhile), and {@code onMessagesLost} whenever a message may
 * have been lost while they were hearing. Both replace a dropped connection by a fresh one within
 * their {@code reconnectInterval}, whatever reconnect delay the client's resources use, and keep
 * the client name the user's {@code RedisURI} gave (adding a suffix naming the bus, node and role).
 * Create one bus per node and share it among all caches of the node (one cache per name); close it
 * when the node stops.
 */
public interface RedisInvalidationBus extends InvalidationBus {

  /** What this bus has sent, received and detected so far. */
  BusStats stats();

  /**
   * Whether this node hears the other nodes now: {@code false} from the moment the bus noticed it
   * may miss invalidations (a dropped connection, a silence past its timeout) until it hears again.
   * While it is {@code false}, caches serve their L1 only within {@code staleWhileDisconnected}.
   */
  boolean isHearing();

  /**
   * A pub/sub bus with the default {@link PubSubBusOptions} on connections of {@code client},
   * which the caller keeps owning (closing the bus never shuts the client down).
   */
  static RedisInvalidationBus create(RedisClient client) {
    return PubSubInvalidationBus.create(client, PubSubBusOptions.create());
  }
}
