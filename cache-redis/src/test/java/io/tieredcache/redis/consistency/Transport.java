package io.tieredcache.redis.consistency;

import io.lettuce.core.RedisClient;
import io.tieredcache.redis.bus.PubSubBusOptions;
import io.tieredcache.redis.bus.PubSubInvalidationBus;
import io.tieredcache.redis.bus.RedisInvalidationBus;
import io.tieredcache.redis.bus.StreamBusOptions;
import io.tieredcache.redis.bus.StreamInvalidationBus;

/** The two invalidation transports, each on a channel or stream of the test's own. */
enum Transport {
  PUBSUB {
    @Override
    RedisInvalidationBus bus(RedisClient client, String name) {
      return PubSubInvalidationBus.create(client, PubSubBusOptions.builder().channel(name).build());
    }
  },
  STREAMS {
    @Override
    RedisInvalidationBus bus(RedisClient client, String name) {
      return StreamInvalidationBus.create(client, StreamBusOptions.builder().streamKey(name).build());
    }
  };

  abstract RedisInvalidationBus bus(RedisClient client, String name);
}
