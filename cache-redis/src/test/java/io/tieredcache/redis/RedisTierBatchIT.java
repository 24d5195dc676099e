package io.tieredcache.redis;

import static org.assertj.core.api.Assertions.assertThat;

import io.lettuce.core.RedisClient;
import io.tieredcache.spi.FillOutcome;
import io.tieredcache.spi.Lease;
import io.tieredcache.spi.RemoteEntry;
import io.tieredcache.spi.RemoteTier;
import io.tieredcache.spi.RemoteTier.LeasedEntry;
import io.tieredcache.testkit.IsolatedRedis;
import io.tieredcache.testkit.RedisAdmin;
import io.tieredcache.testkit.RedisServer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Round trips, counted on a Redis of our own (so no other test's commands show up): batches are
 * one MGET or one pipeline, never a command per key answered before the next is sent.
 */
@IsolatedRedis
class RedisTierBatchIT {

  private static final int N = 200;
  private static RedisClient client;
  private static RedisAdmin admin;
  private static RemoteTier<String, String> tier;
  private static final RecordingEvents EVENTS = new RecordingEvents();

  @BeforeAll
  static void connect(RedisServer redis) {
    Tiers.warmUp(redis.uri());
    client = Tiers.client(redis.uri());
    admin = redis.admin();
    tier = Tiers.create(RedisTier.builder(client).valueType(String.class).timeout(Duration.ofSeconds(2))
        // No periodic epoch checks or lease renewals among the counted commands.
        .epochCheckInterval(Duration.ofHours(1)).leaseTtl(Duration.ofMinutes(5)).build(),
        "batches", EVENTS);
    tier.get("warm up").join();
  }

  @AfterAll
  static void disconnect() {
    tier.close();
    admin.close();
    client.shutdown(0, 2, TimeUnit.SECONDS);
  }

  @BeforeEach
  void clean() {
    admin.flushAll();
    admin.resetStats();
  }

  private static Map<String, Long> delta(Map<String, Long> before) {
    Map<String, Long> after = admin.commandCalls();
    Map<String, Long> delta = new HashMap<>();
    after.forEach((command, calls) -> {
      long diff = calls - before.getOrDefault(command, 0L);
      if (diff != 0 && !command.equals("info") && !command.startsWith("config")) {
        delta.put(command, diff);
      }
    });
    return delta;
  }

  private static List<String> keys() {
    List<String> keys = new ArrayList<>();
    for (int i = 0; i < N; i++) {
      keys.add("key-" + i);
    }
    return keys;
  }

  @Test
  void getAllIsOneMget() {
    Map<String, RemoteEntry<String>> half = new LinkedHashMap<>();
    for (int i = 0; i < N; i += 2) {
      half.put("key-" + i, Tiers.value("v" + i, Duration.ofMinutes(1)));
    }
    tier.putAll(half).join();
    Map<String, Long> before = admin.commandCalls();

    Map<String, RemoteEntry<String>> found = tier.getAll(keys()).join();

    assertThat(found).hasSize(N).containsKeys("key-0", "key-198");
    assertThat(found.values().stream().filter(RemoteEntry::isHit)).hasSize(N / 2);
    assertThat(found.get("key-1").kind()).isEqualTo(RemoteEntry.Kind.MISS);
    assertThat(delta(before)).containsExactly(Map.entry("mget", 1L));
  }

  @Test
  void largeBatchesAreSplitIntoCallsOfTheirOwn() {
    List<String> many = new ArrayList<>();
    for (int i = 0; i < 1000; i++) {
      many.add("many-" + i);
    }
    Map<String, Long> before = admin.commandCalls();

    assertThat(tier.getAll(many).join()).hasSize(1000);
    tier.invalidate(many).join();

    // 256 keys per call: four MGETs, and the unlinks in four pipelines of their own; then one GET
    // of the epoch (a write checks that it did not land in an epoch another node just retired).
    assertThat(delta(before)).containsOnly(Map.entry("mget", 4L), Map.entry("unlink", 1000L), Map.entry("get", 1L));
    assertThat(tier.maxCallDuration(1000)).isGreaterThan(tier.maxCallDuration(10));
  }

  @Test
  void putAllIsOnePipelineOfSingleKeyCommands() {
    Map<String, RemoteEntry<String>> entries = new LinkedHashMap<>();
    for (String key : keys()) {
      entries.put(key, Tiers.value("value of " + key, Duration.ofMinutes(1)));
    }
    Map<String, Long> before = admin.commandCalls();

    long started = System.nanoTime();
    tier.putAll(entries).join();
    long millis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started);

    // One SET per value plus one UNLINK per lease (voiding loads in flight), then one GET of the
    // epoch; nothing else.
    assertThat(delta(before)).containsOnly(Map.entry("set", (long) N), Map.entry("unlink", (long) N),
        Map.entry("get", 1L));
    assertThat(tier.getAll(keys()).join()).hasSize(N);
    assertThat(millis).as("%d commands in one pipeline", 2 * N).isLessThan(2_000);
  }

  @Test
  void leasesAndFillsArePipelinesToo() {
    Map<String, Long> before = admin.commandCalls();
    Map<String, Lease> leases = tier.acquireLeases(keys()).join();
    assertThat(leases.values()).allSatisfy(lease -> assertThat(lease.state()).isEqualTo(Lease.State.ACQUIRED));

    Map<String, LeasedEntry<String>> fills = new HashMap<>();
    leases.forEach((key, lease) -> fills.put(key, new LeasedEntry<>(lease, Tiers.value("loaded " + key, Duration.ofMinutes(1)))));
    Map<String, FillOutcome> stored = tier.fill(fills).join();

    assertThat(stored).hasSize(N).allSatisfy((key, outcome) -> assertThat(outcome).isEqualTo(FillOutcome.STORED));
    Map<String, Long> delta = delta(before);
    // Each fill is one EVALSHA (plus one EVAL where the script was not cached yet).
    long scripts = delta.getOrDefault("evalsha", 0L) + delta.getOrDefault("eval", 0L);
    assertThat(scripts).isBetween((long) N, 2L * N);
    // Redis also counts the commands a script runs: GET lease, SET value, DEL lease per fill.
    assertThat(delta.get("set")).as("SET NX per lease + SET per fill").isEqualTo(2L * N);
    assertThat(delta.get("get")).isEqualTo(N);
    assertThat(delta.get("del")).isEqualTo(N);
    assertThat(delta).doesNotContainKeys("mget");
  }

  @Test
  void invalidateIsOneCommandPerKeyInOnePipeline() {
    Map<String, Long> before = admin.commandCalls();
    tier.invalidate(keys()).join();
    assertThat(delta(before)).containsOnly(Map.entry("unlink", (long) N), Map.entry("get", 1L)); // + the epoch
    assertThat(EVENTS.total()).isZero();
  }
}
