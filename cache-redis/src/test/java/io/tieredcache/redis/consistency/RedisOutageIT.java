package io.tieredcache.redis.consistency;

import static org.assertj.core.api.Assertions.assertThat;

import io.tieredcache.testkit.IsolatedRedis;
import io.tieredcache.testkit.RedisAdmin;
import io.tieredcache.testkit.RedisServer;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;

/**
 * Redis goes away while nodes keep working and writing. Once it is back, no node may serve a value
 * that was invalidated during the outage (after the staleness bound and the repair interval).
 */
@IsolatedRedis
class RedisOutageIT {

  /** Repair retries every 500 ms; add the bus bound and a margin for a busy machine. */
  static final Duration RECOVERY_BOUND = Duration.ofMillis(500).plus(Cluster.STALENESS_BOUND).plusSeconds(1);

  @Test
  void afterARestartNoNodeServesAValueInvalidatedDuringTheOutage(RedisServer redis) {
    VersionedStore db = new VersionedStore();
    try (Cluster cluster = new Cluster(redis.uri(), Transport.PUBSUB)) {
      Cluster.Node a = cluster.node("a", db::read);
      Cluster.Node b = cluster.node("b", db::read);
      List<String> keys = List.of("k1", "k2", "k3", "k4", "k5");
      for (String key : keys) {
        a.cache.get(key);
        b.cache.get(key);
      }

      redis.stop();
      long[] written = new long[keys.size()];
      for (int i = 0; i < keys.size(); i++) {
        written[i] = db.write(keys.get(i));
        a.cache.invalidate(keys.get(i)); // Redis is down: no exception reaches the caller
      }
      assertThat(a.cache.get("k1")).as("A answers from its loader during the outage").isEqualTo(written[0]);
      redis.start();

      Awaitility.await().atMost(RECOVERY_BOUND).pollInterval(Duration.ofMillis(10)).untilAsserted(() -> {
        for (int i = 0; i < keys.size(); i++) {
          assertThat(b.cache.get(keys.get(i))).isEqualTo(written[i]);
          assertThat(a.cache.get(keys.get(i))).isEqualTo(written[i]);
        }
      });
      // And the shared tier is used again: what A loads, B finds in Redis.
      java.util.concurrent.atomic.AtomicInteger probe = new java.util.concurrent.atomic.AtomicInteger();
      Awaitility.await().atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(50)).until(() -> {
        String key = "fresh-" + probe.incrementAndGet();
        a.cache.get(key);
        return b.cache.getIfPresent(key) != null;
      });
    }
  }

  @Test
  void aWriteThatTimedOutWhileRedisWasPausedIsRepairedOnceItAnswers(RedisServer redis) throws Exception {
    VersionedStore db = new VersionedStore();
    try (Cluster cluster = new Cluster(redis.uri(), Transport.PUBSUB); RedisAdmin admin = redis.admin()) {
      Cluster.Node a = cluster.node("a", db::read);
      Cluster.Node b = cluster.node("b", db::read);
      long old = a.cache.get("k"); // now in Redis and in A's L1
      assertThat(b.cache.get("k")).isEqualTo(old);

      Duration pause = Duration.ofMillis(1500);
      CompletableFuture<Void> paused = CompletableFuture.runAsync(() -> admin.pauseClients(pause));
      Awaitility.await().atMost(Duration.ofSeconds(5)).until(() -> isPaused(redis));
      long written = db.write("k");
      long started = System.nanoTime();
      a.cache.invalidate("k"); // times out: Redis keeps the old value for now
      assertThat(Duration.ofNanos(System.nanoTime() - started)).as("the caller is not held by a paused Redis")
          .isLessThan(Duration.ofMillis(1000));
      paused.get(10, TimeUnit.SECONDS);

      Awaitility.await().atMost(RECOVERY_BOUND).pollInterval(Duration.ofMillis(10)).untilAsserted(() -> {
        assertThat(a.cache.get("k")).isEqualTo(written);
        assertThat(b.cache.get("k")).isEqualTo(written);
      });
      // And it stays so: the old value is gone from Redis, not merely from the L1s.
      for (int i = 0; i < 50; i++) {
        assertThat(b.cache.get("k")).isEqualTo(written);
        b.cache.policy().flushL1();
      }
    }
  }

  private static boolean isPaused(RedisServer redis) {
    try (RedisAdmin probe = redis.admin()) {
      long started = System.nanoTime();
      CompletableFuture<String> ping = CompletableFuture.supplyAsync(probe::ping);
      try {
        ping.get(100, TimeUnit.MILLISECONDS);
        return false;
      } catch (java.util.concurrent.TimeoutException e) {
        return System.nanoTime() - started >= TimeUnit.MILLISECONDS.toNanos(100);
      } catch (Exception e) {
        return false;
      }
    }
  }
}
