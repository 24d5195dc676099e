package io.tieredcache.redis.consistency;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.lettuce.core.RedisURI;
import io.lettuce.core.cluster.RedisClusterClient;
import io.tieredcache.redis.bus.PubSubBusOptions;
import io.tieredcache.redis.bus.PubSubInvalidationBus;
import io.tieredcache.testkit.RedisClusterServers;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;
import org.junit.jupiter.api.Test;

/**
 * How many invalidations per second the pub/sub bus carries on a local 3+3 Redis Cluster before a
 * receiver has to flush for loss: one publisher bus (its own cluster client) publishes single-key
 * invalidations at a rate that rises step by step; three receiving nodes (each its own client, bus
 * and cache) count what reaches them. The ramp stops at the first step after which any receiver
 * reported a loss (a gap, a deaf spell or a silent node: its L1 flushed) or lagged, or at the last
 * step. Prints each step; the first step must pass. Keys published while an earlier publish is in
 * flight are coalesced into one message, so the message rate grows far slower than the key rate;
 * at the top steps the single publishing thread, not the bus, may set the pace (the printed
 * achieved rate says so).
 */
class ClusterBusThroughputIT {

  static final int[] RATES = {1_000, 10_000, 100_000, 500_000};
  static final Duration STEP = Duration.ofSeconds(1);
  static final int RECEIVERS = 3;

  @Test
  void theBusCarriesAThousandInvalidationsASecondWithoutLossAndPrintsWhereItStops() {
    String cacheName = "tp-" + UUID.randomUUID();
    String channel = "inv-" + UUID.randomUUID();
    try (RedisClusterServers redis = RedisClusterServers.startWithReplicas()) {
      List<ClusterNode> receivers = new ArrayList<>();
      List<RedisURI> seeds = new ArrayList<>();
      redis.uris().forEach(uri -> seeds.add(RedisURI.create(uri)));
      RedisClusterClient publisherClient = RedisClusterClient.create(seeds);
      try (PubSubInvalidationBus publisher = PubSubInvalidationBus.create(publisherClient,
          PubSubBusOptions.builder().channel(channel).build())) {
        for (int n = 0; n < RECEIVERS; n++) {
          receivers.add(new ClusterNode("r" + n, redis.uris(), cacheName, channel, Duration.ofSeconds(1), key -> 1L));
        }
        for (ClusterNode node : receivers) {
          await().atMost(Duration.ofSeconds(20)).until(() -> node.bus.isHearing());
        }
        long published = 0;
        int sustained = 0;
        AtomicLong failed = new AtomicLong();
        for (int rate : RATES) {
          long lossBefore = losses(receivers);
          long stepStart = System.nanoTime();
          long sent = publishAt(publisher, cacheName, rate, failed);
          long elapsed = System.nanoTime() - stepStart;
          published += sent;
          long expected = published;
          // Bounded wait for the receivers to catch up (a lagging receiver is a failed step too).
          long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(3);
          while (System.nanoTime() < deadline && !allReceived(receivers, expected)) {
            LockSupport.parkNanos(10_000_000);
          }
          boolean caughtUp = allReceived(receivers, expected);
          // A heartbeat timeout later, any silence or gap of this step has been reported.
          LockSupport.parkNanos(PubSubBusOptions.DEFAULT_HEARTBEAT_TIMEOUT.toNanos() + 250_000_000L);
          long lost = losses(receivers) - lossBefore;
          System.out.printf("cluster bus throughput: target %d/s, published %d in %d ms (%.0f/s), publish failures %d, "
              + "receivers caught up %s, losses %d, messages sent so far %d%n", rate, sent, elapsed / 1_000_000,
              sent * 1e9 / elapsed, failed.get(), caughtUp, lost, publisher.stats().messagesSent());
          if (lost > 0 || !caughtUp || failed.get() > 0) {
            break;
          }
          sustained = rate;
        }
        System.out.printf("cluster bus throughput: sustained %d invalidations/s (single keys, one publisher, %d receivers) "
            + "before a receiver flushed for loss or lagged%n", sustained, RECEIVERS);
        assertThat(sustained).isGreaterThanOrEqualTo(RATES[0]);
      } finally {
        for (ClusterNode node : receivers) {
          node.close();
        }
        publisherClient.shutdown(Duration.ZERO, Duration.ofSeconds(2));
      }
    }
  }

  /** Publishes single-key invalidations at {@code rate} per second for one step, paced per millisecond. */
  private static long publishAt(PubSubInvalidationBus bus, String cacheName, int rate, AtomicLong failed) {
    long start = System.nanoTime();
    long end = start + STEP.toNanos();
    long sent = 0;
    for (int tick = 0; tick < STEP.toMillis() * 2 && System.nanoTime() < end; tick++) {
      long due = (System.nanoTime() - start) * rate / 1_000_000_000L;
      for (; sent < due; sent++) {
        bus.publish(cacheName, List.of("k" + sent)).whenComplete((ok, failure) -> {
          if (failure != null) {
            failed.incrementAndGet();
          }
        });
      }
      LockSupport.parkNanos(1_000_000);
    }
    return sent;
  }

  private static boolean allReceived(List<ClusterNode> receivers, long keys) {
    return receivers.stream().allMatch(node -> node.cache.stats().invalidationsReceived() >= keys);
  }

  private static long losses(List<ClusterNode> receivers) {
    long total = 0;
    for (ClusterNode node : receivers) {
      var stats = node.cache.stats();
      total += stats.lossFlushes() + stats.busOutages();
    }
    return total;
  }
}
