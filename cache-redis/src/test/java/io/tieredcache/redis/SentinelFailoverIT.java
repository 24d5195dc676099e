package io.tieredcache.redis;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.lettuce.core.ClientOptions;
import io.lettuce.core.RedisClient;
import io.tieredcache.TieredCache;
import io.tieredcache.testkit.RedisSentinels;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/**
 * Two nodes on a Sentinel-managed primary (local processes: primary, replica, three Sentinels).
 * The Sentinels fail over; the nodes follow the new primary through Lettuce's Sentinel support,
 * the bus comes back on it, and an invalidation made after the switch reaches the other node.
 */
class SentinelFailoverIT {

  @Test
  void nodesFollowTheNewPrimaryAfterAFailover() {
    try (RedisSentinels redis = RedisSentinels.start()) {
      AtomicLong version = new AtomicLong(1);
      try (BusNode nodeA = BusNode.start(client(redis.uri()), "sentinel", key -> version.get());
          BusNode nodeB = BusNode.start(client(redis.uri()), "sentinel", key -> version.get())) {
        TieredCache<String, Long> a = nodeA.cache();
        TieredCache<String, Long> b = nodeB.cache();
        assertThat(a.get("k")).isEqualTo(1L);
        assertThat(b.get("k")).isEqualTo(1L);
        assertThat(b.stats().l2Hits()).as("B read A's fill on the primary").isEqualTo(1);
        int before = redis.currentPrimaryPort();

        long started = System.nanoTime();
        redis.failover();
        await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(50))
            .until(() -> redis.currentPrimaryPort() != before);
        assertThat(redis.currentPrimaryPort()).isEqualTo(redis.replica().port());

        // Writes after the switch land on the new primary and reach the other node.
        AtomicLong probe = new AtomicLong();
        await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(100)).until(() -> {
          String key = "after-" + probe.incrementAndGet();
          a.get(key);
          return b.policy().getIfPresentInL1(key) == null && b.getIfPresent(key) != null;
        });
        version.set(2);
        a.invalidate("k");
        await().atMost(Duration.ofSeconds(5)).until(() -> b.get("k") == 2L);
        System.out.printf("sentinel failover: nodes share through the new primary %d ms after SENTINEL FAILOVER%n",
            (System.nanoTime() - started) / 1_000_000);
      }
    }
  }

  private static RedisClient client(String uri) {
    RedisClient client = RedisClient.create(uri);
    client.setOptions(ClientOptions.builder()
        .disconnectedBehavior(ClientOptions.DisconnectedBehavior.REJECT_COMMANDS).build());
    return client;
  }
}
