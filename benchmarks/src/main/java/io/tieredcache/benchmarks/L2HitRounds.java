package io.tieredcache.benchmarks;

import com.sun.management.OperatingSystemMXBean;
import java.lang.management.ManagementFactory;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

/**
 * An L2 hit against raw Lettuce {@code GET} + decode, measured the way a shared machine allows:
 * both run in one JVM against one {@code redis-server} ({@link L2HitBenchmark}'s set-up), in
 * alternating slices, so that a slow spell of the machine lands on both; each round's ratio is
 * taken, and the median over the rounds reported, with latency percentiles of every timed read and
 * the JVM's CPU time per read (all threads: the caller's and Lettuce's event loop).
 *
 * <pre>java -cp benchmarks/target/benchmarks.jar io.tieredcache.benchmarks.L2HitRounds [rounds] [sliceMillis]</pre>
 *
 * Defaults: 30 rounds of 200 ms slices, after 5 s of warm-up of each side.
 */
public final class L2HitRounds {

  private L2HitRounds() {}

  /** The timed reads of one side. */
  private static final class Side {
    final String name;
    final Supplier<Object> read;
    final List<Double> roundMeans = new ArrayList<>();
    final List<Double> roundCpu = new ArrayList<>();
    long[] latencies = new long[1 << 20];
    int count;

    Side(String name, Supplier<Object> read) {
      this.name = name;
      this.read = read;
    }

    /** Reads for {@code sliceNanos}; records each read's latency, the slice's mean and CPU per read. */
    void slice(long sliceNanos, OperatingSystemMXBean os, boolean record) {
      long cpuBefore = os.getProcessCpuTime();
      long start = System.nanoTime();
      long end = start + sliceNanos;
      int reads = 0;
      long now = start;
      while (now < end) {
        long before = now;
        if (read.get() == null) {
          throw new IllegalStateException(name + " read nothing");
        }
        now = System.nanoTime();
        reads++;
        if (record) {
          if (count == latencies.length) {
            latencies = Arrays.copyOf(latencies, count * 2);
          }
          latencies[count++] = now - before;
        }
      }
      if (record) {
        roundMeans.add((double) (now - start) / reads);
        roundCpu.add((double) (os.getProcessCpuTime() - cpuBefore) / reads);
      }
    }

    double percentile(double p) {
      long[] sorted = Arrays.copyOf(latencies, count);
      Arrays.sort(sorted);
      return sorted[Math.min(count - 1, (int) Math.ceil(p * count) - 1)] / 1000.0;
    }

    double mean() {
      long sum = 0;
      for (int i = 0; i < count; i++) {
        sum += latencies[i];
      }
      return sum / 1000.0 / count;
    }
  }

  public static void main(String[] args) {
    int rounds = args.length > 0 ? Integer.parseInt(args[0]) : 30;
    long slice = TimeUnit.MILLISECONDS.toNanos(args.length > 1 ? Long.parseLong(args[1]) : 200);
    OperatingSystemMXBean os = (OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();
    L2HitBenchmark bench = new L2HitBenchmark();
    bench.setUp();
    try {
      Side raw = new Side("raw Lettuce GET + decode", bench::get_lettuce);
      Side tiered = new Side("TieredCache.get, L1 off", bench::get_tiered);
      for (int i = 0; i < 25; i++) {
        raw.slice(slice, os, false);
        tiered.slice(slice, os, false);
      }
      for (int round = 0; round < rounds; round++) {
        // Alternate which side goes first, so neither always follows the other.
        Side first = round % 2 == 0 ? raw : tiered;
        Side second = first == raw ? tiered : raw;
        first.slice(slice, os, true);
        second.slice(slice, os, true);
      }
      double[] meanRatios = new double[rounds];
      double[] cpuRatios = new double[rounds];
      for (int round = 0; round < rounds; round++) {
        meanRatios[round] = tiered.roundMeans.get(round) / raw.roundMeans.get(round);
        cpuRatios[round] = tiered.roundCpu.get(round) / raw.roundCpu.get(round);
      }
      System.out.printf("%-28s %10s %9s %9s %9s %9s %13s%n", "", "reads", "mean us", "p50 us", "p99 us", "p99.9 us", "CPU us/read");
      for (Side side : List.of(raw, tiered)) {
        System.out.printf("%-28s %10d %9.1f %9.1f %9.1f %9.1f %13.1f%n", side.name, side.count, side.mean(),
            side.percentile(0.50), side.percentile(0.99), side.percentile(0.999),
            Medians.of(side.roundCpu) / 1000.0);
      }
      System.out.printf("ratio tiered/raw over %d rounds of %d ms: median of round means %s, "
              + "median CPU per read %.3f; pooled mean %.3f, p50 %.3f, p99 %.3f, p99.9 %.3f%n",
          rounds, TimeUnit.NANOSECONDS.toMillis(slice), Medians.withRange(meanRatios), Medians.of(cpuRatios), tiered.mean() / raw.mean(),
          tiered.percentile(0.50) / raw.percentile(0.50), tiered.percentile(0.99) / raw.percentile(0.99),
          tiered.percentile(0.999) / raw.percentile(0.999));
    } finally {
      bench.tearDown();
    }
  }

}
