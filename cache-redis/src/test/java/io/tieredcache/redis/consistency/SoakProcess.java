package io.tieredcache.redis.consistency;

import io.lettuce.core.RedisClient;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.api.sync.RedisCommands;
import io.tieredcache.TieredCache;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

/**
 * One JVM of the soak test: a few cache nodes on a Redis Cluster (each with its own cluster
 * client, bus and L1), running random reads, writes and {@code invalidateAll}s against a versioned
 * store that all processes share (a standalone Redis of its own: {@code INCR} writes a version,
 * {@code GET} reads it). Driven over stdin/stdout: prints {@code ready}; on {@code go <millis>} it
 * runs that long, printing every finished operation as {@code op <kind> <node> <key> <version>
 * <start> <end>} ({@link System#nanoTime}, one clock for every process of the machine), then one
 * {@code stats} line per node and {@code done}. Every loop is bounded in count and time.
 *
 * <p>Arguments: cluster seeds (comma-separated URIs), store URI, cache name, channel, node count,
 * process name.
 */
public final class SoakProcess {

  static final int KEYS = Checker.KEYS;
  static final int READERS = 2;
  static final int WRITERS = 1;
  static final int INVALIDATE_ALL_EVERY = 100;
  static final int MAX_OPS_PER_THREAD = 1_000_000;
  static final Duration STALE_WHILE_DISCONNECTED = Duration.ofSeconds(1);

  private SoakProcess() {}

  public static void main(String[] args) throws Exception {
    List<String> seeds = List.of(args[0].split(","));
    String storeUri = args[1];
    String cacheName = args[2];
    String channel = args[3];
    int count = Integer.parseInt(args[4]);
    String name = args[5];
    PrintStream out = new PrintStream(System.out, false, StandardCharsets.UTF_8);
    RedisClient storeClient = RedisClient.create(storeUri);
    List<ClusterNode> nodes = new ArrayList<>();
    try (StatefulRedisConnection<String, String> store = storeClient.connect()) {
      RedisCommands<String, String> db = store.sync();
      for (int i = 0; i < count; i++) {
        nodes.add(new ClusterNode(name + "." + i, seeds, cacheName, channel, STALE_WHILE_DISCONNECTED,
            key -> read(db, key)));
      }
      print(out, "ready");
      BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
      String line = in.readLine();
      if (line == null || !line.startsWith("go ")) {
        return;
      }
      run(nodes, db, Duration.ofMillis(Long.parseLong(line.substring(3).trim())), out);
      for (ClusterNode node : nodes) {
        var stats = node.cache.stats();
        print(out, "stats " + node.name + " l1Hits=" + stats.l1Hits() + " l2Hits=" + stats.l2Hits() + " loads="
            + stats.loadCount() + " remoteErrors=" + stats.remoteErrorCount() + " lossFlushes=" + stats.lossFlushes()
            + " busOutages=" + stats.busOutages() + " repairsPending=" + stats.repairsPending());
      }
      print(out, "done");
    } finally {
      for (ClusterNode node : nodes) {
        try {
          node.close();
        } catch (RuntimeException ignored) {
          // closing the rest matters more
        }
      }
      storeClient.shutdown(Duration.ZERO, Duration.ofSeconds(2));
    }
  }

  static long read(RedisCommands<String, String> db, String key) {
    String version = db.get("version:" + key);
    return version == null ? 0 : Long.parseLong(version);
  }

  private static void run(List<ClusterNode> nodes, RedisCommands<String, String> db, Duration duration, PrintStream out)
      throws Exception {
    ExecutorService pool = Executors.newFixedThreadPool(READERS + WRITERS);
    try {
      long stopAt = System.nanoTime() + duration.toNanos();
      List<Future<?>> workers = new ArrayList<>();
      for (int r = 0; r < READERS; r++) {
        workers.add(pool.submit(() -> {
          ThreadLocalRandom random = ThreadLocalRandom.current();
          for (int i = 0; i < MAX_OPS_PER_THREAD && System.nanoTime() < stopAt; i++) {
            ClusterNode node = nodes.get(random.nextInt(nodes.size()));
            String key = "k" + random.nextInt(KEYS);
            long start = System.nanoTime();
            long version = node.cache.get(key);
            op(out, "read", node.name, key, version, start, System.nanoTime());
            LockSupport.parkNanos(200_000);
          }
          return null;
        }));
      }
      for (int w = 0; w < WRITERS; w++) {
        workers.add(pool.submit(() -> {
          ThreadLocalRandom random = ThreadLocalRandom.current();
          for (int i = 0; i < MAX_OPS_PER_THREAD && System.nanoTime() < stopAt; i++) {
            ClusterNode node = nodes.get(random.nextInt(nodes.size()));
            TieredCache<String, Long> cache = node.cache;
            long start = System.nanoTime();
            if (random.nextInt(INVALIDATE_ALL_EVERY) == 0) {
              long[] written = new long[KEYS];
              for (int k = 0; k < KEYS; k++) {
                written[k] = db.incr("version:k" + k);
              }
              cache.invalidateAll();
              long end = System.nanoTime();
              for (int k = 0; k < KEYS; k++) {
                op(out, "all", node.name, "k" + k, written[k], start, end);
              }
            } else {
              String key = "k" + random.nextInt(KEYS);
              long version = db.incr("version:" + key); // Lettuce connections are thread-safe
              cache.invalidate(key);
              op(out, "write", node.name, key, version, start, System.nanoTime());
            }
            LockSupport.parkNanos(random.nextLong(4_000_000));
          }
          return null;
        }));
      }
      for (Future<?> worker : workers) {
        worker.get(duration.toMillis() * 3 + 30_000, TimeUnit.MILLISECONDS);
      }
    } finally {
      pool.shutdownNow();
    }
  }

  private static void op(PrintStream out, String kind, String node, String key, long version, long start, long end) {
    print(out, "op " + kind + " " + node + " " + key + " " + version + " " + start + " " + end);
  }

  private static void print(PrintStream out, String line) {
    synchronized (out) {
      out.println(line);
      out.flush();
    }
  }
}
