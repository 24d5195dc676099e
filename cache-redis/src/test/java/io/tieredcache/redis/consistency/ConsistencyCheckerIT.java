package io.tieredcache.redis.consistency;

import static org.assertj.core.api.Assertions.assertThat;

import io.tieredcache.testkit.RedisExtension;
import io.tieredcache.testkit.RedisServer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * The randomized multi-node {@link Checker} with a healthy Redis, over both buses, with
 * {@code invalidateAll} in the mix: 0 stale reads past the bound.
 */
@ExtendWith(RedisExtension.class)
class ConsistencyCheckerIT {

  static final int NODES = 3;
  static final Duration RUN = Duration.ofSeconds(6);

  @ParameterizedTest
  @EnumSource(Transport.class)
  void noReadReturnsAVersionOlderThanAnInvalidatedWriteOnceTheBoundHasPassed(Transport transport, RedisServer redis)
      throws Exception {
    VersionedStore db = new VersionedStore();
    Checker.Result result;
    try (Cluster cluster = new Cluster(redis.uri(), transport)) {
      List<Cluster.Node> nodes = new ArrayList<>();
      for (int n = 0; n < NODES; n++) {
        nodes.add(cluster.node("n" + n, db::read));
      }
      result = Checker.run(nodes, db, RUN, 50, Cluster.STALENESS_BOUND);
      for (Cluster.Node node : nodes) {
        var stats = node.cache.stats();
        System.out.printf("checker %s node %s: l1 hits %d, misses %d, loads %d, invalidations received %d, "
            + "loss flushes %d, bus %s%n", transport, node.name, stats.l1Hits(), stats.l1Misses(), stats.loadCount(),
            stats.invalidationsReceived(), stats.lossFlushes(), node.bus.stats());
      }
    }
    System.out.printf("checker %s: %d nodes, %d keys, %d reads, %d writes (some invalidateAll) in %d s -> "
        + "%d violations, max staleness %d ms%n", transport, NODES, Checker.KEYS, result.reads(), result.writes(),
        RUN.toSeconds(), result.violations().size(), result.maxStaleness().toMillis());
    assertThat(result.writes()).isGreaterThan(100);
    assertThat(result.reads()).isGreaterThan(1_000);
    assertThat(result.violations()).as("stale reads past the bound").isEmpty();
  }
}
