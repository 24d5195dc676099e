package io.tieredcache.benchmarks;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.zip.Adler32;

/**
 * A fixed number of L1 hits, for instruction counts where wall time is too noisy: the hits run,
 * already compiled, on a thread of their own, so under {@code valgrind --tool=callgrind
 * --separate-threads=yes} that thread's total divided by the hits is the instructions per hit.
 *
 * <pre>valgrind --tool=callgrind --smc-check=all --separate-threads=yes --callgrind-out-file=/tmp/hits.%p \
 *   java -Xbatch -XX:+UseSerialGC -XX:+UnlockDiagnosticVMOptions -XX:-ImplicitNullChecks \
 *   -cp benchmarks/target/benchmarks.jar io.tieredcache.benchmarks.HitCost TieredCache true 2000000</pre>
 *
 * The measuring thread's file is the one that names {@code Adler32} (see {@link #markThisThread});
 * {@code benchmarks/hit-cost.sh} does all of this. Implicit null checks are off because the JVM
 * handles them with a SIGSEGV that valgrind does not pass through reliably.
 *
 * Arguments: a {@link CacheType}, whether to pollute the profiles first ({@link ProfilePollution}),
 * and the number of measured hits (after 6,000,000 warm-up hits).
 */
public final class HitCost {

  private HitCost() {}

  static long measure(BasicCache<Integer, Integer> cache, Integer[] sequence, int mask, long hits) {
    long sum = 0;
    for (long i = 0; i < hits; i++) {
      sum += cache.get(sequence[(int) i & mask]);
    }
    return sum;
  }

  /**
   * Leaves a native call no other thread makes ({@code Adler32}'s), so that the measuring thread's
   * callgrind file can be told from the others by the symbol it names (a few thousand instructions,
   * negligible against the hits).
   */
  private static void markThisThread() {
    Adler32 marker = new Adler32();
    marker.update(new byte[64]);
    if (marker.getValue() == 42) {
      System.out.print("");
    }
  }

  public static void main(String[] args) {
    CacheType type = CacheType.valueOf(args[0]);
    boolean polluted = Boolean.parseBoolean(args[1]);
    long hits = Long.parseLong(args[2]);
    long checksum = polluted ? ProfilePollution.pollute() : 0;
    BasicCache<Integer, Integer> cache = type.create(L1HitBenchmark.MAXIMUM_SIZE, L1HitBenchmark.TTL);
    List<Integer> keys = new ArrayList<>();
    for (int i = 0; i < L1HitBenchmark.POPULATION; i++) {
      Integer key = i * 0x9E3779B9;
      keys.add(key);
      cache.put(key, key);
    }
    cache.cleanUp();
    Random random = new Random(1);
    Integer[] sequence = new Integer[1 << 16];
    for (int i = 0; i < sequence.length; i++) {
      sequence[i] = keys.get(random.nextInt(keys.size()));
    }
    int mask = sequence.length - 1;
    // Warm the very method that is measured until the JIT has compiled it (run with -Xbatch, so
    // compilation finishes before the thread goes on).
    for (int i = 0; i < 60; i++) {
      checksum += measure(cache, sequence, mask, 100_000);
    }
    // Measured on a thread of its own: under callgrind --separate-threads=yes its count is the
    // compiled hits alone, without the JVM's start, the warm-up or the compiler threads.
    long[] result = new long[2];
    Thread measuring = new Thread(() -> {
      markThisThread();
      long started = System.nanoTime();
      result[0] = measure(cache, sequence, mask, hits);
      result[1] = System.nanoTime() - started;
    }, "measured-hits");
    measuring.start();
    try {
      measuring.join();
    } catch (InterruptedException e) {
      throw new IllegalStateException(e);
    }
    checksum += result[0];
    long nanos = result[1];
    cache.verifyOnlyHits(keys);
    System.out.printf("%s polluted=%s: %d hits, %.1f ns/hit (wall, indicative only), checksum %d%n",
        type, polluted, hits, (double) nanos / Math.max(1, hits), checksum);
    cache.close();
  }
}
