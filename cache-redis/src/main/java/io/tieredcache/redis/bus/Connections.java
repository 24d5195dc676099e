package io.tieredcache.redis.bus;

import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisFuture;
import io.lettuce.core.api.StatefulConnection;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.codec.ByteArrayCodec;
import io.lettuce.core.codec.RedisCodec;
import io.lettuce.core.codec.StringCodec;
import java.lang.System.Logger.Level;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/** Connection chores shared by both transports. */
final class Connections {

  private static final System.Logger LOG = System.getLogger(Connections.class.getName());

  /** Channel and stream names as UTF-8 strings, payloads as raw bytes. */
  static final RedisCodec<String, byte[]> CODEC = RedisCodec.of(StringCodec.UTF8, ByteArrayCodec.INSTANCE);

  /** How long closing waits for in-flight publishes, the goodbye message and unsubscribing. */
  static final Duration CLOSE_WAIT = Duration.ofSeconds(1);

  private Connections() {}

  /**
   * Names a fresh connection after the name the user's {@code RedisURI} gave it (Lettuce sets it
   * while connecting; possibly none) with a suffix saying which bus, node and role it serves, e.g.
   * {@code orders-service:tiered-cache-bus:web-1-4242-x9:subscribe}. Every fresh connection of a
   * role gets the same name, so it stays the same across reconnects.
   */
  static void name(StatefulRedisConnection<String, byte[]> connection, String nodeId, String role)
      throws Exception {
    String userName = await(connection.async().clientGetname(), ConnectionSlot.COMMAND_TIMEOUT);
    await(connection.async().clientSetname(NodeIds.clientName(userName, nodeId, role)),
        ConnectionSlot.COMMAND_TIMEOUT);
  }

  /**
   * Waits at most {@code timeout} for a command.
   *
   * @throws TimeoutException if Redis did not answer in time
   * @throws Exception what the command failed with
   */
  static <T> T await(RedisFuture<T> future, Duration timeout) throws Exception {
    try {
      return future.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
    } catch (ExecutionException e) {
      throw e.getCause() instanceof Exception cause ? cause : e;
    }
  }

  /** Waits for a close-time step without failing the close. */
  static void awaitQuietly(CompletableFuture<?> future, Duration timeout) {
    try {
      future.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } catch (Exception e) {
      LOG.log(Level.DEBUG, "ignored while closing: {0}", e.toString());
    }
  }

  static void closeQuietly(StatefulConnection<?, ?> connection) {
    if (connection != null) {
      try {
        connection.close();
      } catch (RuntimeException e) {
        LOG.log(Level.DEBUG, "ignored while closing a connection: {0}", e.toString());
      }
    }
  }

  /** A client for a URI that the bus owns; it is shut down when the bus closes. */
  static RedisClient ownedClient(String redisUri) {
    return RedisClient.create(redisUri);
  }

  static void shutdownQuietly(io.lettuce.core.AbstractRedisClient client) {
    try {
      client.shutdown(Duration.ZERO, Duration.ofSeconds(2));
    } catch (RuntimeException e) {
      LOG.log(Level.DEBUG, "ignored while shutting down the client: {0}", e.toString());
    }
  }
}
