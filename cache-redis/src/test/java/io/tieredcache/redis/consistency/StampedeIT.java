package io.tieredcache.redis.consistency;

import static org.assertj.core.api.Assertions.assertThat;

import io.tieredcache.testkit.RedisExtension;
import io.tieredcache.testkit.RedisServer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Cluster-wide single-flight: many callers on several nodes miss the same cold key at once, and
 * the loader runs exactly once across all of them (the fill lease), while every caller gets the
 * value.
 */
@ExtendWith(RedisExtension.class)
class StampedeIT {

  static final int THREADS_PER_NODE = 32;
  static final int KEYS = 20;

  private final ExecutorService pool = Executors.newCachedThreadPool();

  @AfterEach
  void stopThreads() {
    pool.shutdownNow();
  }

  @Test
  void twoNodesTimesThirtyTwoThreadsLoadEachColdKeyOnce(RedisServer redis) throws Exception {
    AtomicInteger loads = new AtomicInteger();
    // Single-flight across nodes holds while Redis answers the lease calls within the tier's limit;
    // a limit far above this loaded machine's scheduling hiccups tests that, not the limit.
    try (Cluster cluster = new Cluster(redis.uri(), Transport.PUBSUB).redisTimeout(Duration.ofSeconds(2))) {
      Cluster.Node a = cluster.node("a", key -> slowLoad(loads, key));
      Cluster.Node b = cluster.node("b", key -> slowLoad(loads, key));
      a.cache.get("warm-up"); // open both nodes' connections before the measured stampedes
      b.cache.get("warm-up");
      List<Integer> loadsPerKey = new ArrayList<>();
      for (int k = 0; k < KEYS; k++) {
        String key = "cold-" + k;
        int before = loads.get();
        CountDownLatch start = new CountDownLatch(1);
        List<Future<Long>> reads = new ArrayList<>();
        for (Cluster.Node node : List.of(a, b)) {
          for (int t = 0; t < THREADS_PER_NODE; t++) {
            reads.add(pool.submit(() -> {
              start.await();
              return node.cache.get(key);
            }));
          }
        }
        start.countDown();
        for (Future<Long> read : reads) {
          assertThat(read.get(30, TimeUnit.SECONDS)).isEqualTo(NodeProcess.valueOf(key));
        }
        loadsPerKey.add(loads.get() - before);
      }
      System.out.printf("stampede: %d keys x 2 nodes x %d threads -> loader calls per key %s%n",
          KEYS, THREADS_PER_NODE, loadsPerKey);
      assertThat(loadsPerKey).containsOnly(1);
    }
  }

  @Test
  void aNodeInAnotherProcessJoinsTheSameSingleFlight(RedisServer redis) throws Exception {
    AtomicInteger loads = new AtomicInteger();
    try (Cluster cluster = new Cluster(redis.uri(), Transport.PUBSUB);
        NodeProcess.Handle other = new NodeProcess.Handle(redis.uri(), cluster.cacheName, cluster.channel)) {
      Cluster.Node here = cluster.node("here", key -> slowLoad(loads, key));
      // Warm both JVMs up first: on a cold JVM a lease call may overrun the tier's time limit,
      // and a node that cannot get a lease answers by loading (availability over single-flight).
      assertThat(other.ask("arm warm-up 1")).isEqualTo("armed");
      other.tell("go");
      assertThat(other.readLine()).startsWith("done");
      here.cache.get("warm-up");
      for (int k = 0; k < 5; k++) {
        String key = "cross-process-" + k;
        int before = loads.get();
        assertThat(other.ask("arm " + key + " " + THREADS_PER_NODE)).isEqualTo("armed");
        CountDownLatch start = new CountDownLatch(1);
        List<Future<Long>> reads = new ArrayList<>();
        for (int t = 0; t < THREADS_PER_NODE; t++) {
          reads.add(pool.submit(() -> {
            start.await();
            return here.cache.get(key);
          }));
        }
        other.tell("go");
        start.countDown();
        for (Future<Long> read : reads) {
          assertThat(read.get(30, TimeUnit.SECONDS)).isEqualTo(NodeProcess.valueOf(key));
        }
        String[] done = other.readLine().split(" ");
        assertThat(done[0]).isEqualTo("done");
        int otherLoads = Integer.parseInt(done[1]);
        assertThat(Integer.parseInt(done[2])).as("callers in the other process got the value").isEqualTo(THREADS_PER_NODE);
        assertThat(loads.get() - before + otherLoads).as("loader calls across both processes for " + key).isEqualTo(1);
      }
    }
  }

  private static long slowLoad(AtomicInteger loads, String key) {
    loads.incrementAndGet();
    try {
      Thread.sleep(50);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    return NodeProcess.valueOf(key);
  }
}
