package io.tieredcache.redis;

import io.lettuce.core.RedisClient;
import io.tieredcache.KeyCodec;
import io.tieredcache.TieredCache;
import io.tieredcache.redis.bus.PubSubInvalidationBus;
import java.util.function.Function;

/**
 * One node of a cache in a test: the given client (its own connections), a Redis tier, a pub/sub
 * bus and a cache of versions. Closing it closes all three, the client included.
 */
record BusNode(RedisClient client, PubSubInvalidationBus bus, TieredCache<String, Long> cache) implements AutoCloseable {

  static BusNode start(RedisClient client, String cacheName, Function<String, Long> loader) {
    PubSubInvalidationBus bus = PubSubInvalidationBus.create(client);
    TieredCache<String, Long> cache = TieredCache.builder(cacheName).keyCodec(KeyCodec.strings())
        .remoteTier(RedisTier.builder(client).valueType(Long.class).build()).invalidationBus(bus)
        .build(loader);
    return new BusNode(client, bus, cache);
  }

  @Override
  public void close() {
    cache.close();
    bus.close();
    client.shutdown();
  }
}
