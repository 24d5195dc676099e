package io.tieredcache.redis;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.github.resilience4j.circuitbreaker.CircuitBreaker;
import io.github.resilience4j.circuitbreaker.CircuitBreakerConfig;
import io.lettuce.core.RedisClient;
import io.lettuce.core.resource.ClientResources;
import io.lettuce.core.resource.DefaultClientResources;
import io.lettuce.core.resource.Delay;
import io.tieredcache.spi.Lease;
import io.tieredcache.spi.RemoteEntry;
import io.tieredcache.spi.RemoteErrorKind;
import io.tieredcache.spi.RemoteTier;
import io.tieredcache.spi.WriteResult;
import io.tieredcache.testkit.IsolatedRedis;
import io.tieredcache.testkit.RedisAdmin;
import io.tieredcache.testkit.RedisServer;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** A Redis that dies, comes back or stalls: callers get answers within the time limit, always. */
@IsolatedRedis
class RedisTierFailureIT {

  private static final Duration MINUTE = Duration.ofMinutes(1);
  /** The default limit plus room for a busy 2-core machine. */
  /** No periodic epoch checks among the failures these tests count. */
  private static final Duration QUIET = Duration.ofHours(1);
  private static final long FAST_MILLIS = RedisTier.DEFAULT_TIMEOUT.toMillis() + 400;

  private final RecordingEvents events = new RecordingEvents();
  private RedisServer redis;
  private RemoteTier<String, String> tier;
  private RedisClient client;
  private ClientResources resources;

  @BeforeAll
  static void warmUp(RedisServer redis) {
    Tiers.warmUp(redis.uri());
  }

  @BeforeEach
  void server(RedisServer redis) {
    this.redis = redis;
    if (!redis.isRunning()) {
      redis.start();
    }
  }

  @AfterEach
  void cleanUp() {
    if (tier != null) {
      tier.close();
    }
    if (client != null) {
      client.shutdown(0, 2, TimeUnit.SECONDS);
      resources.shutdown(0, 2, TimeUnit.SECONDS);
    }
    if (!redis.isRunning()) {
      redis.start();
    }
  }

  private static CircuitBreaker breaker(RemoteTier<?, ?> tier) {
    return ((RedisTier<?, ?>) tier).circuitBreaker();
  }

  private static long millisOf(Runnable call) {
    long started = System.nanoTime();
    call.run();
    return TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started);
  }

  private static java.util.Set<String> unapplied(java.util.concurrent.CompletableFuture<WriteResult<String>> write) {
    try {
      return write.get(FAST_MILLIS, TimeUnit.MILLISECONDS).unapplied();
    } catch (Exception e) {
      throw new AssertionError("the write did not complete normally within " + FAST_MILLIS + " ms", e);
    }
  }

  private RemoteEntry<String> getWithin(String key, long millis) {
    try {
      return tier.get(key).get(millis, TimeUnit.MILLISECONDS);
    } catch (Exception e) {
      throw new AssertionError("get(" + key + ") did not complete normally within " + millis + " ms", e);
    }
  }

  @Test
  void aDeadRedisMeansFastMissesThenAnOpenBreakerThenRecovery() {
    tier = Tiers.create(RedisTier.builder(redis.uri()).valueType(String.class).epochCheckInterval(QUIET).build(), "outage", events);
    tier.putAll(Map.of("k", Tiers.value("v", MINUTE))).join();
    assertThat(tier.get("k").join().value()).isEqualTo("v");

    redis.stop();

    for (int i = 0; i < 3; i++) {
      long millis = millisOf(() -> assertThat(getWithin("k", FAST_MILLIS)).isEqualTo(RemoteEntry.unavailable()));
      assertThat(millis).isLessThan(FAST_MILLIS);
    }
    assertThat(tier.getAll(List.of("k", "j")).join())
        .containsOnly(Map.entry("k", RemoteEntry.unavailable()), Map.entry("j", RemoteEntry.unavailable()));
    assertThat(tier.acquireLeases(List.of("k")).join()).as("unknown: load, never fill").containsEntry("k", Lease.unknown());
    // A write that was not applied says so key by key (so the cache can repair it), fast.
    long writeMillis = millisOf(() -> assertThat(unapplied(tier.putAll(Map.of("k", Tiers.value("w", MINUTE)))))
        .containsExactly("k"));
    assertThat(writeMillis).isLessThan(FAST_MILLIS);
    assertThat(events.count(RemoteErrorKind.CONNECTION) + events.count(RemoteErrorKind.TIMEOUT))
        .as("%s", events).isPositive();

    await().atMost(Duration.ofSeconds(3)).until(() -> {
      tier.get("k").join();
      return breaker(tier).getState() == CircuitBreaker.State.OPEN;
    });
    long refused = millisOf(() -> assertThat(getWithin("k", FAST_MILLIS).isHit()).isFalse());
    assertThat(refused).as("an open breaker refuses at once").isLessThan(150);
    assertThat(events.count(RemoteErrorKind.CIRCUIT_OPEN)).isPositive();

    redis.start();

    // The breaker half-opens by itself, Lettuce reconnects, and Redis is used again.
    await().atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(100)).until(() -> {
      tier.putAll(Map.of("k", Tiers.value("back", MINUTE))).exceptionally(e -> null).join();
      return "back".equals(tier.get("k").join().value());
    });
    await().atMost(Duration.ofSeconds(5)).until(() -> {
      tier.get("k").join();
      return breaker(tier).getState() == CircuitBreaker.State.CLOSED;
    });
  }

  @Test
  void aClientThatBuffersWhileDisconnectedNeverReplaysATimedOutWriteLate() {
    // Lettuce's default options: commands issued while disconnected are queued for the reconnect.
    resources = DefaultClientResources.builder().reconnectDelay(Delay.constant(Duration.ofMillis(100))).build();
    client = RedisClient.create(resources, redis.uri());
    // A lenient breaker, so that the write below really reaches Lettuce's queue.
    var lenient = CircuitBreaker.of("lenient", CircuitBreakerConfig.custom().minimumNumberOfCalls(1_000).build());
    tier = Tiers.create(RedisTier.builder(client).valueType(String.class).circuitBreaker(lenient).epochCheckInterval(QUIET).build(), "buffered", events);
    tier.putAll(Map.of("warm", Tiers.value("up", MINUTE))).join();

    redis.stop();
    assertThat(getWithin("warm", FAST_MILLIS).isHit()).isFalse(); // queued, then timed out: disconnected
    long millis = millisOf(() -> assertThat(unapplied(tier.putAll(Map.of("stale", Tiers.value("old news", MINUTE)))))
        .containsExactly("stale"));
    assertThat(millis).isLessThan(FAST_MILLIS);
    // Each call failed once: by its time limit, or on the fresh connection tried meanwhile.
    assertThat(events.count(RemoteErrorKind.TIMEOUT) + events.count(RemoteErrorKind.CONNECTION)).isEqualTo(2);

    redis.start(); // empty: nothing is persisted

    await().atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(100)).until(() -> {
      tier.putAll(Map.of("probe", Tiers.value("p", MINUTE))).exceptionally(e -> null).join();
      return tier.get("probe").join().isHit();
    });
    try (RedisAdmin admin = redis.admin()) {
      assertThat(admin.getBytes(Tiers.valueKey(RedisTier.DEFAULT_KEY_PREFIX, "buffered", "stale")))
          .as("the write that timed out was cancelled, not replayed after the reconnect").isNull();
    }
  }

  @Test
  void aStalledRedisNeverHoldsACallerPastTheTimeLimit() {
    tier = Tiers.create(RedisTier.builder(redis.uri()).valueType(String.class).epochCheckInterval(QUIET).build(), "stalled", events);
    tier.putAll(Map.of("k", Tiers.value("v", MINUTE))).join();
    try (RedisAdmin admin = redis.admin()) {
      admin.pauseClients(Duration.ofMillis(1_500));

      long millis = millisOf(() -> assertThat(getWithin("k", FAST_MILLIS)).isEqualTo(RemoteEntry.unavailable()));

      assertThat(millis).isBetween(RedisTier.DEFAULT_TIMEOUT.toMillis() - 20, FAST_MILLIS);
      assertThat(events.count(RemoteErrorKind.TIMEOUT)).isEqualTo(1);
      admin.ping(); // returns once the pause is over
    }
    await().atMost(Duration.ofSeconds(3)).until(() -> "v".equals(tier.get("k").join().value()));
  }

  @Test
  void aTierCreatedWhileRedisIsDownConnectsWhenItComesBack() {
    redis.stop();
    long created = millisOf(() -> tier = Tiers.create(RedisTier.builder(redis.uri()).valueType(String.class).epochCheckInterval(QUIET).build(), "late", events));
    assertThat(created).as("creation does not wait for Redis").isLessThan(1_000);
    assertThat(getWithin("k", RedisTier.CONNECT_GRACE.toMillis() + 500).isHit()).isFalse();
    assertThat(events.count(RemoteErrorKind.CONNECTION)).isPositive();

    redis.start();

    await().atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(100)).until(() -> {
      tier.putAll(Map.of("k", Tiers.value("v", MINUTE))).exceptionally(e -> null).join();
      return tier.get("k").join().isHit();
    });
  }
}
