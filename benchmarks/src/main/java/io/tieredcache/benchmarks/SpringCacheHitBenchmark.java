package io.tieredcache.benchmarks;

import io.tieredcache.spring.TieredCacheManager;
import io.tieredcache.spring.TieredCacheSpec;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;
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
import org.springframework.cache.CacheManager;
import org.springframework.cache.annotation.Cacheable;
import org.springframework.cache.annotation.EnableCaching;
import org.springframework.cache.caffeine.CaffeineCacheManager;
import org.springframework.context.annotation.AnnotationConfigApplicationContext;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/**
 * An L1 hit through Spring's {@code @Cacheable(sync = true)} proxy: {@link TieredCacheManager}
 * against Spring's own {@link CaffeineCacheManager} with the same bound and TTL, in the same run.
 * Both pay for the proxy and Spring's key generation; the difference is the cache behind it.
 *
 * <p>Same set-up as {@link L1HitBenchmark}: {@value L1HitBenchmark#POPULATION} entries under a
 * bound of {@value L1HitBenchmark#MAXIMUM_SIZE}, Zipf-distributed keys; a read that misses fails
 * the trial.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 2)
@Fork(1)
public class SpringCacheHitBenchmark {

  /** The cache manager behind the proxy. */
  @Param({"CaffeineCacheManager", "TieredCacheManager"})
  public String manager;

  AnnotationConfigApplicationContext context;
  Lookup lookup;
  Integer[] sequence;

  /** What the application calls: counts the method's own runs (cache misses). */
  public static class Lookup {
    final LongAdder runs = new LongAdder();

    /** The "expensive" method. */
    @Cacheable(cacheNames = "hits", sync = true)
    public Integer find(Integer key) {
      runs.increment();
      return key;
    }

    /** How often {@link #find} ran (through the proxy, which has no state of its own). */
    public long runs() {
      return runs.sum();
    }
  }

  /** Caching on, with the cache manager the context registers. */
  @Configuration(proxyBeanMethods = false)
  @EnableCaching
  static class Caching {
    @Bean
    Lookup lookup() {
      return new Lookup();
    }
  }

  /** Each thread's position in {@link #sequence}. */
  @State(Scope.Thread)
  public static class ThreadIndex {
    int index = ThreadLocalRandom.current().nextInt();
  }

  @Setup(Level.Trial)
  public void setUp() {
    context = new AnnotationConfigApplicationContext();
    context.registerBean("cacheManager", CacheManager.class, this::cacheManager);
    context.register(Caching.class);
    context.refresh();
    lookup = context.getBean(Lookup.class);

    Random random = new Random(0x5b1e);
    List<Integer> keys = new ArrayList<>(L1HitBenchmark.POPULATION);
    for (int i = 0; i < L1HitBenchmark.POPULATION; i++) {
      keys.add(i * 0x9E3779B9);
      lookup.find(keys.get(i));
    }
    List<Integer> byRank = new ArrayList<>(keys);
    Collections.shuffle(byRank, random);
    int[] ranks = new ZipfDistribution(L1HitBenchmark.POPULATION, L1HitBenchmark.ZIPF_EXPONENT)
        .samples(L1HitBenchmark.SEQUENCE_SIZE, random);
    sequence = new Integer[L1HitBenchmark.SEQUENCE_SIZE];
    for (int i = 0; i < sequence.length; i++) {
      sequence[i] = byRank.get(ranks[i]);
    }
  }

  private CacheManager cacheManager() {
    if (manager.equals("TieredCacheManager")) {
      TieredCacheManager tiered = new TieredCacheManager();
      tiered.setDefaultSpec(TieredCacheSpec.defaults().withMaximumSize(L1HitBenchmark.MAXIMUM_SIZE)
          .withExpireAfterWrite(L1HitBenchmark.TTL));
      return tiered;
    }
    CaffeineCacheManager caffeine = new CaffeineCacheManager();
    caffeine.setCaffeine(com.github.benmanes.caffeine.cache.Caffeine.newBuilder()
        .maximumSize(L1HitBenchmark.MAXIMUM_SIZE).expireAfterWrite(L1HitBenchmark.TTL));
    return caffeine;
  }

  /** Fails the trial if any read ran the method (a miss). */
  @TearDown(Level.Trial)
  public void verifyOnlyHits() {
    try {
      if (lookup.runs() != L1HitBenchmark.POPULATION) {
        throw new IllegalStateException(manager + ": " + (lookup.runs() - L1HitBenchmark.POPULATION)
            + " reads missed; the benchmark measured loads, not hits");
      }
    } finally {
      context.close();
    }
  }

  /** One reader. */
  @Benchmark
  @Threads(1)
  public Integer read_1thread(ThreadIndex thread) {
    return lookup.find(sequence[thread.index++ & L1HitBenchmark.SEQUENCE_MASK]);
  }

  /** Two readers. */
  @Benchmark
  @Threads(2)
  public Integer read_2threads(ThreadIndex thread) {
    return lookup.find(sequence[thread.index++ & L1HitBenchmark.SEQUENCE_MASK]);
  }
}
