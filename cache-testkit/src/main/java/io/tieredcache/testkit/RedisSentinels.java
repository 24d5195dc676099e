package io.tieredcache.testkit;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Collectors;

/**
 * A Sentinel-managed Redis of local processes on free loopback ports: a primary, a replica and
 * three Sentinels ({@code redis-server --sentinel}) watching them under {@link #MASTER_NAME}, with
 * short timeouts so that a failover takes a few seconds. Each process is stopped by its own pid
 * on {@link #close()}.
 */
public final class RedisSentinels implements AutoCloseable {

  /** The name the Sentinels know the primary by. */
  public static final String MASTER_NAME = "tiered-cache";
  /** How long a primary must be unreachable before the Sentinels call it down. */
  public static final Duration DOWN_AFTER = Duration.ofMillis(1_000);

  private final RedisServer primary;
  private final RedisServer replica;
  private final List<RedisServer> sentinels;
  private final Path dir;

  private RedisSentinels(RedisServer primary, RedisServer replica, List<RedisServer> sentinels, Path dir) {
    this.primary = primary;
    this.replica = replica;
    this.sentinels = sentinels;
    this.dir = dir;
  }

  /** Starts the five processes and waits until the replica is in sync. */
  public static RedisSentinels start() {
    RedisServer primary = RedisServer.startLocal();
    List<RedisServer> started = new ArrayList<>(List.of(primary));
    Path dir = null;
    try {
      RedisServer replica = RedisServer.startLocal(List.of("--replicaof", primary.host(), Integer.toString(primary.port())));
      started.add(replica);
      dir = Files.createTempDirectory("tiered-cache-sentinel-");
      List<RedisServer> sentinels = new ArrayList<>();
      for (int i = 0; i < 3; i++) {
        Path conf = dir.resolve("sentinel-" + i + ".conf");
        Files.writeString(conf, "sentinel monitor " + MASTER_NAME + " " + primary.host() + " " + primary.port() + " 2\n"
            + "sentinel down-after-milliseconds " + MASTER_NAME + " " + DOWN_AFTER.toMillis() + "\n"
            + "sentinel failover-timeout " + MASTER_NAME + " 5000\n"
            + "sentinel parallel-syncs " + MASTER_NAME + " 1\n");
        RedisServer sentinel = RedisServer.startLocal(List.of(conf.toString(), "--sentinel"));
        started.add(sentinel);
        sentinels.add(sentinel);
      }
      var set = new RedisSentinels(primary, replica, sentinels, dir);
      set.awaitReplicaInSync(replica);
      return set;
    } catch (IOException e) {
      started.forEach(RedisServer::close);
      throw new UncheckedIOException(e);
    } catch (RuntimeException e) {
      started.forEach(RedisServer::close);
      if (dir != null) {
        LocalRedisProcess.deleteRecursively(dir);
      }
      throw e;
    }
  }

  /** {@code redis-sentinel://127.0.0.1:p1,127.0.0.1:p2,127.0.0.1:p3#tiered-cache}. */
  public String uri() {
    return "redis-sentinel://" + sentinels.stream().map(s -> s.host() + ":" + s.port())
        .collect(Collectors.joining(",")) + "#" + MASTER_NAME;
  }

  /** The server that was the primary at start. */
  public RedisServer primary() {
    return primary;
  }

  /** The server that was the replica at start. */
  public RedisServer replica() {
    return replica;
  }

  /** The port of the current primary, as the first Sentinel sees it. */
  public int currentPrimaryPort() {
    try (RedisAdmin admin = sentinels.get(0).admin()) {
      Object reply = admin.command("SENTINEL", "get-master-addr-by-name", MASTER_NAME);
      List<?> address = (List<?>) reply;
      return Integer.parseInt(String.valueOf(address.get(1)));
    }
  }

  /** Asks the Sentinels to fail over now (a planned switch: the replica becomes the primary). */
  public void failover() {
    try (RedisAdmin admin = sentinels.get(0).admin()) {
      admin.command("SENTINEL", "FAILOVER", MASTER_NAME);
    }
  }

  private void awaitReplicaInSync(RedisServer server) {
    long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
    try (RedisAdmin admin = server.admin()) {
      while (!admin.info("replication").contains("master_link_status:up")) {
        if (System.nanoTime() - deadline > 0) {
          throw new IllegalStateException("the replica did not sync with the primary within 20 s");
        }
        try {
          Thread.sleep(50);
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          throw new IllegalStateException(e);
        }
      }
    }
  }

  @Override
  public void close() {
    try {
      sentinels.forEach(RedisServer::close);
      replica.close();
      primary.close();
    } finally {
      LocalRedisProcess.deleteRecursively(dir);
    }
  }
}
