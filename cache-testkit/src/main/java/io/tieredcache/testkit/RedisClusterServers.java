package io.tieredcache.testkit;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import java.util.function.ToIntFunction;
import java.util.stream.Collectors;

/**
 * A local Redis Cluster of {@code redis-server --cluster-enabled yes} processes on free loopback
 * ports (each with its own {@code --cluster-port}), joined with {@code redis-cli --cluster create},
 * each stopped by its own pid on {@link #close()}.
 *
 * <p>{@link #start()} makes three primaries; {@link #startWithReplicas()} makes three primaries
 * and one replica of each, so that a test can fail a primary over: planned with
 * {@link #failover(RedisServer)} ({@code CLUSTER FAILOVER} on its replica), or by a crash with
 * {@link #kill(RedisServer)} (SIGKILL, then the cluster promotes the replica by itself), after
 * which {@link #restart(RedisServer)} brings the dead node back as a replica. Nodes time out after
 * {@link #NODE_TIMEOUT}, so a crash is noticed and repaired within a few seconds. Every wait is
 * bounded by {@link #WAIT_LIMIT} and fails with {@link IllegalStateException} past it.
 *
 * <p>Not thread-safe: one test thread steers it (clients may use the cluster from any thread).
 */
public final class RedisClusterServers implements AutoCloseable {

  /** {@code cluster-node-timeout}: how long a node may be unreachable before the others call it failed. */
  public static final Duration NODE_TIMEOUT = Duration.ofMillis(2_000);
  /** The longest any wait of this fixture lasts (creating the cluster, a failover, a restart). */
  public static final Duration WAIT_LIMIT = Duration.ofSeconds(60);

  private static final Duration POLL = Duration.ofMillis(50);

  /** Every node, in start order: the three first primaries, then their replicas. */
  private final List<RedisServer> servers;
  /** Nodes killed by {@link #kill} and not restarted yet. */
  private final Set<RedisServer> dead = new HashSet<>();

  private RedisClusterServers(List<RedisServer> servers) {
    this.servers = servers;
  }

  /** Starts three primaries, creates the cluster and waits until it reports {@code cluster_state:ok}. */
  public static RedisClusterServers start() {
    return start(0);
  }

  /**
   * Starts three primaries and three replicas ({@code --cluster-replicas 1}), creates the cluster
   * and waits until every node reports {@code cluster_state:ok} and every replica is in sync with
   * its primary.
   */
  public static RedisClusterServers startWithReplicas() {
    return start(1);
  }

  private static RedisClusterServers start(int replicasPerPrimary) {
    List<RedisServer> started = new ArrayList<>();
    try {
      for (int i = 0; i < 3 * (1 + replicasPerPrimary); i++) {
        started.add(RedisServer.startLocal(List.of("--cluster-enabled", "yes",
            "--cluster-config-file", "nodes.conf",
            "--cluster-node-timeout", Long.toString(NODE_TIMEOUT.toMillis()),
            // The bus port explicitly: port + 10000 may be out of range or taken.
            "--cluster-port", Integer.toString(RedisServer.freePort()))));
      }
      List<String> command = new ArrayList<>(List.of(redisCli().toString(), "--cluster", "create"));
      for (RedisServer server : started) {
        command.add(server.host() + ":" + server.port());
      }
      command.addAll(List.of("--cluster-replicas", Integer.toString(replicasPerPrimary), "--cluster-yes"));
      run(command);
      var cluster = new RedisClusterServers(started);
      cluster.awaitHealthy("the new cluster");
      return cluster;
    } catch (RuntimeException e) {
      started.forEach(RedisServer::close);
      throw e;
    }
  }

  /**
   * {@code redis://127.0.0.1:<port>} of every node started (a killed one included: clients skip a
   * seed that does not answer), the seeds for a {@code RedisClusterClient}.
   */
  public List<String> uris() {
    return servers.stream().map(RedisServer::uri).collect(Collectors.toList());
  }

  /**
   * The nodes that are primaries now, for administration (each one's own keys): the three
   * started as primaries until a failover, then whoever took their place. A killed node is
   * never listed.
   */
  public List<RedisServer> primaries() {
    return running().stream().filter(s -> role(s).isPrimary()).collect(Collectors.toList());
  }

  /** The running nodes that are replicas now. */
  public List<RedisServer> replicas() {
    return running().stream().filter(s -> !role(s).isPrimary()).collect(Collectors.toList());
  }

  /** Every node this fixture started, running or killed, in start order. */
  public List<RedisServer> servers() {
    return List.copyOf(servers);
  }

  /**
   * The running replica of {@code primary}.
   *
   * @throws IllegalStateException if it has none (a cluster from {@link #start()})
   */
  public RedisServer replicaOf(RedisServer primary) {
    for (RedisServer server : running()) {
      Role role = role(server);
      if (!role.isPrimary() && role.primaryPort() == primary.port()) {
        return server;
      }
    }
    throw new IllegalStateException("no running replica follows " + primary);
  }

  /**
   * The running primary that serves hash {@code slot} (0-16383) now, as that primary itself says.
   *
   * @throws IllegalStateException if no running primary claims it (the cluster is failing over)
   */
  public RedisServer primaryForSlot(int slot) {
    for (RedisServer server : primaries()) {
      try (RedisAdmin admin = server.admin()) {
        if (servesSlot(String.valueOf(admin.command("CLUSTER", "NODES")), slot)) {
          return server;
        }
      }
    }
    throw new IllegalStateException("no running primary serves slot " + slot);
  }

  /**
   * The first {@code count} keys {@code <keyPrefix><i>} (i = 0, 1, ...) whose slot, as
   * {@code slotOf} computes it, {@code primary} serves; the first {@code 100 * count} candidates
   * are tried. {@code primary} is asked for its slots once.
   *
   * @throws IllegalStateException if fewer are found
   */
  public List<String> keysServedBy(RedisServer primary, String keyPrefix, int count, ToIntFunction<String> slotOf) {
    String nodes;
    try (RedisAdmin admin = primary.admin()) {
      nodes = String.valueOf(admin.command("CLUSTER", "NODES"));
    }
    List<String> keys = new ArrayList<>();
    for (int i = 0; i < 100 * count && keys.size() < count; i++) {
      String key = keyPrefix + i;
      if (servesSlot(nodes, slotOf.applyAsInt(key))) {
        keys.add(key);
      }
    }
    if (keys.size() < count) {
      throw new IllegalStateException(primary + " serves only " + keys.size() + " of the first " + 100 * count
          + " keys " + keyPrefix + "<i>, " + count + " were asked for");
    }
    return keys;
  }

  /** Whether the {@code myself} line of {@code CLUSTER NODES} lists {@code slot}. */
  private static boolean servesSlot(String nodes, int slot) {
    for (String line : nodes.split("\n")) {
      String[] fields = line.trim().split(" ");
      if (fields.length <= 8 || !fields[2].contains("myself")) {
        continue;
      }
      for (int i = 8; i < fields.length; i++) {
        if (fields[i].startsWith("[")) {
          continue; // a slot being migrated or imported
        }
        String[] range = fields[i].split("-");
        int from = Integer.parseInt(range[0]);
        int to = range.length > 1 ? Integer.parseInt(range[1]) : from;
        if (slot >= from && slot <= to) {
          return true;
        }
      }
    }
    return false;
  }

  /**
   * A planned failover: {@code CLUSTER FAILOVER} on the replica of {@code primary}, which makes
   * sure it has everything the primary acknowledged before they swap roles. Returns once the
   * replica is the primary, {@code primary} its replica in sync, and every node reports {@code
   * cluster_state:ok} and lists the new primary.
   *
   * @return the new primary (the former replica)
   * @throws IllegalStateException if {@code primary} is not a primary or the switch does not
   *     complete within {@link #WAIT_LIMIT}
   */
  public RedisServer failover(RedisServer primary) {
    requirePrimary(primary);
    RedisServer replica = replicaOf(primary);
    try (RedisAdmin admin = replica.admin()) {
      admin.command("CLUSTER", "FAILOVER");
    }
    awaitUntil("the replica " + replica + " to take over from " + primary,
        () -> role(replica).isPrimary() && role(primary).primaryPort() == replica.port());
    awaitHealthy("the cluster after the failover of " + primary);
    return replica;
  }

  /**
   * A crash: kills {@code primary} with SIGKILL (no shutdown, nothing more reaches its replica or
   * clients), then waits until the cluster has noticed (after {@link #NODE_TIMEOUT}), its replica
   * has been elected primary, and every running node reports {@code cluster_state:ok}.
   *
   * @return the new primary (the former replica)
   * @throws IllegalStateException if {@code primary} is not a primary or the promotion does not
   *     complete within {@link #WAIT_LIMIT}
   */
  public RedisServer kill(RedisServer primary) {
    requirePrimary(primary);
    RedisServer replica = replicaOf(primary);
    primary.kill();
    dead.add(primary);
    awaitUntil("the replica " + replica + " to be promoted after " + primary + " was killed",
        () -> role(replica).isPrimary());
    awaitHealthy("the cluster after " + primary + " was killed");
    return replica;
  }

  /**
   * Starts a node killed by {@link #kill} again on its port, with the cluster configuration it
   * kept ({@code nodes.conf}) but no data: it learns that its slots moved and becomes a replica of
   * the node that took them. Returns once it is in sync and every node reports {@code
   * cluster_state:ok}.
   *
   * @throws IllegalStateException if {@code server} was not killed by this fixture or does not
   *     rejoin within {@link #WAIT_LIMIT}
   */
  public void restart(RedisServer server) {
    if (!dead.contains(server)) {
      throw new IllegalStateException(server + " was not killed by this cluster fixture");
    }
    server.start();
    dead.remove(server);
    awaitHealthy("the cluster after " + server + " restarted");
  }

  @Override
  public void close() {
    servers.forEach(RedisServer::close);
  }

  // ---- waiting ------------------------------------------------------------------------------

  /**
   * Every running node says {@code cluster_state:ok} and lists exactly the running primaries as
   * the masters that serve slots, and every running replica is in sync.
   */
  private void awaitHealthy(String what) {
    awaitUntil(what + " to be healthy", () -> {
      List<RedisServer> running = running();
      Set<Integer> primaryPorts = new HashSet<>();
      for (RedisServer server : running) {
        if (role(server).isPrimary()) {
          primaryPorts.add(server.port());
        }
      }
      for (RedisServer server : running) {
        try (RedisAdmin admin = server.admin()) {
          if (!String.valueOf(admin.command("CLUSTER", "INFO")).contains("cluster_state:ok")) {
            return false;
          }
          if (!primaryPorts.equals(slotOwners(String.valueOf(admin.command("CLUSTER", "NODES"))))) {
            return false;
          }
          Role role = role(server);
          if (!role.isPrimary() && !admin.info("replication").contains("master_link_status:up")) {
            return false;
          }
        }
      }
      return primaryPorts.size() == 3;
    });
  }

  /** The ports of the healthy masters that serve slots, in one node's {@code CLUSTER NODES}. */
  private static Set<Integer> slotOwners(String nodes) {
    Set<Integer> ports = new HashSet<>();
    for (String line : nodes.split("\n")) {
      String[] fields = line.trim().split(" ");
      if (fields.length > 8 && fields[2].contains("master") && !fields[2].contains("fail")) {
        String address = fields[1];
        int colon = address.lastIndexOf(':');
        int at = address.indexOf('@', colon);
        ports.add(Integer.parseInt(address.substring(colon + 1, at < 0 ? address.length() : at)));
      }
    }
    return ports;
  }

  /** Polls {@code condition} until it holds, at most {@link #WAIT_LIMIT}; errors count as "not yet". */
  private static void awaitUntil(String what, BooleanSupplier condition) {
    long deadline = System.nanoTime() + WAIT_LIMIT.toNanos();
    RuntimeException last = null;
    while (true) {
      try {
        if (condition.getAsBoolean()) {
          return;
        }
      } catch (UncheckedIOException | RedisAdminException e) {
        last = e; // a node restarting or refusing for a moment
      }
      if (System.nanoTime() - deadline > 0) {
        throw new IllegalStateException("timed out after " + WAIT_LIMIT + " waiting for " + what, last);
      }
      sleep(POLL.toMillis());
    }
  }

  // ---- roles --------------------------------------------------------------------------------

  private List<RedisServer> running() {
    return servers.stream().filter(s -> !dead.contains(s)).collect(Collectors.toList());
  }

  private void requirePrimary(RedisServer primary) {
    if (!servers.contains(primary) || dead.contains(primary) || !role(primary).isPrimary()) {
      throw new IllegalStateException(primary + " is not a running primary of this cluster");
    }
  }

  /** A node's {@code ROLE}: primary, or replica of the primary on {@code primaryPort}. */
  private record Role(boolean isPrimary, int primaryPort) {}

  private static Role role(RedisServer server) {
    try (RedisAdmin admin = server.admin()) {
      List<?> role = (List<?>) admin.command("ROLE");
      if ("master".equals(role.get(0))) {
        return new Role(true, -1);
      }
      return new Role(false, Integer.parseInt(String.valueOf(role.get(2))));
    }
  }

  // ---- processes ----------------------------------------------------------------------------

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
        if (!process.waitFor(WAIT_LIMIT.toMillis(), TimeUnit.MILLISECONDS)) {
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
