package io.tieredcache.redis;

import static java.nio.charset.StandardCharsets.UTF_8;

import io.lettuce.core.ClientOptions;
import io.lettuce.core.RedisClient;
import io.tieredcache.KeyCodec;
import io.tieredcache.spi.RemoteEntry;
import io.tieredcache.spi.RemoteTier;
import io.tieredcache.spi.RemoteTierFactory;
import io.tieredcache.spi.TierContext;
import java.time.Duration;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;

/** Small helpers shared by the integration tests. */
final class Tiers {

  private Tiers() {}

  /** A key prefix no other test uses. */
  static String uniquePrefix() {
    return "t" + Long.toHexString(ThreadLocalRandom.current().nextLong() & Long.MAX_VALUE);
  }

  /**
   * Makes and drops one connection, so that the first tier of a test class does not pay for
   * loading Lettuce and Netty within its time limit on a cold JVM.
   */
  static void warmUp(String uri) {
    RedisClient client = RedisClient.create(uri);
    try (var connection = client.connect()) {
      connection.sync().ping();
    } finally {
      client.shutdown(0, 2, TimeUnit.SECONDS);
    }
  }

  /** A client as a careful user would make it: commands rejected while disconnected. */
  static RedisClient client(String uri) {
    RedisClient client = RedisClient.create(uri);
    client.setOptions(ClientOptions.builder()
        .disconnectedBehavior(ClientOptions.DisconnectedBehavior.REJECT_COMMANDS)
        .build());
    return client;
  }

  static <V> RemoteTier<String, V> create(RemoteTierFactory<String, V> factory, String cacheName, RecordingEvents events) {
    return factory.create(new TierContext<>(cacheName, KeyCodec.strings(), events));
  }

  /** The Redis key of the value stored for {@code key} in epoch 0 (a cache nobody cleared), as a string. */
  static String valueKey(String prefix, String cacheName, String key) {
    return new String(new KeyLayout(prefix, cacheName).keys(key, 0).value(), UTF_8);
  }

  static String leaseKey(String prefix, String cacheName, String key) {
    return new String(new KeyLayout(prefix, cacheName).keys(key, 0).lease(), UTF_8);
  }

  static <V> RemoteEntry<V> value(V value, Duration ttl) {
    long now = System.currentTimeMillis();
    return RemoteEntry.value(value, ttl.toMillis(), now, now + ttl.toMillis() / 2, 1_000);
  }
}
