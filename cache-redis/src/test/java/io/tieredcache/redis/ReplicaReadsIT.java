package io.tieredcache.redis;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.lettuce.core.ReadFrom;
import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisURI;
import io.lettuce.core.cluster.RedisClusterClient;
import io.lettuce.core.cluster.SlotHash;
import io.tieredcache.KeyCodec;
import io.tieredcache.TieredCache;
import io.tieredcache.redis.bus.PubSubInvalidationBus;
import io.tieredcache.testkit.RedisAdmin;
import io.tieredcache.testkit.RedisClusterServers;
import io.tieredcache.testkit.RedisServer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * {@link RedisTier.Builder#readFrom}: values read from replicas only when asked, and a write's
 * invalidation reaches other nodes only once every replica has the write, on a local cluster of
 * three primaries and three replicas.
 */
class ReplicaReadsIT {

  /** Keeps a replica's event loop busy (it applies nothing from its primary meanwhile) for ARGV[1] ms. */
  private static final String BUSY = "#!lua flags=no-writes\n"
      + "local t = redis.call('TIME') local start = t[1] * 1000 + t[2] / 1000 "
      + "while true do local n = redis.call('TIME') "
      + "if n[1] * 1000 + n[2] / 1000 - start > tonumber(ARGV[1]) then break end end return 1";

  private static RedisClusterServers cluster;
  private final List<AutoCloseable> open = new ArrayList<>();
  private final Map<String, String> store = new ConcurrentHashMap<>();
  private final String prefix = Tiers.uniquePrefix();

  @BeforeAll
  static void start() {
    cluster = RedisClusterServers.startWithReplicas();
    RedisClusterClient probe = client();
    try {
      await().atMost(Duration.ofSeconds(20)).pollInterval(Duration.ofMillis(200)).ignoreExceptions().until(() -> {
        try (var connection = probe.connect()) {
          return "PONG".equals(connection.sync().ping());
        }
      });
      // Lettuce reads only from replicas whose replication offset is not 0 (its rule for a replica
      // that holds data); a fresh cluster's may be: one write per shard moves them.
      try (var connection = probe.connect()) {
        for (int i = 0; i < 64; i++) {
          connection.sync().set("warm-" + i, "x");
        }
      }
      await().atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(100)).until(() -> cluster.replicas().stream()
          .allMatch(replica -> {
            try (RedisAdmin admin = replica.admin()) {
              return admin.info("replication").matches("(?s).*master_repl_offset:[1-9].*");
            }
          }));
    } finally {
      probe.shutdown();
    }
  }

  @AfterAll
  static void stop() {
    if (cluster != null) {
      cluster.close();
    }
  }

  @AfterEach
  void closeNodes() throws Exception {
    for (int i = open.size() - 1; i >= 0; i--) {
      AutoCloseable closeable = open.get(i);
      if (closeable instanceof RedisClusterClient client) {
        client.shutdown(0, 2, TimeUnit.SECONDS);
      } else {
        closeable.close();
      }
    }
  }

  private static RedisClusterClient client() {
    List<RedisURI> seeds = new ArrayList<>();
    cluster.uris().forEach(uri -> seeds.add(RedisURI.create(uri)));
    return RedisClusterClient.create(seeds);
  }

  /** A node: its own client, bus and cache over the shared store; {@code readFrom} null = option off. */
  private TieredCache<String, String> node(String cacheName, ReadFrom readFrom, Duration timeout) {
    RedisClusterClient client = client();
    open.add(client);
    PubSubInvalidationBus bus = PubSubInvalidationBus.create(client);
    open.add(bus);
    RedisTier.Builder<String> tier = RedisTier.builder(client).keyPrefix(prefix).timeout(timeout).valueType(String.class);
    if (readFrom != null) {
      tier.readFrom(readFrom);
    }
    TieredCache<String, String> cache = TieredCache.builder(cacheName).keyCodec(KeyCodec.strings())
        .remoteTier(tier.build()).invalidationBus(bus)
        .build(key -> store.getOrDefault(key, "none"));
    open.add(cache);
    return cache;
  }

  private static long replicaValueReads() {
    long reads = 0;
    for (RedisServer replica : cluster.replicas()) {
      try (RedisAdmin admin = replica.admin()) {
        Map<String, Long> calls = admin.commandCalls();
        reads += calls.getOrDefault("get", 0L) + calls.getOrDefault("mget", 0L);
      }
    }
    return reads;
  }

  private static void resetReplicaStats() {
    for (RedisServer replica : cluster.replicas()) {
      try (RedisAdmin admin = replica.admin()) {
        admin.resetStats();
      }
    }
  }

  private static List<String> keys(int count) {
    List<String> keys = new ArrayList<>();
    for (int i = 0; i < count; i++) {
      keys.add("key-" + i);
    }
    return keys;
  }

  @Test
  void valuesAreReadFromReplicasOnlyWithTheOption() {
    List<String> keys = keys(50);
    TieredCache<String, String> writer = node("users", null, Duration.ofSeconds(1));
    keys.forEach(key -> writer.put(key, "v-" + key));

    resetReplicaStats();
    TieredCache<String, String> primaryReader = node("users", null, Duration.ofSeconds(1));
    keys.forEach(key -> assertThat(primaryReader.get(key)).isEqualTo("v-" + key));
    assertThat(primaryReader.getAll(keys, missing -> Map.of())).hasSize(50);
    assertThat(primaryReader.stats().l2Hits()).isEqualTo(50);
    assertThat(replicaValueReads()).as("option off: no GET or MGET reaches a replica").isZero();

    // The writer was off, so wait until the replicas have every value before reading there.
    await().atMost(Duration.ofSeconds(5)).until(() -> keys.stream().allMatch(key -> onReplica(key, "users") != null));
    resetReplicaStats();
    TieredCache<String, String> replicaReader = node("users", ReadFrom.REPLICA, Duration.ofSeconds(1));
    keys.forEach(key -> assertThat(replicaReader.get(key)).isEqualTo("v-" + key));
    long afterGets = replicaValueReads();
    assertThat(afterGets).as("every GET on a replica").isGreaterThanOrEqualTo(50);
    TieredCache<String, String> batchReader = node("users", ReadFrom.REPLICA, Duration.ofSeconds(1));
    assertThat(batchReader.getAll(keys, missing -> {
      throw new AssertionError("all on the replicas, missed " + missing);
    })).hasSize(50);
    assertThat(replicaValueReads()).as("one MGET per replica at least").isGreaterThan(afterGets);
    assertThat(replicaReader.stats().l2Hits()).isEqualTo(50);
    assertThat(replicaReader.stats().remoteErrorCount()).isZero();
    assertThat(batchReader.stats().remoteErrorCount()).isZero();
  }

  @Test
  void anInvalidationIsPublishedOnlyOnceEveryReplicaHasIt() throws Exception {
    String key = "contended";
    store.put(key, "v1");
    // 2 s calls: WAIT gets 1 s, longer than the replica stays busy below.
    TieredCache<String, String> a = node("orders", ReadFrom.REPLICA, Duration.ofSeconds(2));
    TieredCache<String, String> b = node("orders", ReadFrom.REPLICA, Duration.ofSeconds(2));
    assertThat(b.get(key)).isEqualTo("v1"); // B loads and fills v1 on the primary
    await().atMost(Duration.ofSeconds(5)).until(() -> onReplica(key, "orders") != null);
    assertThat(a.get(key)).isEqualTo("v1");

    RedisServer replica = replicaForKey(key, "orders");
    CompletableFuture<Object> busy = CompletableFuture.supplyAsync(() -> {
      try (RedisAdmin admin = replica.admin()) {
        return admin.command("EVAL", BUSY, "0", "700");
      }
    });
    Thread.sleep(100); // the script is running (if it is not yet, the assertion on time below fails, never passes)

    store.put(key, "v2");
    long start = System.nanoTime();
    a.invalidate(key); // deletes on the primary, waits for the replica, then publishes
    long tookMillis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);

    assertThat(tookMillis).as("the write waited for the busy replica").isGreaterThanOrEqualTo(300);
    assertThat(onReplica(key, "orders")).as("the replica had the delete before anyone was told").isNull();
    assertThat(busy.get(5, TimeUnit.SECONDS)).isEqualTo(1L);
    await().atMost(Duration.ofSeconds(2)).until(() -> b.policy().getIfPresentInL1(key) == null);
    assertThat(b.get(key)).isEqualTo("v2");
    assertThat(a.get(key)).isEqualTo("v2");
    assertThat(a.stats().remoteErrorCount()).as("the replica confirmed in time: %s", a.stats().remoteErrors()).isZero();
  }

  @Test
  void keysWhoseReplicaDoesNotConfirmAreRepairedOnceItCatchesUp() {
    String key = "cut-off";
    store.put(key, "v1");
    TieredCache<String, String> a = node("carts", ReadFrom.REPLICA, Duration.ofMillis(400));
    TieredCache<String, String> b = node("carts", ReadFrom.REPLICA, Duration.ofMillis(400));
    assertThat(b.get(key)).isEqualTo("v1");
    await().atMost(Duration.ofSeconds(5)).until(() -> onReplica(key, "carts") != null);

    RedisServer replica = replicaForKey(key, "carts");
    try (RedisAdmin admin = replica.admin()) {
      // Cut the replica off its primary: it can no longer log in there, and keeps serving what it has.
      admin.configSet("masteruser", "wt-replica-nobody");
      admin.configSet("masterauth", "wrong");
      admin.command("CLIENT", "KILL", "TYPE", "master");
      await().atMost(Duration.ofSeconds(5)).until(() -> admin.info("replication").contains("master_link_status:down"));

      store.put(key, "v2");
      a.invalidate(key); // the replica cannot confirm: the key goes to A's repair
      assertThat(a.stats().remoteErrorCount()).as("the unconfirmed write is reported").isPositive();
      assertThat(a.get(key)).as("the writer does not read a key under repair from Redis").isEqualTo("v2");
      await().atMost(Duration.ofSeconds(2)).until(() -> b.policy().getIfPresentInL1(key) == null);
      // The documented hazard: B heard the invalidation, and the cut-off replica still has v1.
      assertThat(b.get(key)).isEqualTo("v1");

      admin.configSet("masterauth", "");
      admin.configSet("masteruser", "");
      long restored = System.nanoTime();
      // The bound: once the replica is back and confirms, the repair announces the key again.
      await().atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(50)).until(() -> "v2".equals(b.get(key)));
      long fresh = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - restored);
      byte[] now = onReplica(key, "carts"); // deleted by the repair, or B's fill of v2 since
      assertThat(now == null || new String(now, UTF_8).endsWith("\"v2\"")).as("the replica no longer has v1").isTrue();
      System.out.println("ReplicaReadsIT: B read v2 " + fresh + " ms after the replica could rejoin its primary");
    } finally {
      try (RedisAdmin admin = replica.admin()) {
        admin.configSet("masterauth", "");
        admin.configSet("masteruser", "");
      }
    }
  }

  @Test
  void readsFromReplicasAreRefusedOffCluster() {
    RedisClient standalone = RedisClient.create();
    try {
      assertThatThrownBy(() -> RedisTier.builder(standalone).readFrom(ReadFrom.REPLICA_PREFERRED))
          .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("Redis Cluster only");
      assertThatThrownBy(() -> RedisTier.builder("redis://127.0.0.1:1").readFrom(ReadFrom.REPLICA))
          .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("RedisClusterClient");
    } finally {
      standalone.shutdown(0, 2, TimeUnit.SECONDS);
    }
  }

  private RedisServer replicaForKey(String key, String cacheName) {
    String valueKey = Tiers.valueKey(prefix, cacheName, key);
    return cluster.replicaOf(cluster.primaryForSlot(SlotHash.getSlot(valueKey.getBytes(UTF_8))));
  }

  /** The value's bytes as the key's replica holds them now. */
  private byte[] onReplica(String key, String cacheName) {
    try (RedisAdmin admin = replicaForKey(key, cacheName).admin()) {
      admin.command("READONLY");
      return admin.getBytes(Tiers.valueKey(prefix, cacheName, key));
    }
  }
}
