package io.tieredcache.redis;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.awaitility.Awaitility.await;

import io.lettuce.core.RedisClient;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.tieredcache.KeyCodec;
import io.tieredcache.TieredCache;
import io.tieredcache.spi.RemoteTierFactory;
import io.tieredcache.testkit.IsolatedRedis;
import io.tieredcache.testkit.RedisAdmin;
import io.tieredcache.testkit.RedisServer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Whole caches on two "nodes" (each its own Redis client) sharing one Redis: the tier as the core
 * uses it, through {@link TieredCache#builder(String)}.
 */
@IsolatedRedis
class TieredCacheOverRedisIT {

  private final List<AutoCloseable> resources = new ArrayList<>();
  private final Map<String, AtomicInteger> loadsA = new ConcurrentHashMap<>();
  private final Map<String, AtomicInteger> loadsB = new ConcurrentHashMap<>();
  private RedisServer redis;
  private String prefix;

  @BeforeAll
  static void warmUp(RedisServer redis) {
    Tiers.warmUp(redis.uri());
  }

  @BeforeEach
  void setUp(RedisServer redis) {
    this.redis = redis;
    this.prefix = Tiers.uniquePrefix();
  }

  @AfterEach
  void tearDown() throws Exception {
    for (int i = resources.size() - 1; i >= 0; i--) {
      resources.get(i).close();
    }
    if (!redis.isRunning()) {
      redis.start();
    }
  }

  private RedisClient client() {
    RedisClient client = Tiers.client(redis.uri());
    resources.add(() -> client.shutdown(0, 2, TimeUnit.SECONDS));
    return client;
  }

  private static Function<String, String> counting(String node, Map<String, AtomicInteger> loads) {
    return key -> {
      loads.computeIfAbsent(key, k -> new AtomicInteger()).incrementAndGet();
      return key + " loaded by " + node;
    };
  }

  private TieredCache<String, String> cache(String name, RemoteTierFactory<String, String> tier, Function<String, String> loader) {
    TieredCache<String, String> cache = TieredCache.builder(name)
        .keyCodec(KeyCodec.strings())
        .remoteTier(tier)
        .build(loader);
    resources.add(cache);
    return cache;
  }

  private RemoteTierFactory<String, String> tierOn(RedisClient client) {
    return RedisTier.builder(client).valueType(String.class).keyPrefix(prefix).timeout(Duration.ofSeconds(1)).build();
  }

  private static int loads(Map<String, AtomicInteger> loads, String key) {
    AtomicInteger count = loads.get(key);
    return count == null ? 0 : count.get();
  }

  @Test
  void aValueLoadedOnOneNodeIsReadFromRedisOnTheOther() {
    var a = cache("users", tierOn(client()), counting("A", loadsA));
    var b = cache("users", tierOn(client()), counting("B", loadsB));

    assertThat(a.get("42")).isEqualTo("42 loaded by A");
    assertThat(b.get("42")).isEqualTo("42 loaded by A");

    assertThat(loads(loadsA, "42")).isEqualTo(1);
    assertThat(loads(loadsB, "42")).isZero();
    assertThat(b.stats().l2Hits()).isEqualTo(1);
    assertThat(b.stats().remoteErrorCount()).isZero();
  }

  @Test
  void getAllIsOneMgetAndOneBulkLoadForWhatNoTierHas() {
    var a = cache("orders", tierOn(client()), counting("A", loadsA));
    var b = cache("orders", tierOn(client()), counting("B", loadsB));
    b.get("in-l1");          // node B's L1 (and Redis)
    a.get("in-l2");          // Redis only, as far as node B is concerned
    List<Set<? extends String>> bulkCalls = new ArrayList<>();

    Map<String, Long> before;
    try (RedisAdmin admin = redis.admin()) {
      before = admin.commandCalls();
      Map<String, String> values = b.getAll(List.of("in-l1", "in-l2", "cold"), keys -> {
        bulkCalls.add(Set.copyOf(keys));
        Map<String, String> loaded = new HashMap<>();
        keys.forEach(key -> loaded.put(key, key + " bulk-loaded by B"));
        return loaded;
      });

      assertThat(values).containsExactly(
          Map.entry("in-l1", "in-l1 loaded by B"),
          Map.entry("in-l2", "in-l2 loaded by A"),
          Map.entry("cold", "cold bulk-loaded by B"));
      Map<String, Long> after = admin.commandCalls();
      assertThat(after.getOrDefault("mget", 0L) - before.getOrDefault("mget", 0L)).isEqualTo(1);
    }
    assertThat(bulkCalls).containsExactly(Set.of("cold"));
    assertThat(a.get("cold")).as("the bulk load was shared through Redis").isEqualTo("cold bulk-loaded by B");
    assertThat(loads(loadsA, "cold")).isZero();
  }

  @Test
  void withRedisDownTheCacheKeepsAnsweringAndUsesRedisAgainWhenItIsBack() {
    // Each node makes and owns its client (rejecting commands while disconnected, quick reconnects).
    var a = cache("outage", RedisTier.builder(redis.uri()).valueType(String.class).keyPrefix(prefix).build(),
        counting("A", loadsA));
    var b = cache("outage", RedisTier.builder(redis.uri()).valueType(String.class).keyPrefix(prefix).build(),
        counting("B", loadsB));
    assertThat(b.get("warm")).isEqualTo("warm loaded by B");

    redis.stop();

    assertThat(b.get("warm")).as("L1 hit").isEqualTo("warm loaded by B");
    assertThat(loads(loadsB, "warm")).isEqualTo(1);
    assertThat(b.get("cold")).as("from the loader").isEqualTo("cold loaded by B");
    assertThatCode(() -> {
      b.put("written", "during the outage");
      b.invalidate("warm");
      assertThat(b.getAll(List.of("x", "y"), keys -> Map.of("x", "bulk x"))).containsOnlyKeys("x");
    }).doesNotThrowAnyException();
    assertThat(b.stats().remoteErrorCount()).isPositive();

    redis.start();

    AtomicInteger round = new AtomicInteger();
    await().atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(200)).until(() -> {
      String key = "after-" + round.incrementAndGet();
      a.get(key);
      b.get(key);
      return loads(loadsB, key) == 0;
    });
  }

  @Test
  void anUndecodableEntryIsReplacedByTheLoadersValueAndCounted() {
    var cache = cache("garbage", tierOn(client()), counting("A", loadsA));
    String redisKey = Tiers.valueKey(prefix, "garbage", "bad");
    try (RedisAdmin admin = redis.admin()) {
      admin.setBytes(redisKey, "\u0000not ours".getBytes(UTF_8));

      assertThat(cache.get("bad")).isEqualTo("bad loaded by A");

      assertThat(cache.stats().remoteErrors()).containsEntry("decode", 1L);
      byte[] stored = admin.getBytes(redisKey);
      assertThat(stored).isNotNull();
      assertThat(new Envelope<>(JacksonValueCodec.of(String.class), 0, 1 << 20).decode(stored).value())
          .isEqualTo("bad loaded by A");
    } catch (Envelope.DecodeException e) {
      throw new AssertionError(e);
    }
  }

  @Test
  void theBreakerStateCanBeBoundToMicrometer() {
    var cache = cache("metered", tierOn(client()), counting("A", loadsA));
    var registry = new SimpleMeterRegistry();

    assertThat(RedisTierMetrics.bind(cache, registry)).isTrue();

    assertThat(registry.find("resilience4j.circuitbreaker.state").tag("name", "tiered-cache-metered").gauges())
        .isNotEmpty();
    var withoutRedis = TieredCache.builder("plain").build(key -> key);
    resources.add(withoutRedis);
    assertThat(RedisTierMetrics.bind(withoutRedis, registry)).isFalse();
  }
}
