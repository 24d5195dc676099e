package io.tieredcache.redis.consistency;

import io.tieredcache.TieredCache;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.stream.Collectors;

/**
 * The randomized multi-node workload and its judge: readers get random keys on random nodes while
 * writers bump versions in the store and invalidate through random nodes (and, if asked, call
 * {@code invalidateAll}). Once a write has returned and the bound has passed, no read that starts
 * afterwards may return an older version. Every loop is bounded in count and time.
 */
final class Checker {

  static final int KEYS = 10;
  static final int READERS = 4;
  static final int WRITERS = 2;
  static final int MAX_OPS_PER_THREAD = 200_000;

  /** One operation as seen by its caller. */
  record Op(String kind, String node, String key, long version, long start, long end) {
    @Override
    public String toString() {
      return String.format("%-5s %-3s %-4s v%-5d [%d .. %d] us", kind, node, key, version, start / 1000, end / 1000);
    }
  }

  /** What a run saw. */
  record Result(List<Op> history, long reads, long writes, List<String> violations, Duration maxStaleness) {}

  private Checker() {}

  /**
   * Runs the workload for {@code duration} over {@code nodes}; {@code invalidateAllEvery} &gt; 0
   * makes every n-th write an {@code invalidateAll} (every key gets a new version first).
   */
  static Result run(List<Cluster.Node> nodes, VersionedStore db, Duration duration, int invalidateAllEvery,
      Duration bound) throws Exception {
    return runOn(nodes.stream().map(node -> new Target(node.name, node.cache)).collect(Collectors.toList()),
        db, duration, invalidateAllEvery, bound);
  }

  /** A node as the checker sees it: a name for the history and its cache. */
  record Target(String name, TieredCache<String, Long> cache) {}

  /** As {@link #run}, over any caches (e.g. nodes on a Redis Cluster client). */
  static Result runOn(List<Target> nodes, VersionedStore db, Duration duration, int invalidateAllEvery,
      Duration bound) throws Exception {
    ConcurrentLinkedQueue<Op> history = new ConcurrentLinkedQueue<>();
    ExecutorService pool = Executors.newFixedThreadPool(READERS + WRITERS);
    try {
      long origin = System.nanoTime();
      long stopAt = origin + duration.toNanos();
      List<Future<?>> workers = new ArrayList<>();
      for (int r = 0; r < READERS; r++) {
        workers.add(pool.submit(() -> {
          ThreadLocalRandom random = ThreadLocalRandom.current();
          for (int i = 0; i < MAX_OPS_PER_THREAD && System.nanoTime() < stopAt; i++) {
            Target node = nodes.get(random.nextInt(nodes.size()));
            String key = "k" + random.nextInt(KEYS);
            long start = System.nanoTime() - origin;
            long version = node.cache.get(key);
            history.add(new Op("read", node.name, key, version, start, System.nanoTime() - origin));
            LockSupport.parkNanos(50_000); // spreads the capped reads over the whole run
          }
        }));
      }
      for (int w = 0; w < WRITERS; w++) {
        workers.add(pool.submit(() -> {
          ThreadLocalRandom random = ThreadLocalRandom.current();
          for (int i = 0; i < MAX_OPS_PER_THREAD && System.nanoTime() < stopAt; i++) {
            Target node = nodes.get(random.nextInt(nodes.size()));
            long start = System.nanoTime() - origin;
            if (invalidateAllEvery > 0 && random.nextInt(invalidateAllEvery) == 0) {
              Map<String, Long> written = new HashMap<>();
              for (int k = 0; k < KEYS; k++) {
                written.put("k" + k, db.write("k" + k));
              }
              node.cache.invalidateAll();
              long end = System.nanoTime() - origin;
              written.forEach((key, version) -> history.add(new Op("all", node.name, key, version, start, end)));
            } else {
              String key = "k" + random.nextInt(KEYS);
              long version = db.write(key);
              node.cache.invalidate(key);
              history.add(new Op("write", node.name, key, version, start, System.nanoTime() - origin));
            }
            LockSupport.parkNanos(random.nextLong(2_000_000));
          }
        }));
      }
      for (Future<?> worker : workers) {
        worker.get(duration.toNanos() * 3 + TimeUnit.SECONDS.toNanos(10), TimeUnit.NANOSECONDS);
      }
    } finally {
      pool.shutdownNow();
    }
    List<Op> ops = List.copyOf(history);
    long reads = ops.stream().filter(op -> op.kind.equals("read")).count();
    long writes = ops.stream().filter(op -> op.kind.equals("write")).count()
        + ops.stream().filter(op -> op.kind.equals("all")).count() / KEYS;
    return new Result(ops, reads, writes, check(ops, bound.toNanos()), maxStaleness(ops));
  }

  /** Every read that started after (write end + bound) must see at least that write's version. */
  static List<String> check(Iterable<Op> history, long boundNanos) {
    List<String> violations = new ArrayList<>();
    byKey(history).forEach((key, ops) -> {
      List<Op> writes = writesByEnd(ops);
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

  /** The longest time from a write's return to the start of a read that still missed it. */
  static Duration maxStaleness(Iterable<Op> history) {
    long max = 0;
    for (List<Op> ops : byKey(history).values()) {
      List<Op> writes = writesByEnd(ops);
      for (Op read : ops) {
        if (!read.kind.equals("read")) {
          continue;
        }
        for (Op write : writes) {
          if (write.end >= read.start) {
            break;
          }
          if (write.version > read.version) {
            max = Math.max(max, read.start - write.end);
          }
        }
      }
    }
    return Duration.ofNanos(max);
  }

  private static Map<String, List<Op>> byKey(Iterable<Op> history) {
    Map<String, List<Op>> byKey = new HashMap<>();
    for (Op op : history) {
      byKey.computeIfAbsent(op.key, k -> new ArrayList<>()).add(op);
    }
    return byKey;
  }

  private static List<Op> writesByEnd(List<Op> ops) {
    return ops.stream().filter(op -> !op.kind.equals("read"))
        .sorted(Comparator.comparingLong(Op::end)).collect(Collectors.toList());
  }
}
