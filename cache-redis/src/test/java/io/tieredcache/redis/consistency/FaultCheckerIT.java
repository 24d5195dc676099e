package io.tieredcache.redis.consistency;

import static org.assertj.core.api.Assertions.assertThat;

import io.tieredcache.testkit.IsolatedRedis;
import io.tieredcache.testkit.RedisAdmin;
import io.tieredcache.testkit.RedisServer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * The randomized {@link Checker} while Redis misbehaves mid-run, with {@code invalidateAll} in the
 * mix: paused, killed and restarted empty, or holding a large foreign keyspace. The nodes serve
 * their L1 at most {@link #STALE_WHILE_DISCONNECTED} while they cannot hear each other, so the
 * bound is that plus the bus's own bound (the time to notice).
 */
@IsolatedRedis
class FaultCheckerIT {

  static final int NODES = 3;
  static final Duration RUN = Duration.ofSeconds(8);
  static final Duration FAULT_AT = Duration.ofSeconds(2);
  static final Duration FAULT_FOR = Duration.ofMillis(2_000);
  static final Duration STALE_WHILE_DISCONNECTED = Duration.ofSeconds(1);
  static final Duration BOUND = STALE_WHILE_DISCONNECTED.plus(Cluster.STALENESS_BOUND);
  static final int FOREIGN_KEYS = 500_000;

  enum Fault {
    /** {@code CLIENT PAUSE}: every call times out, then Redis runs what it queued. */
    PAUSE,
    /** The process is killed and restarted without its data. */
    KILL_AND_RESTART,
    /** No fault, but half a million keys of other applications in the same database. */
    FOREIGN_KEYSPACE
  }

  @ParameterizedTest
  @EnumSource(Fault.class)
  void noReadIsStalerThanTheBoundWhateverRedisDoes(Fault fault, RedisServer redis) throws Exception {
    VersionedStore db = new VersionedStore();
    Checker.Result result;
    try (RedisAdmin admin = redis.admin();
        Cluster cluster = new Cluster(redis.uri(), Transport.PUBSUB).staleWhileDisconnected(STALE_WHILE_DISCONNECTED)) {
      if (fault == Fault.FOREIGN_KEYSPACE) {
        populate(admin, FOREIGN_KEYS);
      }
      List<Cluster.Node> nodes = new ArrayList<>();
      for (int n = 0; n < NODES; n++) {
        nodes.add(cluster.node("n" + n, db::read));
      }
      CompletableFuture<Void> faults = CompletableFuture.runAsync(() -> inject(fault, redis, admin));
      result = Checker.run(nodes, db, RUN, 50, BOUND);
      faults.get(30, TimeUnit.SECONDS);
      for (Cluster.Node node : nodes) {
        var stats = node.cache.stats();
        System.out.printf("fault %s node %s: l1 hits %d, loads %d, loss flushes %d, bus outages %d, "
            + "revalidations %d, repairs pending %d%n", fault, node.name, stats.l1Hits(), stats.loadCount(),
            stats.lossFlushes(), stats.busOutages(), stats.revalidations(), stats.repairsPending());
      }
    } finally {
      if (!redis.isRunning()) {
        redis.start();
      }
    }
    System.out.printf("fault %s: %d nodes, %d reads, %d writes in %d s -> %d violations of the %d ms bound, "
        + "max staleness %d ms%n", fault, NODES, result.reads(), result.writes(), RUN.toSeconds(),
        result.violations().size(), BOUND.toMillis(), result.maxStaleness().toMillis());
    assertThat(result.writes()).isGreaterThan(100);
    assertThat(result.reads()).isGreaterThan(1_000);
    assertThat(result.violations()).as("stale reads past the bound").isEmpty();
  }

  private static void inject(Fault fault, RedisServer redis, RedisAdmin admin) {
    sleep(FAULT_AT);
    switch (fault) {
      case PAUSE -> admin.pauseClients(FAULT_FOR);
      case KILL_AND_RESTART -> {
        redis.stop();
        sleep(FAULT_FOR);
        redis.start();
      }
      case FOREIGN_KEYSPACE -> { }
    }
  }

  /** Writes {@code count} keys of another application, in server-side batches (DEBUG is off). */
  private static void populate(RedisAdmin admin, int count) {
    int batch = 50_000;
    for (int from = 0; from < count; from += batch) {
      admin.command("EVAL", "for i = tonumber(ARGV[1]), tonumber(ARGV[2]) do "
          + "redis.call('SET', 'other-app:' .. i, 'some value of another application') end return 1",
          "0", Integer.toString(from), Integer.toString(Math.min(count, from + batch) - 1));
    }
  }

  private static void sleep(Duration duration) {
    try {
      Thread.sleep(duration.toMillis());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }
}
