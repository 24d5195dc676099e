package io.tieredcache.redis.consistency;

import io.tieredcache.testkit.RedisClusterServers;
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
    try (RedisClusterServers redis = RedisClusterServers.startWithReplicas()) {
      PropagationTrials trials = PropagationTrials.run(String.join(",", redis.uris()), "xpc-");
      System.out.println("cluster propagation, 8 nodes in 4 JVMs on 3+3 Redis Cluster, " + trials.summary());
      System.out.printf("cluster propagation: of which the writer's invalidate() call (the Redis write that comes "
          + "before the publish) p50 %.2f ms, p99 %.2f ms%n", PropagationTrials.millisAt(trials.invalidateNanos, 50),
          PropagationTrials.millisAt(trials.invalidateNanos, 99));
      trials.assertAllWithinTheBound();
    }
  }
}
