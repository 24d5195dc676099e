package io.tieredcache.redis;

import static org.assertj.core.api.Assertions.assertThat;

import io.lettuce.core.ClientOptions;
import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisURI;
import io.lettuce.core.SslOptions;
import io.lettuce.core.cluster.RedisClusterClient;
import io.tieredcache.KeyCodec;
import io.tieredcache.TieredCache;
import io.tieredcache.redis.bus.PubSubBusOptions;
import io.tieredcache.redis.bus.PubSubInvalidationBus;
import io.tieredcache.redis.bus.RedisInvalidationBus;
import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The Java snippets of the README's "Cluster, Sentinel, TLS" section are the bodies of the methods
 * below, which must compile; the test fails if the README stops showing them as they are here.
 * (What they set up runs in {@code RedisClusterTierIT}, {@code ClusterBusIT}, {@code
 * SentinelFailoverIT} and {@code TlsAndAclIT}.)
 */
class ReadmeRedisSectionTest {

  interface Db {
    String findUser(Long id);
  }

  @SuppressWarnings("unused")
  static void cluster(Db db) {
    RedisClusterClient cluster = RedisClusterClient.create(List.of(RedisURI.create("redis://node1:6379")));
    RedisInvalidationBus bus = PubSubInvalidationBus.create(cluster,
        PubSubBusOptions.builder().sharded(true).build()); // or StreamInvalidationBus.create(cluster)
    TieredCache<Long, String> users = TieredCache.builder("users")
        .keyCodec(KeyCodec.longs())
        .remoteTier(RedisTier.builder(cluster).valueType(String.class).build())
        .invalidationBus(bus)
        .build(db::findUser);
  }

  @SuppressWarnings("unused")
  static void sentinel() {
    RedisClient client = RedisClient.create("redis-sentinel://s1:26379,s2:26379,s3:26379#mymaster");
  }

  static void tls(String password) {
    RedisClient client = RedisClient.create(RedisURI.builder(RedisURI.create("rediss://redis.example:6380"))
        .withAuthentication("tiered-cache", password.toCharArray()).build());
    client.setOptions(ClientOptions.builder()
        .sslOptions(SslOptions.builder().trustManager(new File("ca.crt")).build()).build());
  }

  @Test
  void theReadmeShowsTheseSnippets() throws IOException {
    String readme = Files.readString(Path.of("..", "README.md"));
    int from = readme.indexOf("### Cluster, Sentinel, TLS");
    String section = readme.substring(from, readme.indexOf("\n## ", from));
    String source = squash(Files.readString(
        Path.of("src", "test", "java", "io", "tieredcache", "redis", "ReadmeRedisSectionTest.java")));
    List<String> snippets = new ArrayList<>();
    for (int at = section.indexOf("```java"); at >= 0; at = section.indexOf("```java", at + 1)) {
      int start = at + "```java".length();
      snippets.add(section.substring(start, section.indexOf("```", start)));
    }
    assertThat(snippets).hasSize(3);
    for (String snippet : snippets) {
      assertThat(source).contains(squash(snippet));
    }
  }

  /** The text with runs of white space made one space, so indentation does not matter. */
  private static String squash(String text) {
    return text.strip().replaceAll("\\s+", " ");
  }
}
