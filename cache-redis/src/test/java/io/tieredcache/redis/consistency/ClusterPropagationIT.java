package io.tieredcache.redis.consistency;

import static org.assertj.core.api.Assertions.assertThat;

import io.tieredcache.testkit.RedisClusterServers;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/**
 * {@link CrossProcessPropagationIT} on a Redis Cluster of three primaries and three replicas:
 * eight nodes in four JVMs (two here, two in each of three child processes), each with its own
 * cluster client and pub/sub bus; one node invalidates a key and each of the seven others reports
 * when the key left its L1. Prints p50/p99/max, and how much of it the writer's own {@code
 * invalidate()} call takes; no delay may exceed the staleness bound.
 */
class ClusterPropagationIT {

  @Test
  void anInvalidationReachesSevenNodesInFourJvmsOnAClusterWithinTheBound() throws Exception {
    String cacheName = "xpc-" + UUID.randomUUID();
    String channel = "inv-" + UUID.randomUUID();
    List<NodeProcess.Handle> children = new ArrayList<>();
    try (RedisClusterServers redis = RedisClusterServers.startWithReplicas()) {
      String seeds = String.join(",", redis.uris());
      try (WatchingNodes here = new WatchingNodes(seeds, cacheName, channel, CrossProcessPropagationIT.NODES_PER_PROCESS)) {
        for (int i = 0; i < CrossProcessPropagationIT.CHILD_PROCESSES; i++) {
          children.add(new NodeProcess.Handle(WatchingNodes.class, seeds, cacheName, channel,
              Integer.toString(CrossProcessPropagationIT.NODES_PER_PROCESS)));
        }
        for (NodeProcess.Handle child : children) {
          assertThat(child.readLine()).isEqualTo("ready");
        }
        List<Long> delays = new ArrayList<>();
        List<Long> invalidateNanos = new ArrayList<>();
        int missing = 0;
        int trials = CrossProcessPropagationIT.TRIALS;
        for (int trial = 0; trial < trials; trial++) {
          String key = "k" + trial;
          long version = trial + 1;
          for (NodeProcess.Handle child : children) {
            child.tell("arm " + key + " " + version);
          }
          for (NodeProcess.Handle child : children) {
            assertThat(child.readLine()).isEqualTo("armed");
          }
          here.arm(key, version);
          long started = System.nanoTime();
          here.caches.get(0).invalidate(key); // the writer: node 0 of this JVM
          invalidateNanos.add(System.nanoTime() - started);
          long[] local = here.report();
          for (int n = 1; n < local.length; n++) {
            missing += record(delays, local[n], started);
          }
          for (NodeProcess.Handle child : children) {
            child.tell("report");
          }
          for (NodeProcess.Handle child : children) {
            String[] words = child.readLine().split(" ");
            for (int n = 1; n < words.length; n++) {
              missing += record(delays, Long.parseLong(words[n]), started);
            }
          }
        }
        long[] sorted = delays.stream().mapToLong(Long::longValue).sorted().toArray();
        System.out.printf("cluster propagation, 8 nodes in 4 JVMs on 3+3 Redis Cluster, %d trials x 7 receivers: "
            + "p50 %.2f ms, p99 %.2f ms, max %.2f ms, not received %d%n", trials,
            sorted[sorted.length / 2] / 1e6, sorted[sorted.length * 99 / 100] / 1e6, sorted[sorted.length - 1] / 1e6,
            missing);
        long[] inv = invalidateNanos.stream().mapToLong(Long::longValue).sorted().toArray();
        System.out.printf("cluster propagation: of which the writer's invalidate() call (the Redis write that comes "
            + "before the publish) p50 %.2f ms, p99 %.2f ms%n", inv[inv.length / 2] / 1e6, inv[inv.length * 99 / 100] / 1e6);
        assertThat(missing).isZero();
        assertThat(sorted[sorted.length - 1]).isLessThanOrEqualTo(Cluster.STALENESS_BOUND.toNanos());
      } finally {
        for (NodeProcess.Handle child : children) {
          child.close();
        }
      }
    }
  }

  private static int record(List<Long> delays, long goneAt, long started) {
    if (goneAt < 0) {
      return 1;
    }
    delays.add(Math.max(0, goneAt - started));
    return 0;
  }
}
