package io.tieredcache.redis.consistency;

import io.lettuce.core.RedisURI;
import io.lettuce.core.cluster.RedisClusterClient;
import io.tieredcache.KeyCodec;
import io.tieredcache.TieredCache;
import io.tieredcache.redis.RedisTier;
import io.tieredcache.redis.bus.PubSubBusOptions;
import io.tieredcache.redis.bus.PubSubInvalidationBus;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;

/**
 * One node of a cache on a Redis Cluster, as on a machine of its own: its own
 * {@link RedisClusterClient} (Lettuce's defaults, as a user who brings the client gets them), its
 * own tier, pub/sub bus and L1. Closing it closes all of them, the client included.
 */
final class ClusterNode implements AutoCloseable {

  final String name;
  final RedisClusterClient client;
  final PubSubInvalidationBus bus;
  final TieredCache<String, Long> cache;

  ClusterNode(String name, List<String> seeds, String cacheName, String channel, Duration staleWhileDisconnected,
      Function<String, Long> loader) {
    this.name = name;
    List<RedisURI> uris = new ArrayList<>();
    seeds.forEach(seed -> uris.add(RedisURI.create(seed)));
    this.client = RedisClusterClient.create(uris);
    this.bus = PubSubInvalidationBus.create(client, PubSubBusOptions.builder().channel(channel).build());
    this.cache = TieredCache.builder(cacheName)
        .keyCodec(KeyCodec.strings())
        .remoteTier(RedisTier.builder(client).valueType(Long.class).build())
        .invalidationBus(bus)
        .staleWhileDisconnected(staleWhileDisconnected)
        .build(loader);
  }

  /** For the {@link Checker}. */
  Checker.Target target() {
    return new Checker.Target(name, cache);
  }

  @Override
  public void close() {
    try {
      cache.close();
      bus.close();
    } finally {
      client.shutdown(Duration.ZERO, Duration.ofSeconds(2));
    }
  }

  @Override
  public String toString() {
    return name;
  }
}
