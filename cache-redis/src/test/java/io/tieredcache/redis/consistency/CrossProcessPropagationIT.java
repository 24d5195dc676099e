package io.tieredcache.redis.consistency;

import io.tieredcache.testkit.RedisExtension;
import io.tieredcache.testkit.RedisServer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Eight nodes in four JVMs (two here, two in each of three child processes) on one Redis: one
 * node invalidates a key, and each of the seven others reports when the key left its L1. Prints
 * p50/p99/max of the propagation delay; no delay may exceed the staleness bound.
 */
@ExtendWith(RedisExtension.class)
class CrossProcessPropagationIT {

  @Test
  void anInvalidationReachesSevenNodesInFourJvmsWithinTheBound(RedisServer redis) throws Exception {
    PropagationTrials trials = PropagationTrials.run(redis.uri(), "xp-");
    System.out.println("cross-process propagation, 8 nodes in 4 JVMs, " + trials.summary());
    trials.assertAllWithinTheBound();
  }
}
