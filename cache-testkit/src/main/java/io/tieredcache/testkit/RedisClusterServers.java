package io.tieredcache.testkit;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;

/**
 * A local Redis Cluster: three primaries as {@code redis-server --cluster-enabled yes} processes on
 * free loopback ports, joined with {@code redis-cli --cluster create}, each stopped by its own pid
 * on {@link #close()}. Replicas and failovers are a later step.
 */
public final class RedisClusterServers implements AutoCloseable {

  private static final Duration CREATE_TIMEOUT = Duration.ofSeconds(60);

  private final List<RedisServer> primaries;

  private RedisClusterServers(List<RedisServer> primaries) {
    this.primaries = primaries;
  }

  /** Starts three primaries, creates the cluster and waits until it reports {@code cluster_state:ok}. */
  public static RedisClusterServers start() {
    List<RedisServer> started = new ArrayList<>();
    try {
      for (int i = 0; i < 3; i++) {
        started.add(RedisServer.startLocal(List.of("--cluster-enabled", "yes",
            "--cluster-config-file", "nodes-" + System.nanoTime() + ".conf", "--cluster-node-timeout", "2000",
            // The bus port explicitly: port + 10000 may be out of range or taken.
            "--cluster-port", Integer.toString(RedisServer.freePort()))));
      }
      List<String> command = new ArrayList<>(List.of(redisCli().toString(), "--cluster", "create"));
      for (RedisServer server : started) {
        command.add(server.host() + ":" + server.port());
      }
      command.addAll(List.of("--cluster-replicas", "0", "--cluster-yes"));
      run(command);
      var cluster = new RedisClusterServers(started);
      cluster.awaitOk();
      return cluster;
    } catch (RuntimeException e) {
      started.forEach(RedisServer::close);
      throw e;
    }
  }

  /** {@code redis://127.0.0.1:<port>} of every primary, the seeds for a {@code RedisClusterClient}. */
  public List<String> uris() {
    return primaries.stream().map(RedisServer::uri).collect(Collectors.toList());
  }

  /** The primaries, for administration (each one's own keys). */
  public List<RedisServer> primaries() {
    return List.copyOf(primaries);
  }

  @Override
  public void close() {
    primaries.forEach(RedisServer::close);
  }

  private void awaitOk() {
    long deadline = System.nanoTime() + CREATE_TIMEOUT.toNanos();
    for (RedisServer server : primaries) {
      try (RedisAdmin admin = server.admin()) {
        while (!String.valueOf(admin.command("CLUSTER", "INFO")).contains("cluster_state:ok")) {
          if (System.nanoTime() - deadline > 0) {
            throw new IllegalStateException("the cluster did not become ok within " + CREATE_TIMEOUT);
          }
          sleep(50);
        }
      }
    }
  }

  private static Path redisCli() {
    Path server = LocalRedisProcess.findExecutable(System::getenv);
    Path cli = server.resolveSibling("redis-cli");
    return Files.isExecutable(cli) ? cli : Path.of("redis-cli");
  }

  private static void run(List<String> command) {
    try {
      Path log = Files.createTempFile("tiered-cache-cluster-create", ".log");
      try {
        Process process = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile()).start();
        if (!process.waitFor(CREATE_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS)) {
          process.destroyForcibly();
          throw new IllegalStateException("redis-cli --cluster create did not finish in time: " + command);
        }
        if (process.exitValue() != 0) {
          throw new IllegalStateException("redis-cli --cluster create failed: " + Files.readString(log));
        }
      } finally {
        Files.deleteIfExists(log);
      }
    } catch (IOException e) {
      throw new IllegalStateException("cannot run redis-cli: " + e.getMessage(), e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  private static void sleep(long millis) {
    try {
      Thread.sleep(millis);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }
}
