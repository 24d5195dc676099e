package io.tieredcache.redis.consistency;

import static org.assertj.core.api.Assertions.assertThat;

import io.tieredcache.CacheStats;
import io.tieredcache.testkit.IsolatedRedis;
import io.tieredcache.testkit.RedisAdmin;
import io.tieredcache.testkit.RedisServer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;
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

  /**
   * How long Redis stays down in {@link #duringAnOutageNodesKeepAnsweringWithoutAStampede}: past the
   * default staleWhileDisconnected (5 s), so that the reloads after the bound are seen too. Set
   * {@code -Dtc.outage.millis=15000} for the longer run quoted in the README.
   */
  static final Duration OUTAGE = Duration.ofMillis(Long.getLong("tc.outage.millis", 6_500));
  static final int WARM_KEYS = 1_000;

  @Test
  void duringAnOutageNodesKeepAnsweringWithoutAStampede(RedisServer redis) {
    VersionedStore db = new VersionedStore();
    AtomicInteger loads = new AtomicInteger();
    Function<String, Long> loader = key -> {
      loads.incrementAndGet();
      return db.read(key);
    };
    try (Cluster cluster = new Cluster(redis.uri(), Transport.PUBSUB)) {
      Cluster.Node a = cluster.node("a", loader);
      Cluster.Node b = cluster.node("b", loader);
      List<String> keys = new ArrayList<>();
      for (int i = 0; i < WARM_KEYS; i++) {
        keys.add("k" + i);
      }
      for (String key : keys) {
        a.cache.get(key);
      }
      for (String key : keys) {
        b.cache.get(key); // from Redis
      }
      assertThat(loads).as("B found A's fills in Redis").hasValue(WARM_KEYS);
      long oldOfK0 = b.cache.get("k0");

      redis.stop();
      long down = System.nanoTime();
      long written = db.write("k0");
      a.cache.invalidate("k0"); // neither Redis nor the bus can carry it to B
      int loadsBefore = loads.get();
      CacheStats statsA = a.cache.stats();
      CacheStats statsB = b.cache.stats();
      long gets = 0;
      long staleUntil = down;
      for (int sweep = 0; sweep < 10_000 && System.nanoTime() - down < OUTAGE.toNanos(); sweep++) {
        for (String key : keys) {
          a.cache.get(key);
          b.cache.get(key);
          gets += 2;
        }
        if (b.cache.get("k0") == oldOfK0) {
          staleUntil = System.nanoTime();
        }
        sleepQuietly(20);
      }
      int outageLoads = loads.get() - loadsBefore;
      long l1Served = a.cache.stats().l1Hits() - statsA.l1Hits() + b.cache.stats().l1Hits() - statsB.l1Hits();
      Duration stale = Duration.ofNanos(staleUntil - down);
      Duration bound = a.cache.policy().staleWhileDisconnected();
      System.out.printf("outage of %d ms, 2 nodes x %d keys: %d gets, %.1f%% from L1, %d loader calls; "
          + "B served the value A invalidated during the outage for %d ms (bound %d ms)%n",
          OUTAGE.toMillis(), WARM_KEYS, gets, 100.0 * l1Served / gets, outageLoads, stale.toMillis(), bound.toMillis());

      // No stampede: each node reloads each key at most once per bound, not once per get.
      long periods = OUTAGE.toNanos() / bound.toNanos() + 1;
      assertThat(outageLoads).isLessThanOrEqualTo((int) (2 * WARM_KEYS * periods) + 10);
      assertThat(l1Served).as("most gets answered from L1").isGreaterThan(gets / 2);
      // B could not hear the invalidation: it keeps the old value no longer than the bound.
      assertThat(stale).isLessThanOrEqualTo(bound.plus(RECOVERY_BOUND));
      if (OUTAGE.compareTo(bound.plusSeconds(1)) > 0) {
        assertThat(b.cache.get("k0")).isEqualTo(written);
      }

      redis.start();
      long up = System.nanoTime(); // Redis answers from here on
      AtomicInteger probe = new AtomicInteger();
      // Within the breaker's 1 s open state and a fresh connection (the margin is for a busy machine).
      Awaitility.await().atMost(Duration.ofSeconds(3)).pollInterval(Duration.ofMillis(20)).until(() -> {
        String key = "fresh-" + probe.incrementAndGet();
        a.cache.get(key);
        return b.cache.getIfPresent(key) != null;
      });
      System.out.printf("Redis back: the nodes share through it again after %d ms%n",
          TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - up));
      long rewritten = db.write("k1");
      a.cache.invalidate("k1");
      Awaitility.await().atMost(Cluster.STALENESS_BOUND).pollInterval(Duration.ofMillis(5))
          .until(() -> b.cache.get("k1") == rewritten);
    }
  }

  private static void sleepQuietly(long millis) {
    try {
      Thread.sleep(millis);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
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
