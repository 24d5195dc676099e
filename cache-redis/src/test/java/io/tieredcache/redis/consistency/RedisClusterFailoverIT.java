package io.tieredcache.redis.consistency;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.lettuce.core.cluster.SlotHash;
import io.tieredcache.TieredCache;
import io.tieredcache.testkit.RedisAdmin;
import io.tieredcache.testkit.RedisClusterServers;
import io.tieredcache.testkit.RedisServer;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Three nodes, each with its own {@code RedisClusterClient} (Lettuce's defaults) and pub/sub bus,
 * on a local cluster of three primaries and three replicas, under the randomized {@link Checker}
 * (reads, writes, {@code invalidateAll}) while a primary fails over mid-run: planned
 * ({@code CLUSTER FAILOVER}) or by a crash (SIGKILL, then the cluster promotes the replica; the dead
 * node then comes back as a replica). No exception may escape a read, no read may be staler than
 * the bound, every write that could not reach Redis is repaired, and afterwards Redis holds no
 * value older than the store. Prints the time from the failover command until two nodes share
 * through the failed-over shard again and an invalidation reaches the other node.
 */
class RedisClusterFailoverIT {

  static final int NODES = 3;
  static final Duration RUN = Duration.ofSeconds(12);
  static final Duration FAULT_AT = Duration.ofSeconds(2);
  static final Duration STALE_WHILE_DISCONNECTED = Duration.ofSeconds(1);
  /** While a node cannot hear, it serves at most this old; the bus takes its own bound to notice. */
  static final Duration BOUND = STALE_WHILE_DISCONNECTED.plus(Cluster.STALENESS_BOUND);
  static final Duration RECOVERY_LIMIT = Duration.ofSeconds(60);

  enum Fault {
    /** {@code CLUSTER FAILOVER} on the replica: a planned switch, nothing acknowledged is lost. */
    MANUAL_FAILOVER,
    /** SIGKILL of the primary; the cluster promotes its replica after the node timeout. */
    KILLED_PRIMARY
  }

  /** How long the failover took, from the command (or the kill). */
  record Recovery(long rolesSwitchedMillis, long sharingAgainMillis) {}

  @ParameterizedTest
  @EnumSource(Fault.class)
  void callersSeeOnlyMissesAndTheBoundHoldsAcrossAFailover(Fault fault) throws Exception {
    VersionedStore db = new VersionedStore();
    String cacheName = "fo-" + UUID.randomUUID();
    String channel = "inv-" + UUID.randomUUID();
    try (RedisClusterServers redis = RedisClusterServers.startWithReplicas()) {
      List<ClusterNode> nodes = new ArrayList<>();
      try {
        for (int n = 0; n < NODES; n++) {
          nodes.add(new ClusterNode("n" + n, redis.uris(), cacheName, channel, STALE_WHILE_DISCONNECTED, db::read));
        }
        for (ClusterNode node : nodes) {
          await().atMost(Duration.ofSeconds(20)).until(() -> node.bus.isHearing());
        }
        RedisServer victim = victim(redis);
        List<String> subscribedThere = subscribersOn(victim, nodes);
        List<String> probeKeys = redis.keysServedBy(victim, "probe-", 200, RedisClusterFailoverIT::slotOf);
        System.out.printf("cluster %s: victim %s serves %s; subscriptions there: %s%n", fault, victim.port(),
            redis.keysServedBy(victim, "k", Checker.KEYS, RedisClusterFailoverIT::slotOf), subscribedThere);

        CompletableFuture<Recovery> faults = CompletableFuture.supplyAsync(
            () -> inject(fault, redis, victim, nodes.get(0).cache, nodes.get(1).cache, probeKeys, db));
        Checker.Result result = Checker.runOn(nodes.stream().map(ClusterNode::target).toList(), db, RUN,
            Integer.getInteger("tc.failover.invalidateAllEvery", 50), BOUND);
        Recovery recovery = faults.get(RECOVERY_LIMIT.toSeconds() * 3, TimeUnit.SECONDS);

        // Every write that could not reach Redis during the failover is repaired...
        await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(100))
            .until(() -> nodes.stream().allMatch(node -> node.cache.stats().repairsPending() == 0));
        long errors = 0;
        long outages = 0;
        for (ClusterNode node : nodes) {
          var stats = node.cache.stats();
          errors += stats.remoteErrorCount();
          outages += stats.busOutages() + stats.lossFlushes();
          System.out.printf("cluster %s node %s: l1 hits %d, l2 hits %d, loads %d, remote errors %s, loss flushes %d, "
              + "bus outages %d, revalidations %d, repairs abandoned %d%n", fault, node.name, stats.l1Hits(),
              stats.l2Hits(), stats.loadCount(), stats.remoteErrors(), stats.lossFlushes(), stats.busOutages(),
              stats.revalidations(), stats.repairsAbandoned());
          assertThat(stats.repairsAbandoned()).isZero();
        }
        System.out.printf("cluster %s: %d nodes, %d reads, %d writes in %d s -> %d violations of the %d ms bound, "
            + "max staleness %d ms; roles switched %d ms and nodes share and invalidate through the shard again "
            + "%d ms after the %s%n", fault, NODES, result.reads(), result.writes(), RUN.toSeconds(),
            result.violations().size(), BOUND.toMillis(), result.maxStaleness().toMillis(),
            recovery.rolesSwitchedMillis(), recovery.sharingAgainMillis(),
            fault == Fault.MANUAL_FAILOVER ? "CLUSTER FAILOVER" : "kill");
        // ...so a node with an empty L1 finds nothing older than the store in Redis.
        try (ClusterNode fresh = new ClusterNode("fresh", redis.uris(), cacheName, channel, STALE_WHILE_DISCONNECTED,
            db::read)) {
          List<String> all = new ArrayList<>(probeKeys);
          for (int k = 0; k < Checker.KEYS; k++) {
            all.add("k" + k);
          }
          for (String key : all) {
            Long inRedis = fresh.cache.getIfPresent(key);
            assertThat(inRedis == null || inRedis == db.read(key))
                .as("Redis holds %s=%s but the store has %d", key, inRedis, db.read(key)).isTrue();
          }
        }

        assertThat(result.writes()).isGreaterThan(100);
        assertThat(result.reads()).isGreaterThan(1_000);
        assertThat(result.violations()).as("stale reads past the bound").isEmpty();
        if (fault == Fault.KILLED_PRIMARY) {
          assertThat(errors).as("the crash reached the nodes (as misses, never as exceptions)").isPositive();
          if (!subscribedThere.isEmpty()) {
            assertThat(outages).as("nodes subscribed on the killed primary noticed they may have missed something")
                .isPositive();
          }
        }
      } finally {
        for (ClusterNode node : nodes) {
          try {
            node.close();
          } catch (RuntimeException e) {
            // closing the rest matters more
          }
        }
      }
    }
  }

  /**
   * Fails {@code victim} over mid-run, then measures until a value one node loads on the
   * victim's slots is found by another in Redis, and an invalidation reaches that other node.
   */
  private static Recovery inject(Fault fault, RedisClusterServers redis, RedisServer victim,
      TieredCache<String, Long> a, TieredCache<String, Long> b, List<String> probeKeys, VersionedStore db) {
    sleep(FAULT_AT);
    long started = System.nanoTime();
    if (fault == Fault.MANUAL_FAILOVER) {
      redis.failover(victim);
    } else {
      redis.kill(victim);
    }
    long switched = System.nanoTime();
    int[] next = {0};
    await().atMost(RECOVERY_LIMIT).pollInterval(Duration.ofMillis(20)).until(() -> {
      String key = probeKeys.get(next[0]++ % probeKeys.size());
      db.write(key);
      a.invalidate(key);
      long version = a.get(key);
      if (b.policy().getIfPresentInL1(key) != null || b.getIfPresent(key) == null || b.get(key) != version) {
        return false; // B did not find A's fill in Redis
      }
      long newer = db.write(key);
      a.invalidate(key);
      long deadline = System.nanoTime() + Cluster.STALENESS_BOUND.toNanos();
      while (b.policy().getIfPresentInL1(key) != null && System.nanoTime() < deadline) {
        Thread.onSpinWait();
      }
      return b.policy().getIfPresentInL1(key) == null && b.get(key) == newer;
    });
    long shared = System.nanoTime();
    if (fault == Fault.KILLED_PRIMARY) {
      redis.restart(victim); // back as a replica, while the nodes keep running
    }
    return new Recovery((switched - started) / 1_000_000, (shared - started) / 1_000_000);
  }

  /** The primary serving the slot of the checker's first key. */
  private static RedisServer victim(RedisClusterServers redis) {
    return redis.primaryForSlot(slotOf("k0"));
  }

  /** Names of the nodes whose bus subscription is connected to {@code server}. */
  private static List<String> subscribersOn(RedisServer server, List<ClusterNode> nodes) {
    String clients;
    try (RedisAdmin admin = server.admin()) {
      clients = String.valueOf(admin.command("CLIENT", "LIST"));
    }
    List<String> names = new ArrayList<>();
    for (ClusterNode node : nodes) {
      String sanitized = node.bus.nodeId().replaceAll("[^A-Za-z0-9._-]", "_");
      String name = "tiered-cache-bus:" + sanitized.substring(0, Math.min(64, sanitized.length())) + ":subscribe";
      if (clients.contains(name)) {
        names.add(node.name);
      }
    }
    return names;
  }

  /** The cluster slot of a cache key: the tier's hash tag is the first 8 hex digits of its SHA-256. */
  static int slotOf(String key) {
    try {
      byte[] digest = MessageDigest.getInstance("SHA-256").digest(key.getBytes(StandardCharsets.UTF_8));
      return SlotHash.getSlot(HexFormat.of().formatHex(digest).substring(0, 8));
    } catch (java.security.NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
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
