package io.tieredcache.redis;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.lettuce.core.RedisClient;
import io.tieredcache.spi.RemoteTier;
import io.tieredcache.testkit.IsolatedRedis;
import io.tieredcache.testkit.RedisAdmin;
import io.tieredcache.testkit.RedisServer;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** A Redis that would refuse writes when full gets one clear warning; one that hides CONFIG, none. */
@IsolatedRedis
class EvictionPolicyWarningIT {

  /** Held here so that its level and handler stay while the test runs. */
  private static final Logger LOGGER = Logger.getLogger(RedisTier.class.getName());

  private final ConcurrentLinkedQueue<LogRecord> records = new ConcurrentLinkedQueue<>();
  private final Handler capture = new Handler() {
    @Override
    public void publish(LogRecord record) {
      records.add(record);
    }

    @Override
    public void flush() {}

    @Override
    public void close() {}
  };
  private Level previousLevel;
  private RedisServer redis;
  private RedisClient client;

  @BeforeAll
  static void warmUp(RedisServer redis) {
    Tiers.warmUp(redis.uri());
  }

  @BeforeEach
  void captureLog(RedisServer redis) {
    this.redis = redis;
    previousLevel = LOGGER.getLevel();
    LOGGER.setLevel(Level.ALL);
    capture.setLevel(Level.ALL);
    LOGGER.addHandler(capture);
  }

  @AfterEach
  void release() {
    LOGGER.removeHandler(capture);
    LOGGER.setLevel(previousLevel);
    if (client != null) {
      client.shutdown(0, 2, TimeUnit.SECONDS);
    }
    try (RedisAdmin admin = redis.admin()) {
      admin.configSet("maxmemory-policy", "noeviction");
    }
  }

  private List<String> messages(Level level) {
    return records.stream().filter(record -> record.getLevel() == level).map(LogRecord::getMessage).toList();
  }

  private RemoteTier<String, String> tier(String cacheName) {
    return Tiers.create(RedisTier.builder(client).valueType(String.class).build(), cacheName, new RecordingEvents());
  }

  @Test
  void warnsOnceWhenRedisWouldRefuseWritesInsteadOfEvicting() {
    try (RedisAdmin admin = redis.admin()) {
      admin.configSet("maxmemory-policy", "noeviction");
    }
    client = Tiers.client(redis.uri());

    RemoteTier<String, String> first = tier("a");
    RemoteTier<String, String> second = tier("b");
    await().atMost(Duration.ofSeconds(5)).until(() -> !messages(Level.WARNING).isEmpty());
    first.close();
    second.close();
    // A new connection on the same client does not warn again.
    RemoteTier<String, String> third = tier("c");
    third.putAll(Map.of("k", Tiers.value("v", Duration.ofMinutes(1)))).join();
    await().during(Duration.ofMillis(300)).atMost(Duration.ofSeconds(2)).until(() -> messages(Level.WARNING).size() == 1);
    third.close();

    assertThat(messages(Level.WARNING)).singleElement().asString()
        .contains("maxmemory-policy").contains("noeviction").contains("allkeys-lru");
  }

  @Test
  void staysQuietWithAnEvictionPolicy() {
    try (RedisAdmin admin = redis.admin()) {
      admin.configSet("maxmemory-policy", "allkeys-lru");
    }
    client = Tiers.client(redis.uri());

    RemoteTier<String, String> tier = tier("lru");
    await().atMost(Duration.ofSeconds(5)).until(() -> messages(Level.FINE).stream().anyMatch(m -> m.contains("allkeys-lru")));
    tier.close();

    assertThat(messages(Level.WARNING)).isEmpty();
  }

  @Test
  void toleratesARedisWhereConfigIsForbidden() {
    try (RedisAdmin admin = redis.admin()) {
      admin.configSet("maxmemory-policy", "noeviction");
      admin.command("ACL", "SETUSER", "app", "on", ">secret", "~*", "&*", "+@all", "-config");
    }
    client = Tiers.client(redis.uri().replace("redis://", "redis://app:secret@"));

    RemoteTier<String, String> tier = tier("managed");
    tier.putAll(Map.of("k", Tiers.value("v", Duration.ofMinutes(1)))).join();
    assertThat(tier.get("k").join().value()).isEqualTo("v");
    await().atMost(Duration.ofSeconds(5)).until(() -> messages(Level.FINE).stream()
        .anyMatch(m -> m.contains("could not read maxmemory-policy")));
    tier.close();

    assertThat(messages(Level.WARNING)).isEmpty();
  }
}
