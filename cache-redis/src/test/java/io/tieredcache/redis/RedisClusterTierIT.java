package io.tieredcache.redis;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.lettuce.core.RedisURI;
import io.lettuce.core.cluster.RedisClusterClient;
import io.tieredcache.KeyCodec;
import io.tieredcache.TieredCache;
import io.tieredcache.redis.bus.PubSubInvalidationBus;
import io.tieredcache.testkit.RedisAdmin;
import io.tieredcache.testkit.RedisClusterServers;
import io.tieredcache.testkit.RedisServer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The Redis tier on a local Redis Cluster of three primaries: reads, batched reads across slots,
 * leases and fills, writes and the O(1) invalidateAll, from two nodes with their own clients and
 * pub/sub buses. No command may touch keys of two slots (Redis would refuse it with CROSSSLOT).
 */
class RedisClusterTierIT {

  private static RedisClusterServers cluster;

  @BeforeAll
  static void start() {
    cluster = RedisClusterServers.start();
    RedisClusterClient probe = client();
    try {
      // A fresh cluster may still be agreeing on its topology: wait until a client can use it.
      await().atMost(Duration.ofSeconds(20)).pollInterval(Duration.ofMillis(200))
          .ignoreExceptions().until(() -> {
            try (var connection = probe.connect()) {
              return "PONG".equals(connection.sync().ping());
            }
          });
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

  private static RedisClusterClient client() {
    List<RedisURI> seeds = new ArrayList<>();
    cluster.uris().forEach(uri -> seeds.add(RedisURI.create(uri)));
    return RedisClusterClient.create(seeds);
  }

  @Test
  void twoNodesShareThroughTheClusterWithoutCrossSlotCommands() {
    AtomicInteger loads = new AtomicInteger();
    RedisClusterClient clientA = client();
    RedisClusterClient clientB = client();
    PubSubInvalidationBus busA = PubSubInvalidationBus.create(clientA);
    PubSubInvalidationBus busB = PubSubInvalidationBus.create(clientB);
    TieredCache<String, String> a = TieredCache.builder("clustered").keyCodec(KeyCodec.strings())
        .remoteTier(RedisTier.builder(clientA).valueType(String.class).build()).invalidationBus(busA)
        .build(key -> {
          loads.incrementAndGet();
          return "v-" + key;
        });
    TieredCache<String, String> b = TieredCache.builder("clustered").keyCodec(KeyCodec.strings())
        .remoteTier(RedisTier.builder(clientB).valueType(String.class).build()).invalidationBus(busB)
        .build(key -> {
          loads.incrementAndGet();
          return "v-" + key;
        });
    try {
      List<String> keys = new ArrayList<>();
      for (int i = 0; i < 300; i++) {
        keys.add("key-" + i);
      }
      // A loads all (leases and fills on every slot), B finds them all in one getAll.
      Map<String, String> loaded = a.getAll(keys, missing -> {
        Map<String, String> values = new HashMap<>();
        missing.forEach(key -> values.put(key, "v-" + key));
        loads.addAndGet(missing.size());
        return values;
      });
      assertThat(loaded).hasSize(300);
      Map<String, String> found = b.getAll(keys, missing -> {
        throw new AssertionError("B should find every key in the cluster, missed " + missing);
      });
      assertThat(found).hasSize(300).containsEntry("key-7", "v-key-7");
      assertThat(b.stats().l2Hits()).isEqualTo(300);
      for (RedisServer primary : cluster.primaries()) {
        try (RedisAdmin admin = primary.admin()) {
          assertThat((Long) admin.command("DBSIZE")).as("keys spread over every primary").isGreaterThan(10L);
        }
      }

      assertThat(a.get("single")).isEqualTo("v-single");
      assertThat(b.get("single")).isEqualTo("v-single");
      a.put("single", "written");
      // The bus (classic pub/sub reaches every node of the cluster) drops B's copy.
      await().atMost(Duration.ofSeconds(2)).until(() -> b.policy().getIfPresentInL1("single") == null);
      assertThat(b.get("single")).isEqualTo("written");

      int loadsBefore = loads.get();
      b.invalidateAll(); // one INCR of the epoch key, on its own slot, then the epoch on the bus
      await().atMost(Duration.ofSeconds(2)).until(() -> a.policy().getIfPresentInL1("single") == null);
      assertThat(a.get("single")).isEqualTo("v-single");
      assertThat(loads.get()).isGreaterThan(loadsBefore);
      assertThat(busA.stats().publishFailures()).isZero();
      assertThat(a.stats().remoteErrorCount()).as("no refused or cross-slot command: %s", a.stats().remoteErrors()).isZero();
      assertThat(b.stats().remoteErrorCount()).as("no refused or cross-slot command: %s", b.stats().remoteErrors()).isZero();
    } finally {
      a.close();
      b.close();
      busA.close();
      busB.close();
      clientA.shutdown();
      clientB.shutdown();
    }
  }
}
