package io.tieredcache.spring.boot;

import io.lettuce.core.ClientOptions;
import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisURI;
import io.lettuce.core.SslOptions;
import io.lettuce.core.resource.ClientResources;
import org.springframework.boot.data.redis.autoconfigure.DataRedisConnectionDetails;
import org.springframework.boot.data.redis.autoconfigure.DataRedisProperties;
import org.springframework.boot.ssl.SslBundle;

/**
 * Makes the Lettuce {@link RedisClient} the cache tier uses from Boot's Redis connection details
 * ({@code spring.data.redis.*}, or a container's or Docker Compose's), so the cache talks to the
 * same Redis as the rest of the application: standalone or Sentinel, username and password, SSL
 * bundle, client name and timeouts.
 */
final class RedisClients {

  private RedisClients() {}

  /** A client on {@code resources} (Boot's Lettuce threads, when it has them) or on its own. */
  static RedisClient create(DataRedisConnectionDetails details, DataRedisProperties properties, ClientResources resources) {
    if (details.getCluster() != null) {
      throw new IllegalStateException("tiered-cache does not support Redis Cluster through spring.data.redis.cluster yet;"
          + " use a standalone or Sentinel Redis, or set tiered-cache.redis.enabled=false");
    }
    RedisURI uri = uri(details);
    if (properties != null) {
      if (properties.getClientName() != null) {
        uri.setClientName(properties.getClientName());
      }
      if (properties.getTimeout() != null) {
        uri.setTimeout(properties.getTimeout());
      }
    }
    RedisClient client = resources != null ? RedisClient.create(resources, uri) : RedisClient.create(uri);
    ClientOptions.Builder options = ClientOptions.builder();
    if (properties != null && properties.getConnectTimeout() != null) {
      options.socketOptions(io.lettuce.core.SocketOptions.builder().connectTimeout(properties.getConnectTimeout()).build());
    }
    SslBundle bundle = details.getSslBundle();
    if (bundle != null) {
      uri.setSsl(true);
      options.sslOptions(SslOptions.builder()
          .keyManager(bundle.getManagers().getKeyManagerFactory())
          .trustManager(bundle.getManagers().getTrustManagerFactory())
          .build());
    }
    client.setOptions(options.build());
    return client;
  }

  private static RedisURI uri(DataRedisConnectionDetails details) {
    DataRedisConnectionDetails.Sentinel sentinel = details.getSentinel();
    RedisURI.Builder builder;
    int database;
    if (sentinel != null) {
      DataRedisConnectionDetails.Node first = sentinel.getNodes().get(0);
      builder = RedisURI.Builder.sentinel(first.host(), first.port(), sentinel.getMaster());
      for (DataRedisConnectionDetails.Node node : sentinel.getNodes().subList(1, sentinel.getNodes().size())) {
        builder.withSentinel(node.host(), node.port());
      }
      database = sentinel.getDatabase();
    } else {
      DataRedisConnectionDetails.Standalone standalone = details.getStandalone();
      builder = RedisURI.Builder.redis(standalone.getHost(), standalone.getPort());
      database = standalone.getDatabase();
    }
    builder.withDatabase(database);
    String password = details.getPassword();
    if (password != null) {
      String username = details.getUsername();
      if (username != null) {
        builder.withAuthentication(username, password);
      } else {
        builder.withPassword(password.toCharArray());
      }
    }
    return builder.build();
  }
}
