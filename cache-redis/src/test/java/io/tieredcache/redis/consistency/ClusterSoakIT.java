package io.tieredcache.redis.consistency;

import static org.assertj.core.api.Assertions.assertThat;

import io.tieredcache.testkit.RedisClusterServers;
import io.tieredcache.testkit.RedisServer;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * The soak: eight nodes in four JVMs of their own ({@link SoakProcess}, two nodes each) on a
 * local cluster of three primaries and three replicas, random reads, writes and {@code
 * invalidateAll}s against a versioned store shared by all processes, while a primary fails over
 * ({@code CLUSTER FAILOVER}) at a quarter of the run and one JVM is killed (SIGKILL) at half of it
 * and another JVM, started beforehand and idle until then, takes its place. The {@link Checker} judges the merged history of every process: 0 reads
 * staler than the bound. {@code -Dtc.soak.millis} runs longer (default 24 s, which suits CI).
 */
class ClusterSoakIT {

  static final int PROCESSES = 4;
  static final int NODES_PER_PROCESS = 2;
  static final Duration RUN = Duration.ofMillis(Long.getLong("tc.soak.millis", 24_000));
  static final Duration BOUND = SoakProcess.STALE_WHILE_DISCONNECTED.plus(Cluster.STALENESS_BOUND);

  @Test
  void eightNodesInFourJvmsServeNothingStalerThanTheBoundAcrossAFailoverAndAKilledNode() throws Exception {
    String cacheName = "soak-" + UUID.randomUUID();
    String channel = "inv-" + UUID.randomUUID();
    ConcurrentLinkedQueue<Checker.Op> history = new ConcurrentLinkedQueue<>();
    List<String> stats = new ArrayList<>();
    List<Child> children = new ArrayList<>();
    try (RedisClusterServers redis = RedisClusterServers.startWithReplicas();
        RedisServer store = RedisServer.startLocal()) {
      String seeds = String.join(",", redis.uris());
      for (int p = 0; p < PROCESSES; p++) {
        children.add(new Child(seeds, store.uri(), cacheName, channel, "p" + p, history, stats));
      }
      // The node that replaces the killed one: a JVM of its own, started now (a JVM and its cluster
      // clients take seconds to start on a busy machine) and idle until the kill.
      Child restarted = new Child(seeds, store.uri(), cacheName, channel, "p" + PROCESSES, history, stats);
      children.add(restarted);
      for (Child child : children) {
        child.awaitReady();
      }
      long started = System.nanoTime();
      for (Child child : children.subList(0, PROCESSES)) {
        child.go(RUN);
      }
      sleepUntil(started, RUN.dividedBy(4));
      RedisServer victim = redis.primaryForSlot(RedisClusterFailoverIT.slotOf("k0"));
      long failoverAt = System.nanoTime();
      redis.failover(victim);
      System.out.printf("soak: CLUSTER FAILOVER of %d took %d ms%n", victim.port(), (System.nanoTime() - failoverAt) / 1_000_000);

      sleepUntil(started, RUN.dividedBy(2));
      Child killed = children.get(PROCESSES - 1);
      killed.kill();
      long left = RUN.toNanos() - (System.nanoTime() - started);
      restarted.go(Duration.ofNanos(Math.max(1_000_000_000L, left)));
      System.out.printf("soak: killed %s at %d ms; %s took its place at %d ms%n", killed.name,
          RUN.toMillis() / 2, restarted.name, (System.nanoTime() - started) / 1_000_000);

      for (Child child : children) {
        if (child != killed) {
          child.awaitDone(RUN.plusSeconds(60));
        }
      }
    } finally {
      for (Child child : children) {
        child.kill();
      }
    }
    List<Checker.Op> ops = List.copyOf(history);
    List<String> violations = Checker.check(ops, BOUND.toNanos());
    long reads = ops.stream().filter(op -> op.kind().equals("read")).count();
    long writes = ops.stream().filter(op -> op.kind().equals("write")).count();
    long all = ops.stream().filter(op -> op.kind().equals("all")).count() / Checker.KEYS;
    stats.forEach(line -> System.out.println("soak: " + line));
    System.out.printf("soak: %d nodes in %d JVMs (+1 restarted) on a 3+3 cluster, %d s: %d reads, %d writes, "
        + "%d invalidateAll -> %d violations of the %d ms bound, max staleness %d ms%n",
        PROCESSES * NODES_PER_PROCESS, PROCESSES, RUN.toSeconds(), reads, writes, all, violations.size(),
        BOUND.toMillis(), Checker.maxStaleness(ops).toMillis());
    assertThat(stats).as("a stats line from every node that was not killed").hasSize(PROCESSES * NODES_PER_PROCESS);
    assertThat(reads).isGreaterThan(1_000);
    assertThat(writes).isGreaterThan(100);
    assertThat(violations).as("stale reads past the bound").isEmpty();
  }

  private static void sleepUntil(long started, Duration offset) throws InterruptedException {
    long wait = started + offset.toNanos() - System.nanoTime();
    if (wait > 0) {
      TimeUnit.NANOSECONDS.sleep(wait);
    }
  }

  /** One {@link SoakProcess} JVM; a daemon thread turns its output into operations. */
  private static final class Child {
    final String name;
    private final Process process;
    private final Writer in;
    private final CountDownLatch ready = new CountDownLatch(1);
    private final CountDownLatch done = new CountDownLatch(1);

    Child(String seeds, String storeUri, String cacheName, String channel, String name,
        ConcurrentLinkedQueue<Checker.Op> history, List<String> stats) throws IOException {
      this.name = name;
      String java = ProcessHandle.current().info().command().orElse(System.getProperty("java.home") + "/bin/java");
      process = new ProcessBuilder(java, "-Xmx256m", "-cp", System.getProperty("java.class.path"),
          SoakProcess.class.getName(), seeds, storeUri, cacheName, channel, Integer.toString(NODES_PER_PROCESS), name)
          .redirectError(ProcessBuilder.Redirect.INHERIT)
          .start();
      in = new java.io.OutputStreamWriter(process.getOutputStream(), StandardCharsets.UTF_8);
      Thread reader = new Thread(() -> read(history, stats), "soak-" + name);
      reader.setDaemon(true);
      reader.start();
    }

    private void read(ConcurrentLinkedQueue<Checker.Op> history, List<String> stats) {
      try (BufferedReader out = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
        String line;
        while ((line = out.readLine()) != null) {
          String[] w = line.split(" ");
          switch (w[0]) {
            case "op" -> {
              if (w.length == 7) { // a killed process may leave half a line
                history.add(new Checker.Op(w[1], w[2], w[3], Long.parseLong(w[4]), Long.parseLong(w[5]),
                    Long.parseLong(w[6])));
              }
            }
            case "ready" -> ready.countDown();
            case "stats" -> {
              synchronized (stats) {
                stats.add(line.substring("stats ".length()));
              }
            }
            case "done" -> done.countDown();
            default -> System.out.println(name + ": " + line);
          }
        }
      } catch (IOException | RuntimeException e) {
        // the process was killed mid-line: what it printed before counts
      }
    }

    void awaitReady() throws InterruptedException {
      if (!ready.await(60, TimeUnit.SECONDS)) {
        throw new IllegalStateException(name + " did not start within 60 s");
      }
    }

    void go(Duration run) throws IOException {
      in.write("go " + run.toMillis() + "\n");
      in.flush();
    }

    void awaitDone(Duration limit) throws InterruptedException {
      if (!done.await(limit.toMillis(), TimeUnit.MILLISECONDS)) {
        throw new IllegalStateException(name + " did not finish within " + limit);
      }
      try {
        process.waitFor(20, TimeUnit.SECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }

    /** SIGKILL through our own handle, then wait (bounded) for it to be gone. */
    void kill() {
      if (process.isAlive()) {
        process.destroyForcibly();
        try {
          process.waitFor(10, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
        }
      }
    }
  }
}
