package io.tieredcache.benchmarks;

import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;

/**
 * An L1 hit against raw Caffeine {@code getIfPresent}, measured as a user's JVM runs it: every
 * cache lives in one JVM, each is filled the way its users fill it (a {@code TieredCache} through
 * misses and loads, raw Caffeine with {@code put}), and they are read in alternating slices of
 * 100 to 200 ms, so that a slow spell of the machine lands on all of them. Each round's ratio to
 * raw Caffeine is taken, wall time and the reading thread's CPU time, and the median over the
 * rounds reported with its range.
 *
 * <pre>java -cp benchmarks/target/benchmarks.jar io.tieredcache.benchmarks.L1HitRounds [polluted] [rounds] [TYPE...]</pre>
 *
 * {@code polluted} ({@code true} or {@code false}, default false) first reads many other caches
 * through the same call sites ({@link ProfilePollution}); defaults are 30 rounds and the types
 * {@code Caffeine TieredCache TieredCacheDefaults}. The keys and their Zipf-distributed sequence
 * are {@link L1HitBenchmark}'s; every read must hit, checked at the end.
 */
public final class L1HitRounds {

  private static final int BATCH = 256;
  private static final long WARM_UP_NANOS = TimeUnit.SECONDS.toNanos(5);

  private L1HitRounds() {}

  /** One cache under measurement and its per-round means. */
  private static final class Side {
    final CacheType type;
    final BasicCache<Integer, Integer> cache;
    final List<Double> wallPerRead = new ArrayList<>();
    final List<Double> cpuPerRead = new ArrayList<>();
    int position;

    Side(CacheType type) {
      this.type = type;
      this.cache = type.create(L1HitBenchmark.MAXIMUM_SIZE, L1HitBenchmark.TTL);
    }
  }

  /** Reads {@code cache} in batches until {@code sliceNanos} have passed; returns the reads made. */
  static long slice(BasicCache<Integer, Integer> cache, Integer[] sequence, int start, long sliceNanos,
      long[] checksum) {
    int mask = sequence.length - 1;
    long end = System.nanoTime() + sliceNanos;
    long reads = 0;
    long sum = 0;
    do {
      for (int i = 0; i < BATCH; i++) {
        sum += cache.get(sequence[(int) (start + reads + i) & mask]);
      }
      reads += BATCH;
    } while (System.nanoTime() < end);
    checksum[0] += sum;
    return reads;
  }

  public static void main(String[] args) {
    boolean polluted = args.length > 0 && Boolean.parseBoolean(args[0]);
    int rounds = args.length > 1 ? Integer.parseInt(args[1]) : 30;
    List<CacheType> types = new ArrayList<>();
    for (int i = 2; i < args.length; i++) {
      types.add(CacheType.valueOf(args[i]));
    }
    if (types.isEmpty()) {
      types = List.of(CacheType.Caffeine, CacheType.TieredCache, CacheType.TieredCacheDefaults);
    }
    if (!types.contains(CacheType.Caffeine)) {
      throw new IllegalArgumentException("the baseline, Caffeine, must be one of the types");
    }
    long[] checksum = {polluted ? ProfilePollution.pollute() : 0};
    List<Integer> keys = L1HitBenchmark.keys();
    Integer[] sequence = L1HitBenchmark.zipfSequence(keys, L1HitBenchmark.SEQUENCE_SIZE);
    // Tiered caches first: their fills are misses through the same get() that later hits.
    List<Side> sides = new ArrayList<>();
    for (CacheType type : types) {
      if (type != CacheType.Caffeine) {
        sides.add(new Side(type));
      }
    }
    sides.add(new Side(CacheType.Caffeine));
    for (Side side : sides) {
      for (Integer key : keys) {
        side.cache.put(key, key);
      }
      side.cache.cleanUp();
    }
    ThreadMXBean threads = ManagementFactory.getThreadMXBean();
    Random random = new Random(42);
    for (Side side : sides) {
      side.position += (int) slice(side.cache, sequence, side.position, WARM_UP_NANOS, checksum);
    }
    for (int round = 0; round < rounds; round++) {
      long sliceNanos = TimeUnit.MILLISECONDS.toNanos(100 + random.nextInt(101));
      for (int i = 0; i < sides.size(); i++) {
        // Rotate who goes first, so no side always follows the same one.
        Side side = sides.get((round + i) % sides.size());
        long cpuBefore = threads.getCurrentThreadCpuTime();
        long wallBefore = System.nanoTime();
        long reads = slice(side.cache, sequence, side.position, sliceNanos, checksum);
        long wall = System.nanoTime() - wallBefore;
        long cpu = threads.getCurrentThreadCpuTime() - cpuBefore;
        side.position += (int) reads;
        side.wallPerRead.add((double) wall / reads);
        side.cpuPerRead.add((double) cpu / reads);
      }
    }
    Side raw = sides.get(sides.size() - 1);
    System.out.printf("L1 hit, polluted=%s, %d rounds of 100-200 ms slices (JDK %s), checksum %d%n",
        polluted, rounds, Runtime.version(), checksum[0]);
    System.out.printf("%-22s %12s %12s %26s %26s%n", "", "ns/read", "CPU ns/read",
        "ratio to raw (min..max)", "CPU ratio (min..max)");
    for (Side side : sides) {
      double[] wallRatios = new double[rounds];
      double[] cpuRatios = new double[rounds];
      for (int round = 0; round < rounds; round++) {
        wallRatios[round] = side.wallPerRead.get(round) / raw.wallPerRead.get(round);
        cpuRatios[round] = side.cpuPerRead.get(round) / raw.cpuPerRead.get(round);
      }
      System.out.printf("%-22s %12.1f %12.1f %26s %26s%n", side.type, Medians.of(side.wallPerRead),
          Medians.of(side.cpuPerRead), Medians.withRange(wallRatios), Medians.withRange(cpuRatios));
    }
    for (Side side : sides) {
      side.cache.verifyOnlyHits(keys);
      side.cache.close();
    }
  }
}
