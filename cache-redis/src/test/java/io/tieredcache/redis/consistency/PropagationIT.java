package io.tieredcache.redis.consistency;

import static org.assertj.core.api.Assertions.assertThat;

import io.tieredcache.testkit.RedisExtension;
import io.tieredcache.testkit.RedisServer;
import java.time.Duration;
import java.util.Arrays;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Node A writes and invalidates; how long until node B stops serving the old value? Measured over
 * 500 trials per transport; no trial may exceed the documented staleness bound.
 */
@ExtendWith(RedisExtension.class)
class PropagationIT {

  static final int TRIALS = 500;

  @ParameterizedTest
  @EnumSource(Transport.class)
  void anInvalidationOnOneNodeReachesTheOtherWithinTheBound(Transport transport, RedisServer redis) {
    VersionedStore db = new VersionedStore();
    try (Cluster cluster = new Cluster(redis.uri(), transport)) {
      Cluster.Node a = cluster.node("a", db::read);
      Cluster.Node b = cluster.node("b", db::read);
      long[] delays = new long[TRIALS];
      long bound = Cluster.STALENESS_BOUND.toNanos();
      for (int i = 0; i < TRIALS; i++) {
        String key = "k" + (i % 50);
        long old = b.cache.get(key);
        assertThat(b.cache.getIfPresent(key)).isEqualTo(old);
        db.write(key);
        a.cache.invalidate(key);
        long invalidated = System.nanoTime();
        // Spin (bounded by the staleness bound plus a margin) until B no longer holds the old value.
        // getIfPresent answers from B's L1 while it holds the key, then from Redis (where it is gone).
        while (Long.valueOf(old).equals(b.cache.getIfPresent(key))) {
          if (System.nanoTime() - invalidated > bound * 2) {
            break;
          }
          Thread.onSpinWait();
        }
        delays[i] = System.nanoTime() - invalidated;
        assertThat(b.cache.get(key)).as("B reads the new version after the invalidation").isGreaterThan(old);
      }
      Arrays.sort(delays);
      System.out.printf("propagation %s over %d trials: p50 %.3f ms, p99 %.3f ms, max %.3f ms%n", transport, TRIALS,
          delays[TRIALS / 2] / 1e6, delays[TRIALS * 99 / 100] / 1e6, delays[TRIALS - 1] / 1e6);
      assertThat(Duration.ofNanos(delays[TRIALS - 1])).isLessThanOrEqualTo(Cluster.STALENESS_BOUND);
    }
  }
}
