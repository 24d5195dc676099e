package io.tieredcache.benchmarks;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Threads;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Reads that hit L1: a {@code TieredCache} against raw Caffeine with the same bound and TTL.
 *
 * <p>The cache holds {@value #POPULATION} entries under a bound of {@value #MAXIMUM_SIZE}, so
 * nothing is evicted. It is half full on purpose: below half its bound a Caffeine cache with a
 * fixed TTL skips its read buffer (it does not track popularity yet), which would measure a
 * fresh cache rather than one in service. Keys come from a precomputed Zipf-distributed sequence,
 * and each thread walks it from its own random offset. Every read must hit: {@link
 * #verifyOnlyHits()} fails the trial otherwise. Run with {@code -prof gc} to see the allocation
 * per read (the target is none). With {@code polluted=true} the JVM has first read many other
 * caches through the same call sites, as a service's JVM has; compare each type with raw Caffeine
 * within the same {@code polluted} value.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 2)
@Fork(1)
public class L1HitBenchmark {

  static final int POPULATION = 1 << 14;
  static final int MAXIMUM_SIZE = 1 << 15;
  static final int SEQUENCE_SIZE = 1 << 20;
  static final int SEQUENCE_MASK = SEQUENCE_SIZE - 1;
  static final double ZIPF_EXPONENT = 0.99;
  static final Duration TTL = Duration.ofHours(1);

  /** The cache under test. */
  @Param
  public CacheType cacheType;

  /**
   * {@code true}: other caches of other types are read through the same call sites first
   * ({@link ProfilePollution}), as in a service's JVM; {@code false}: the call sites see one cache.
   */
  @Param({"false", "true"})
  public boolean polluted;

  /** Keeps the pollution's reads alive. */
  long pollutionChecksum;

  BasicCache<Integer, Integer> cache;
  Integer[] sequence;
  List<Integer> keys;

  /** Each thread's position in {@link #sequence}. */
  @State(Scope.Thread)
  public static class ThreadIndex {
    int index = ThreadLocalRandom.current().nextInt();
  }

  /** Fills the cache and draws the key sequence; the key objects read are the ones stored. */
  @Setup(Level.Trial)
  public void setUp() {
    if (polluted) {
      pollutionChecksum = ProfilePollution.pollute();
    }
    keys = keys();
    cache = cacheType.create(MAXIMUM_SIZE, TTL);
    for (Integer key : keys) {
      cache.put(key, key);
    }
    cache.cleanUp();
    sequence = zipfSequence(keys, SEQUENCE_SIZE);
  }

  /** The {@value #POPULATION} keys every L1 benchmark fills its caches with. */
  static List<Integer> keys() {
    List<Integer> keys = new ArrayList<>(POPULATION);
    for (int i = 0; i < POPULATION; i++) {
      keys.add(i * 0x9E3779B9);
    }
    return keys;
  }

  /**
   * {@code length} reads of {@code keys}, Zipf-distributed by popularity rank, the rank given to
   * each key at random so that hot keys are not neighbours in the key space; the same for every
   * run. The elements are the key objects themselves, as stored.
   */
  static Integer[] zipfSequence(List<Integer> keys, int length) {
    Random random = new Random(0x7ea1ed);
    List<Integer> byRank = new ArrayList<>(keys);
    Collections.shuffle(byRank, random);
    int[] ranks = new ZipfDistribution(keys.size(), ZIPF_EXPONENT).samples(length, random);
    Integer[] sequence = new Integer[length];
    for (int i = 0; i < length; i++) {
      sequence[i] = byRank.get(ranks[i]);
    }
    return sequence;
  }

  /** Fails the trial if any read missed (a load, an eviction or an expiry). */
  @TearDown(Level.Trial)
  public void verifyOnlyHits() {
    try {
      cache.verifyOnlyHits(keys);
    } finally {
      cache.close();
    }
  }

  /** One reader. */
  @Benchmark
  @Threads(1)
  public Integer read_1thread(ThreadIndex thread) {
    return cache.get(sequence[thread.index++ & SEQUENCE_MASK]);
  }

  /** Two readers of the same cache. */
  @Benchmark
  @Threads(2)
  public Integer read_2threads(ThreadIndex thread) {
    return cache.get(sequence[thread.index++ & SEQUENCE_MASK]);
  }
}
