package io.tieredcache.spring.boot;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.lettuce.core.AbstractRedisClient;
import io.lettuce.core.RedisClient;
import io.lettuce.core.cluster.ClusterClientOptions;
import io.lettuce.core.cluster.RedisClusterClient;
import io.lettuce.core.codec.StringCodec;
import io.lettuce.core.output.StatusOutput;
import io.lettuce.core.protocol.CommandArgs;
import io.lettuce.core.protocol.CommandType;
import io.tieredcache.redis.bus.PubSubInvalidationBus;
import io.tieredcache.spi.InvalidationBus;
import io.tieredcache.testkit.RedisAdmin;
import io.tieredcache.testkit.RedisClusterServers;
import io.tieredcache.testkit.RedisSentinels;
import io.tieredcache.testkit.TlsRedisServer;
import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.autoconfigure.ssl.SslAutoConfiguration;
import org.springframework.boot.cache.autoconfigure.CacheAutoConfiguration;
import org.springframework.boot.data.redis.autoconfigure.DataRedisAutoConfiguration;
import org.springframework.boot.test.context.assertj.AssertableApplicationContext;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.cache.annotation.CacheEvict;
import org.springframework.cache.annotation.Cacheable;
import org.springframework.cache.annotation.EnableCaching;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/**
 * The auto-configuration on each Redis set-up Boot describes with {@code spring.data.redis.*}, each
 * against real local processes: a Redis Cluster, a Sentinel-managed primary with Sentinels that
 * want their own credentials, and a TLS Redis (SSL bundle) with an ACL user that has exactly the
 * README's rule. Each runs two application contexts as two nodes: {@code @Cacheable} misses then
 * hits, the other node reads the value from Redis, and {@code @CacheEvict} on one reaches the other.
 */
class BootRedisSetupsIT {

  private final ApplicationContextRunner runner = new ApplicationContextRunner()
      .withConfiguration(AutoConfigurations.of(TieredCacheAutoConfiguration.class, CacheAutoConfiguration.class,
          DataRedisAutoConfiguration.class, SslAutoConfiguration.class))
      .withUserConfiguration(App.class);

  /** An application with one cached lookup that counts its loads. */
  @Configuration(proxyBeanMethods = false)
  @EnableCaching
  static class App {
    @Bean
    Lookup lookup() {
      return new Lookup();
    }
  }

  /** The system of record behind {@code @Cacheable}. */
  static class Lookup {
    final AtomicInteger loads = new AtomicInteger();

    @Cacheable(cacheNames = "users", sync = true)
    public String user(long id) {
      loads.incrementAndGet();
      return "user-" + id;
    }

    @CacheEvict(cacheNames = "users")
    public void evict(long id) {}

    /** Through a method: the bean is a class proxy, whose own fields are not this object's. */
    public int loads() {
      return loads.get();
    }
  }

  // ---------------------------------------------------------------- set-ups

  @Test
  void cluster() {
    try (RedisClusterServers cluster = RedisClusterServers.start()) {
      List<String> nodes = new ArrayList<>();
      cluster.uris().forEach(uri -> nodes.add(URI.create(uri).getHost() + ":" + URI.create(uri).getPort()));
      runner.withPropertyValues("spring.data.redis.cluster.nodes=" + String.join(",", nodes),
          "spring.data.redis.cluster.max-redirects=3",
          "tiered-cache.redis.sharded-pub-sub=true",
          "tiered-cache.key-prefix=boot-cluster-" + System.nanoTime()).run(a -> runner.withPropertyValues(
              "spring.data.redis.cluster.nodes=" + String.join(",", nodes),
              "spring.data.redis.cluster.max-redirects=3",
              "tiered-cache.redis.sharded-pub-sub=true",
              "tiered-cache.key-prefix=" + a.getEnvironment().getProperty("tiered-cache.key-prefix")).run(b -> {
                AbstractRedisClient client = a.getBean(AbstractRedisClient.class);
                assertThat(client).isInstanceOf(RedisClusterClient.class);
                assertThat(((ClusterClientOptions) ((RedisClusterClient) client).getOptions()).getMaxRedirects())
                    .isEqualTo(3);
                assertThat(((PubSubInvalidationBus) a.getBean(InvalidationBus.class)).options().sharded()).isTrue();
                twoNodesShare(a, b);
              }));
    }
  }

  @Test
  void sentinelWithItsOwnCredentials() throws Exception {
    try (RedisSentinels sentinels = RedisSentinels.start()) {
      String uri = sentinels.uri(); // redis-sentinel://h:p,h:p,h:p#master
      String nodes = uri.substring("redis-sentinel://".length(), uri.indexOf('#'));
      for (String node : nodes.split(",")) { // Sentinels that know a user of their own
        aclSetuser("redis://" + node, "sentinel-client", "on", ">sentinel-secret", "+@all");
      }
      String[] properties = {"spring.data.redis.sentinel.master=" + RedisSentinels.MASTER_NAME,
          "spring.data.redis.sentinel.nodes=" + nodes,
          "spring.data.redis.sentinel.username=sentinel-client",
          "spring.data.redis.sentinel.password=sentinel-secret",
          "tiered-cache.key-prefix=boot-sentinel-" + System.nanoTime()};
      runner.withPropertyValues(properties).run(a -> runner.withPropertyValues(properties).run(b -> {
        assertThat(a.getBean(AbstractRedisClient.class)).isInstanceOf(RedisClient.class);
        twoNodesShare(a, b);
      }));
      // The Sentinels' credentials are really used: with a wrong password the cache gets no Redis.
      runner.withPropertyValues(properties).withPropertyValues("spring.data.redis.sentinel.password=wrong")
          .run(context -> {
            assertThat(context).hasNotFailed();
            assertThat(context.getBeanProvider(InvalidationBus.class).getIfAvailable()).isNull();
            Lookup lookup = context.getBean(Lookup.class);
            assertThat(lookup.user(1)).isEqualTo("user-1"); // L1 + loader
          });
    }
  }

  @Test
  void tlsFromAnSslBundleAsAnAclUserWithTheReadmesRule() throws IOException {
    try (TlsRedisServer redis = TlsRedisServer.start()) {
      List<String> rule = new ArrayList<>(List.of("ACL", "SETUSER", "tiered-cache", "reset"));
      rule.addAll(readmeAclRule("s3cret-for-boot"));
      try (RedisAdmin admin = redis.server().admin()) {
        admin.command(rule.toArray(String[]::new));
      }
      URI tls = URI.create(redis.uri());
      String[] properties = {"spring.data.redis.host=" + tls.getHost(), "spring.data.redis.port=" + tls.getPort(),
          "spring.data.redis.username=tiered-cache", "spring.data.redis.password=s3cret-for-boot",
          "spring.data.redis.ssl.enabled=true", "spring.data.redis.ssl.bundle=redis",
          "spring.ssl.bundle.pem.redis.truststore.certificate=file:" + redis.caCertificate()};
      runner.withPropertyValues(properties).run(a -> runner.withPropertyValues(properties).run(b -> {
        twoNodesShare(a, b); // the TLS port speaks nothing else: the bundle's trust was used
        PubSubInvalidationBus bus = (PubSubInvalidationBus) a.getBean(InvalidationBus.class);
        assertThat(bus.stats().publishFailures()).as("no publish was refused").isZero();
      }));
    }
  }

  // ---------------------------------------------------------------- the same two-node check everywhere

  private static void twoNodesShare(AssertableApplicationContext a, AssertableApplicationContext b) {
    assertThat(a).hasNotFailed();
    assertThat(b).hasNotFailed();
    assertThat(a.getBean(InvalidationBus.class)).as("a bus, so Redis answered at start-up").isNotNull();
    Lookup onA = a.getBean(Lookup.class);
    Lookup onB = b.getBean(Lookup.class);

    assertThat(onA.user(1)).isEqualTo("user-1"); // miss: loaded, filled into Redis
    assertThat(onA.user(1)).isEqualTo("user-1"); // L1 hit
    assertThat(onA.loads()).isEqualTo(1);
    assertThat(onB.user(1)).as("from Redis").isEqualTo("user-1");
    assertThat(onB.loads()).isEqualTo(0);

    onB.evict(1); // deletes in Redis, then tells a
    await().atMost(Duration.ofSeconds(5)).until(() -> {
      onA.user(1);
      return onA.loads() == 2;
    });
    assertThat(onB.user(1)).as("a's fresh load, from Redis").isEqualTo("user-1");
    assertThat(onB.loads()).isEqualTo(0);
  }

  /** The ACL rule the README's "Add Redis" section documents, for user {@code tiered-cache}. */
  static List<String> readmeAclRule(String password) throws IOException {
    String readme = Files.readString(Path.of("..", "README.md"));
    int start = readme.indexOf("ACL SETUSER tiered-cache on >PASSWORD");
    assertThat(start).as("the README shows the ACL rule").isPositive();
    String block = readme.substring(start, readme.indexOf("```", start));
    List<String> words = new ArrayList<>(List.of(block.strip().split("\\s+")));
    List<String> rule = new ArrayList<>(words.subList(3, words.size())); // after ACL SETUSER tiered-cache
    rule.replaceAll(word -> word.equals(">PASSWORD") ? ">" + password : word);
    return rule;
  }

  /** {@code ACL SETUSER} on a Sentinel, which speaks RESP like any Redis. */
  private static void aclSetuser(String uri, String user, String... rules) {
    RedisClient client = RedisClient.create(uri);
    try (var connection = client.connect()) {
      CommandArgs<String, String> args = new CommandArgs<>(StringCodec.UTF8).add("SETUSER").add(user);
      for (String rule : rules) {
        args.add(rule);
      }
      assertThat(connection.sync().dispatch(CommandType.ACL, new StatusOutput<>(StringCodec.UTF8), args))
          .isEqualTo("OK");
    } finally {
      client.shutdown(Duration.ZERO, Duration.ofSeconds(2));
    }
  }
}
