package io.tieredcache.redis;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.lettuce.core.ClientOptions;
import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisURI;
import io.lettuce.core.SslOptions;
import io.tieredcache.TieredCache;
import io.tieredcache.testkit.RedisAdmin;
import io.tieredcache.testkit.TlsRedisServer;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Two nodes over TLS (a redis-server with a generated CA and certificate), logged in as an ACL
 * user that has exactly the rule the README documents and nothing more: every feature works and
 * no call is refused.
 */
class TlsAndAclIT {

  static final String USER = "tiered-cache";
  static final String PASSWORD = "s3cret-for-tests";
  /** The README's minimal rule for the default key prefix and pub/sub channel. */
  static final String MINIMAL_RULE = "resetkeys ~tc:* resetchannels &tiered-cache:invalidations -@all "
      + "+hello +ping +client|setname +client|getname "
      + "+get +mget +set +unlink +exists +incr +evalsha +eval +del +pexpire "
      + "+publish +subscribe +unsubscribe";

  private static TlsRedisServer redis;

  @BeforeAll
  static void start() {
    redis = TlsRedisServer.start();
    try (RedisAdmin admin = redis.server().admin()) {
      List<String> rule = new java.util.ArrayList<>(List.of("ACL", "SETUSER", USER, "reset", "on", ">" + PASSWORD));
      rule.addAll(List.of(MINIMAL_RULE.split(" ")));
      admin.command(rule.toArray(String[]::new));
    }
  }

  @AfterAll
  static void stop() {
    if (redis != null) {
      redis.close();
    }
  }

  private static RedisClient client() {
    RedisURI uri = RedisURI.builder(RedisURI.create(redis.uri()))
        .withAuthentication(USER, PASSWORD.toCharArray()).build();
    RedisClient client = RedisClient.create(uri);
    client.setOptions(ClientOptions.builder()
        .sslOptions(SslOptions.builder().trustManager(redis.caCertificate().toFile()).build())
        .disconnectedBehavior(ClientOptions.DisconnectedBehavior.REJECT_COMMANDS)
        .build());
    return client;
  }

  @Test
  void twoNodesWorkOverTlsAsAUserWithTheMinimalRule() {
    AtomicLong version = new AtomicLong(1);
    try (BusNode nodeA = BusNode.start(client(), "secure", key -> version.get());
        BusNode nodeB = BusNode.start(client(), "secure", key -> version.get())) {
      TieredCache<String, Long> a = nodeA.cache();
      TieredCache<String, Long> b = nodeB.cache();
      assertThat(a.get("k")).isEqualTo(1L); // lease, load, fill
      assertThat(b.get("k")).as("from Redis, over TLS").isEqualTo(1L);
      assertThat(b.stats().l2Hits()).isEqualTo(1);

      version.set(2);
      a.invalidate("k");
      await().atMost(Duration.ofSeconds(2)).until(() -> b.policy().getIfPresentInL1("k") == null);
      assertThat(b.get("k")).isEqualTo(2L);

      a.putAll(Map.of("p", 7L));
      assertThat(b.get("p")).isEqualTo(7L);
      version.set(3);
      b.invalidateAll();
      await().atMost(Duration.ofSeconds(2)).until(() -> a.policy().getIfPresentInL1("k") == null);
      assertThat(a.get("k")).isEqualTo(3L);

      assertThat(a.stats().remoteErrorCount()).as("no call was refused: %s", a.stats().remoteErrors()).isZero();
      assertThat(b.stats().remoteErrorCount()).as("no call was refused: %s", b.stats().remoteErrors()).isZero();
      assertThat(nodeA.bus().stats().publishFailures()).isZero();
      // And the rule is really in force: nothing outside it is allowed.
      try (var connection = nodeA.client().connect()) {
        assertThatThrownBy(() -> connection.sync().set("other-app:k", "v")).hasMessageContaining("NOPERM");
        assertThatThrownBy(() -> connection.sync().flushall()).hasMessageContaining("NOPERM");
      }
    }
  }
}
