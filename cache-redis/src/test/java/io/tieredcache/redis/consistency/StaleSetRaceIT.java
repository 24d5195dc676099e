package io.tieredcache.redis.consistency;

import static org.assertj.core.api.Assertions.assertThat;

import io.tieredcache.testkit.RedisExtension;
import io.tieredcache.testkit.RedisServer;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.function.Function;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The stale-set race of Facebook's memcache paper: B's loader reads v1 and stalls; A writes v2 and
 * invalidates; B's loader returns v1. Afterwards neither Redis nor any L1 may serve v1.
 */
@ExtendWith(RedisExtension.class)
class StaleSetRaceIT {

  /** A loader that reads the store and then runs the test's hook (to stall it), if one is set. */
  static final class HookedLoader implements Function<String, Long> {
    private final VersionedStore db;
    volatile Runnable afterRead = () -> {};

    HookedLoader(VersionedStore db) {
      this.db = db;
    }

    @Override
    public Long apply(String key) {
      long version = db.read(key);
      afterRead.run();
      return version;
    }
  }

  @Test
  void aSlowLoaderCannotWriteAValueOlderThanAnInvalidationAnywhere(RedisServer redis) throws Exception {
    VersionedStore db = new VersionedStore();
    HookedLoader bLoader = new HookedLoader(db);
    try (Cluster cluster = new Cluster(redis.uri(), Transport.PUBSUB)) {
      Cluster.Node a = cluster.node("a", db::read);
      Cluster.Node b = cluster.node("b", bLoader);
      Cluster.Node observer = cluster.node("observer", db::read);
      long v1 = db.read("k");
      assertThat(a.cache.get("k")).isEqualTo(v1); // A holds v1 in L1 (and Redis has it)
      a.cache.invalidate("k");

      CountDownLatch readV1 = new CountDownLatch(1);
      CountDownLatch written = new CountDownLatch(1);
      bLoader.afterRead = () -> {
        readV1.countDown();
        awaitQuietly(written);
      };
      CompletableFuture<Long> slowRead = CompletableFuture.supplyAsync(() -> b.cache.get("k"));
      assertThat(readV1.await(10, TimeUnit.SECONDS)).isTrue();
      bLoader.afterRead = () -> {};

      long v2 = db.write("k");
      a.cache.invalidate("k");
      written.countDown();

      assertThat(slowRead.get(10, TimeUnit.SECONDS)).as("B's caller gets what its loader read").isEqualTo(v1);
      // At once, without waiting for any message: v1 was installed nowhere.
      assertThat(observer.cache.getIfPresent("k")).as("Redis does not hold v1").isNull();
      assertThat(b.cache.getIfPresent("k")).as("B's L1 does not hold v1").isNull();
      assertThat(a.cache.getIfPresent("k")).isNull();
      assertThat(b.cache.get("k")).isEqualTo(v2);
      assertThat(a.cache.get("k")).isEqualTo(v2);
      assertThat(observer.cache.get("k")).isEqualTo(v2);
    }
  }

  @Test
  void randomizedRacesNeverLeaveAnOlderValueBehind(RedisServer redis) throws Exception {
    VersionedStore db = new VersionedStore();
    HookedLoader bLoader = new HookedLoader(db);
    bLoader.afterRead = () -> pauseUpTo(1_000_000);
    int iterations = 2_000;
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
    int ran = 0;
    int bGotOld = 0;
    try (Cluster cluster = new Cluster(redis.uri(), Transport.PUBSUB)) {
      Cluster.Node a = cluster.node("a", db::read);
      Cluster.Node b = cluster.node("b", bLoader);
      Cluster.Node observer = cluster.node("observer", db::read);
      for (int i = 0; i < iterations && System.nanoTime() < deadline; i++, ran++) {
        String key = "race-" + (i % 20);
        CompletableFuture<Long> read = CompletableFuture.supplyAsync(() -> b.cache.get(key));
        pauseUpTo(500_000);
        long written = db.write(key);
        a.cache.invalidate(key);
        long readVersion = read.get(10, TimeUnit.SECONDS);
        if (readVersion < written) {
          bGotOld++;
        }
        // Redis is fenced by the lease: strictly, at once.
        Long inRedis = observer.cache.getIfPresent(key);
        assertThat(inRedis == null || inRedis >= written)
            .as("iteration %d: Redis holds %s after version %d was written and invalidated", i, inRedis, written)
            .isTrue();
        // Every L1 drops older values within the staleness bound.
        int iteration = i;
        Awaitility.await().atMost(Cluster.STALENESS_BOUND).pollInterval(java.time.Duration.ofMillis(1))
            .untilAsserted(() -> {
              for (Cluster.Node node : java.util.List.of(a, b)) {
                Long inL1 = node.cache.getIfPresent(key);
                assertThat(inL1 == null || inL1 >= written)
                    .as("iteration %d: %s serves %s after version %d", iteration, node, inL1, written).isTrue();
              }
            });
      }
    }
    System.out.printf("stale-set race: %d randomized iterations, B's caller got the pre-write version in %d "
        + "of them, none left an older value behind%n", ran, bGotOld);
    assertThat(ran).isGreaterThanOrEqualTo(500);
  }

  private static void pauseUpTo(long nanos) {
    LockSupport.parkNanos(ThreadLocalRandom.current().nextLong(nanos));
  }

  private static void awaitQuietly(CountDownLatch latch) {
    try {
      if (!latch.await(10, TimeUnit.SECONDS)) {
        throw new IllegalStateException("latch not released");
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
