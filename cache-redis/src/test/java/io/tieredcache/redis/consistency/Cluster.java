package io.tieredcache.redis.consistency;

import io.lettuce.core.ClientOptions;
import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisURI;
import io.tieredcache.KeyCodec;
import io.tieredcache.TieredCache;
import io.tieredcache.redis.RedisTier;
import io.tieredcache.redis.bus.RedisInvalidationBus;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.function.Function;

/**
 * Several independent nodes of one cache over one Redis: each node has its own {@link RedisClient}
 * (so its own connections), its own tier, bus and L1, as on separate machines.
 */
final class Cluster implements AutoCloseable {

  /** The documented staleness bound of the pub/sub bus: heartbeat timeout plus a round trip. */
  static final Duration STALENESS_BOUND = Duration.ofSeconds(1);

  final String cacheName = "c-" + UUID.randomUUID();
  final String channel = "inv-" + UUID.randomUUID();
  private final String redisUri;
  private final Transport transport;
  private final List<Node> nodes = new ArrayList<>();
  private Duration staleWhileDisconnected = io.tieredcache.TieredCacheBuilder.DEFAULT_STALE_WHILE_DISCONNECTED;

  /** Nodes made after this serve their L1 at most {@code bound} while they cannot hear the others. */
  Cluster staleWhileDisconnected(Duration bound) {
    this.staleWhileDisconnected = bound;
    return this;
  }

  Cluster(String redisUri, Transport transport) {
    this.redisUri = redisUri;
    this.transport = transport;
  }

  /** One node of the cluster. */
  final class Node implements AutoCloseable {
    final String name;
    final RedisClient client;
    final RedisInvalidationBus bus;
    final TieredCache<String, Long> cache;

    Node(String name, Function<String, Long> loader, Duration leaseWait) {
      this.name = name;
      this.client = RedisClient.create(RedisURI.create(redisUri));
      client.setOptions(ClientOptions.builder()
          .disconnectedBehavior(ClientOptions.DisconnectedBehavior.REJECT_COMMANDS)
          .build());
      this.bus = transport.bus(client, channel);
      this.cache = TieredCache.builder(cacheName)
          .keyCodec(KeyCodec.strings())
          .remoteTier(RedisTier.builder(client).valueType(Long.class).build())
          .invalidationBus(bus)
          .leaseWait(leaseWait)
          .staleWhileDisconnected(staleWhileDisconnected)
          .build(loader);
    }

    @Override
    public void close() {
      cache.close();
      bus.close();
      client.shutdown(Duration.ZERO, Duration.ofSeconds(2));
    }

    @Override
    public String toString() {
      return name;
    }
  }

  Node node(String name, Function<String, Long> loader) {
    return node(name, loader, Duration.ofSeconds(2));
  }

  Node node(String name, Function<String, Long> loader, Duration leaseWait) {
    Node node = new Node(name, loader, leaseWait);
    nodes.add(node);
    return node;
  }

  @Override
  public void close() {
    for (Node node : nodes) {
      try {
        node.close();
      } catch (RuntimeException e) {
        // closing the rest matters more
      }
    }
  }
}
