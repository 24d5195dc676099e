package io.tieredcache.spring.boot;

import io.lettuce.core.AbstractRedisClient;
import io.lettuce.core.ClientOptions;
import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisURI;
import io.lettuce.core.SocketOptions;
import io.lettuce.core.SslOptions;
import io.lettuce.core.cluster.ClusterClientOptions;
import io.lettuce.core.cluster.ClusterTopologyRefreshOptions;
import io.lettuce.core.cluster.RedisClusterClient;
import io.lettuce.core.resource.ClientResources;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.springframework.boot.data.redis.autoconfigure.DataRedisConnectionDetails;
import org.springframework.boot.data.redis.autoconfigure.DataRedisProperties;
import org.springframework.boot.ssl.SslBundle;

/**
 * Makes the Lettuce client the cache tier uses from Boot's Redis connection details ({@code
 * spring.data.redis.*}, or a container's or Docker Compose's), so the cache talks to the same Redis
 * as the rest of the application, set up as Boot sets up its own Lettuce client: standalone,
 * Sentinel (with the Sentinels' own username and password) or Cluster (with {@code max-redirects}
 * and {@code lettuce.cluster.refresh.*}); username and password; SSL from a bundle, from {@code
 * ssl.enabled} (the JVM's trust store) or from a {@code rediss://} URL; client name and timeouts.
 */
final class RedisClients {

  private RedisClients() {}

  /**
   * A {@link RedisClusterClient} when the details name a cluster, else a {@link RedisClient}; on
   * {@code resources} (Boot's Lettuce threads, when it has them) or on its own.
   *
   * @throws IllegalStateException for a static master/replica set-up, which the cache does not use
   */
  static AbstractRedisClient create(DataRedisConnectionDetails details, DataRedisProperties properties,
      ClientResources resources) {
    if (details.getCluster() == null && details.getSentinel() == null && details.getMasterReplica() != null) {
      throw new IllegalStateException("tiered-cache does not support spring.data.redis.masterreplica; use a"
          + " standalone, Sentinel or Cluster Redis, or set tiered-cache.redis.enabled=false");
    }
    SslBundle bundle = details.getSslBundle();
    boolean ssl = bundle != null || (properties != null && usesSsl(properties.getUrl()));
    SocketOptions socket = properties != null && properties.getConnectTimeout() != null
        ? SocketOptions.builder().connectTimeout(properties.getConnectTimeout()).build() : null;
    SslOptions sslOptions = bundle != null ? sslOptions(bundle) : null;

    if (details.getCluster() != null) {
      List<RedisURI> seeds = new ArrayList<>();
      for (DataRedisConnectionDetails.Node node : details.getCluster().getNodes()) {
        seeds.add(finish(RedisURI.Builder.redis(node.host(), node.port()), details, properties, ssl));
      }
      RedisClusterClient client = resources != null ? RedisClusterClient.create(resources, seeds)
          : RedisClusterClient.create(seeds);
      ClusterClientOptions.Builder options = ClusterClientOptions.builder();
      if (properties != null) {
        if (properties.getCluster() != null && properties.getCluster().getMaxRedirects() != null) {
          options.maxRedirects(properties.getCluster().getMaxRedirects());
        }
        DataRedisProperties.Lettuce.Cluster.Refresh refresh = properties.getLettuce().getCluster().getRefresh();
        ClusterTopologyRefreshOptions.Builder topology = ClusterTopologyRefreshOptions.builder()
            .dynamicRefreshSources(refresh.isDynamicRefreshSources());
        if (refresh.getPeriod() != null) {
          topology.enablePeriodicRefresh(refresh.getPeriod());
        }
        options.topologyRefreshOptions(topology.build());
      }
      apply(options, socket, sslOptions);
      client.setOptions(options.build());
      return client;
    }

    RedisURI.Builder builder;
    int database;
    DataRedisConnectionDetails.Sentinel sentinel = details.getSentinel();
    if (sentinel != null) {
      builder = RedisURI.builder().withSentinelMasterId(sentinel.getMaster());
      for (DataRedisConnectionDetails.Node node : sentinel.getNodes()) {
        RedisURI.Builder sentinelUri = RedisURI.Builder.redis(node.host(), node.port()).withSsl(ssl);
        // The Sentinels may have credentials of their own (spring.data.redis.sentinel.username/password).
        if (sentinel.getPassword() != null) {
          if (sentinel.getUsername() != null) {
            sentinelUri.withAuthentication(sentinel.getUsername(), sentinel.getPassword());
          } else {
            sentinelUri.withPassword(sentinel.getPassword().toCharArray());
          }
        }
        builder.withSentinel(sentinelUri.build());
      }
      database = sentinel.getDatabase();
    } else {
      DataRedisConnectionDetails.Standalone standalone = details.getStandalone();
      builder = RedisURI.Builder.redis(standalone.getHost(), standalone.getPort());
      database = standalone.getDatabase();
    }
    RedisURI uri = finish(builder.withDatabase(database), details, properties, ssl);
    RedisClient client = resources != null ? RedisClient.create(resources, uri) : RedisClient.create(uri);
    ClientOptions.Builder options = ClientOptions.builder();
    apply(options, socket, sslOptions);
    client.setOptions(options.build());
    return client;
  }

  /** Credentials, SSL, client name and command timeout, shared by every kind of URI. */
  private static RedisURI finish(RedisURI.Builder builder, DataRedisConnectionDetails details,
      DataRedisProperties properties, boolean ssl) {
    String password = details.getPassword();
    if (password != null) {
      String username = details.getUsername();
      if (username != null) {
        builder.withAuthentication(username, password);
      } else {
        builder.withPassword(password.toCharArray());
      }
    }
    builder.withSsl(ssl);
    if (properties != null) {
      if (properties.getClientName() != null && !properties.getClientName().isBlank()) {
        builder.withClientName(properties.getClientName());
      }
      Duration timeout = properties.getTimeout();
      if (timeout != null) {
        builder.withTimeout(timeout);
      }
    }
    return builder.build();
  }

  private static void apply(ClientOptions.Builder options, SocketOptions socket, SslOptions ssl) {
    if (socket != null) {
      options.socketOptions(socket);
    }
    if (ssl != null) {
      options.sslOptions(ssl);
    }
  }

  /** As Boot makes them for its own Lettuce client: the bundle's managers, ciphers and protocols. */
  private static SslOptions sslOptions(SslBundle bundle) {
    SslOptions.Builder ssl = SslOptions.builder()
        .keyManager(bundle.getManagers().getKeyManagerFactory())
        .trustManager(bundle.getManagers().getTrustManagerFactory());
    org.springframework.boot.ssl.SslOptions options = bundle.getOptions();
    if (options.getCiphers() != null) {
      ssl.cipherSuites(options.getCiphers());
    }
    if (options.getEnabledProtocols() != null) {
      ssl.protocols(options.getEnabledProtocols());
    }
    return ssl.build();
  }

  /** Whether {@code spring.data.redis.url} asks for SSL ({@code rediss://}), as Boot reads it. */
  private static boolean usesSsl(String url) {
    return url != null && url.regionMatches(true, 0, "rediss:", 0, "rediss:".length());
  }
}
