package io.tieredcache.redis.consistency;

import static org.assertj.core.api.Assertions.assertThat;

import io.tieredcache.testkit.RedisExtension;
import io.tieredcache.testkit.RedisServer;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * A randomized multi-node checker: several nodes read random keys while writers bump versions in
 * the authoritative store and invalidate through random nodes. Once a write's {@code invalidate}
 * has returned and the staleness bound has passed, no read that starts afterwards may return an
 * older version. A violation fails with the key's history printed.
 */
@ExtendWith(RedisExtension.class)
class ConsistencyCheckerIT {

  static final int NODES = 3;
  static final int KEYS = 10;
  static final int READERS = 4;
  static final int WRITERS = 2;
  static final long RUN_NANOS = TimeUnit.SECONDS.toNanos(6);
  static final int MAX_OPS_PER_THREAD = 200_000;

  record Op(String kind, String node, String key, long version, long start, long end) {
    @Override
    public String toString() {
      return String.format("%-5s %-3s %-4s v%-5d [%d .. %d] us", kind, node, key, version, start / 1000, end / 1000);
    }
  }

  @ParameterizedTest
  @EnumSource(Transport.class)
  void noReadReturnsAVersionOlderThanAnInvalidatedWriteOnceTheBoundHasPassed(Transport transport, RedisServer redis)
      throws Exception {
    VersionedStore db = new VersionedStore();
    ConcurrentLinkedQueue<Op> history = new ConcurrentLinkedQueue<>();
    ExecutorService pool = Executors.newFixedThreadPool(READERS + WRITERS);
    try (Cluster cluster = new Cluster(redis.uri(), transport)) {
      List<Cluster.Node> nodes = new ArrayList<>();
      for (int n = 0; n < NODES; n++) {
        nodes.add(cluster.node("n" + n, db::read));
      }
      long origin = System.nanoTime();
      long stopAt = origin + RUN_NANOS;
      List<Future<?>> workers = new ArrayList<>();
      for (int r = 0; r < READERS; r++) {
        workers.add(pool.submit(() -> {
          ThreadLocalRandom random = ThreadLocalRandom.current();
          for (int i = 0; i < MAX_OPS_PER_THREAD && System.nanoTime() < stopAt; i++) {
            Cluster.Node node = nodes.get(random.nextInt(NODES));
            String key = "k" + random.nextInt(KEYS);
            long start = System.nanoTime() - origin;
            long version = node.cache.get(key);
            history.add(new Op("read", node.name, key, version, start, System.nanoTime() - origin));
          }
        }));
      }
      for (int w = 0; w < WRITERS; w++) {
        workers.add(pool.submit(() -> {
          ThreadLocalRandom random = ThreadLocalRandom.current();
          for (int i = 0; i < MAX_OPS_PER_THREAD && System.nanoTime() < stopAt; i++) {
            Cluster.Node node = nodes.get(random.nextInt(NODES));
            String key = "k" + random.nextInt(KEYS);
            long start = System.nanoTime() - origin;
            long version = db.write(key);
            node.cache.invalidate(key);
            history.add(new Op("write", node.name, key, version, start, System.nanoTime() - origin));
            java.util.concurrent.locks.LockSupport.parkNanos(random.nextLong(2_000_000));
          }
        }));
      }
      for (Future<?> worker : workers) {
        worker.get(RUN_NANOS * 3, TimeUnit.NANOSECONDS);
      }
      for (Cluster.Node node : nodes) {
        var stats = node.cache.stats();
        System.out.printf("checker %s node %s: l1 hits %d, misses %d, loads %d, invalidations received %d, "
            + "loss flushes %d, bus %s%n", transport, node.name, stats.l1Hits(), stats.l1Misses(), stats.loadCount(),
            stats.invalidationsReceived(), stats.lossFlushes(), node.bus.stats());
      }
    } finally {
      pool.shutdownNow();
    }

    List<String> violations = check(history, Cluster.STALENESS_BOUND.toNanos());
    long reads = history.stream().filter(op -> op.kind.equals("read")).count();
    long writes = history.size() - reads;
    System.out.printf("checker %s: %d nodes, %d keys, %d reads, %d writes in %d s -> %d violations%n",
        transport, NODES, KEYS, reads, writes, TimeUnit.NANOSECONDS.toSeconds(RUN_NANOS), violations.size());
    assertThat(writes).isGreaterThan(100);
    assertThat(reads).isGreaterThan(1_000);
    assertThat(violations).as("stale reads past the bound").isEmpty();
  }

  /** Every read that started after (write end + bound) must see at least that write's version. */
  static List<String> check(Iterable<Op> history, long boundNanos) {
    Map<String, List<Op>> byKey = new java.util.HashMap<>();
    for (Op op : history) {
      byKey.computeIfAbsent(op.key, k -> new ArrayList<>()).add(op);
    }
    List<String> violations = new ArrayList<>();
    byKey.forEach((key, ops) -> {
      List<Op> writes = ops.stream().filter(op -> op.kind.equals("write"))
          .sorted(Comparator.comparingLong(Op::end)).collect(Collectors.toList());
      for (Op read : ops) {
        if (!read.kind.equals("read")) {
          continue;
        }
        long required = 0;
        Op requiredBy = null;
        for (Op write : writes) {
          if (write.end + boundNanos >= read.start) {
            break;
          }
          if (write.version > required) {
            required = write.version;
            requiredBy = write;
          }
        }
        if (read.version < required && violations.size() < 20) {
          String around = ops.stream()
              .filter(op -> Math.abs(op.start - read.start) < 3 * boundNanos)
              .sorted(Comparator.comparingLong(Op::start))
              .map(Op::toString).collect(Collectors.joining("\n    "));
          violations.add("read " + read + " is older than " + requiredBy + "\n  history of " + key + ":\n    " + around);
        }
      }
    });
    return violations;
  }
}
