package io.tieredcache.redis.bus;

import io.lettuce.core.RedisConnectionException;
import io.lettuce.core.RedisURI;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.cluster.RedisClusterClient;
import io.lettuce.core.cluster.SlotHash;
import io.lettuce.core.cluster.models.partitions.RedisClusterNode;
import io.lettuce.core.cluster.pubsub.StatefulRedisClusterPubSubConnection;
import io.lettuce.core.pubsub.StatefulRedisPubSubConnection;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Connections of a Redis Cluster client pinned to the primary that owns one key's slot (a sharded
 * channel, a stream): the bus sends its commands on exactly that connection, watches that
 * connection for drops, and when the slot moves (Redis answers {@code MOVED}, or unsubscribes a
 * sharded channel) replaces it by one to the new owner, reading the cluster's topology again first.
 *
 * <p>Why pin instead of letting Lettuce route: Lettuce routes a keyed command on a cluster
 * connection to the slot's owner, but it does not move a sharded subscription when the slot moves
 * (it only re-subscribes on a reconnect of the same node), and a drop of the node connection is
 * not reported on the cluster connection. A pinned connection makes both visible to the bus.
 *
 * <p>Each pinned connection is the node connection of a cluster pub/sub connection of its own (a
 * pub/sub connection that subscribes to nothing runs any command), which {@link #close} closes.
 */
final class ShardConnections {

  private final RedisClusterClient client;
  private final String key;
  private final int slot;
  private final Map<StatefulRedisConnection<String, byte[]>,
      StatefulRedisClusterPubSubConnection<String, byte[]>> parents = new ConcurrentHashMap<>();
  private volatile boolean opened;

  ShardConnections(RedisClusterClient client, String key) {
    this.client = client;
    this.key = key;
    this.slot = SlotHash.getSlot(key);
  }

  /**
   * Opens a connection to the primary that owns the key's slot now. Every call after the first
   * reads the cluster's topology again first, since a replacement is usually due to a change of
   * it. Blocks as long as Lettuce's connect and command timeouts allow.
   *
   * @throws RuntimeException if the topology cannot be read or the primary cannot be reached
   */
  StatefulRedisPubSubConnection<String, byte[]> open() {
    if (opened) {
      client.refreshPartitions();
    }
    opened = true;
    StatefulRedisClusterPubSubConnection<String, byte[]> parent = client.connectPubSub(Connections.CODEC);
    try {
      RedisClusterNode owner = parent.getPartitions().getMasterBySlot(slot);
      if (owner == null) {
        throw new RedisConnectionException("no primary owns slot " + slot + " of " + key + " now");
      }
      RedisURI uri = owner.getUri();
      StatefulRedisPubSubConnection<String, byte[]> pinned = parent.getConnection(uri.getHost(), uri.getPort());
      parents.put(pinned, parent);
      return pinned;
    } catch (RuntimeException e) {
      Connections.closeQuietly(parent);
      throw e;
    }
  }

  /** Closes {@code pinned} with the cluster connection it belongs to (which closes it). */
  void close(StatefulRedisConnection<String, byte[]> pinned) {
    StatefulRedisClusterPubSubConnection<String, byte[]> parent = parents.remove(pinned);
    Connections.closeQuietly(parent != null ? parent : pinned);
  }

  /** The slot of the key, for logs and tests. */
  int slot() {
    return slot;
  }
}
