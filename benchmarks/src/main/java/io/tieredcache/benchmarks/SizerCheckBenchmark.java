package io.tieredcache.benchmarks;

import io.lettuce.core.RedisClient;
import io.tieredcache.CacheStats;
import io.tieredcache.KeyCodec;
import io.tieredcache.TieredCache;
import io.tieredcache.redis.RedisTier;
import io.tieredcache.sizer.Prediction;
import io.tieredcache.sizer.Trace;
import io.tieredcache.sizer.TraceGenerator;
import io.tieredcache.testkit.RedisAdmin;
import io.tieredcache.testkit.RedisServer;
import java.time.Duration;
import java.util.Locale;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.function.Function;
import org.openjdk.jmh.annotations.AuxCounters;
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
 * Checks the tier sizer against the real thing: replays a generated trace once, from cold,
 * through a real {@code TieredCache} over a real Redis whose {@code maxmemory} holds about
 * {@link #l2Entries} values ({@code allkeys-lru}), with a loader that takes {@link #loaderMicros},
 * and reports which tier answered each read (secondary results {@code l1Hits}, {@code l2Hits},
 * {@code loads}). At the end it prints the measured hit ratios next to the sizer's prediction for
 * the same trace and sizes (one node), at the number of values Redis actually kept.
 *
 * <pre>
 * java -jar benchmarks/target/benchmarks.jar SizerCheckBenchmark
 * </pre>
 * One invocation is one read ({@code SingleShotTime} with a batch of {@value #REQUESTS}), so the
 * score is the time of the whole replay; the hit ratios are what matters.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.SingleShotTime)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 0)
@Measurement(iterations = 1, batchSize = SizerCheckBenchmark.REQUESTS)
@Fork(1)
@Threads(1)
public class SizerCheckBenchmark {

  static final int REQUESTS = 200_000;
  static final int VALUE_CHARS = 200;
  static final String CACHE_NAME = "sizer";

  /** L1 entries (one node). */
  @Param({"1000", "5000"})
  public long l1Entries;

  /** Values Redis is sized for. */
  @Param({"5000", "20000"})
  public long l2Entries;

  /** The trace's keys and skew. */
  @Param({"keys=50000,alpha=0.9"})
  public String workload;

  /** How long a load from the system of record takes. */
  @Param({"100"})
  public long loaderMicros;

  /** Which tier answered, counted per read. */
  @State(Scope.Thread)
  @AuxCounters(AuxCounters.Type.EVENTS)
  public static class Tiers {
    public long l1Hits;
    public long l2Hits;
    public long loads;
  }

  RedisServer server;
  RedisClient client;
  TieredCache<Long, String> cache;
  Function<Long, String> loader;
  Trace trace;
  String value;
  int next;
  CacheStats last;
  long l1;
  long l2;
  long db;

  @Setup(Level.Trial)
  public void setUp() {
    trace = TraceGenerator.generate("zipf:" + workload + ",requests=" + REQUESTS + ",seed=1");
    value = "v".repeat(VALUE_CHARS);
    long pause = TimeUnit.MICROSECONDS.toNanos(loaderMicros);
    loader = key -> {
      LockSupport.parkNanos(pause);
      return value;
    };
    server = RedisServer.startLocal();
    client = RedisClient.create(server.uri());
    try (RedisAdmin admin = server.admin()) {
      double perValue = bytesPerValue(admin);
      admin.flushAll();
      long maxmemory = usedMemory(admin) + Math.round(l2Entries * perValue);
      admin.configSet("maxmemory-policy", "allkeys-lru");
      admin.configSet("maxmemory", Long.toString(maxmemory));
    }
    cache = newCache(l1Entries);
    last = cache.stats();
  }

  private TieredCache<Long, String> newCache(long maximumSize) {
    return TieredCache.builder(CACHE_NAME)
        .maximumSize(maximumSize)
        .keyCodec(KeyCodec.longs())
        .remoteTier(RedisTier.builder(client).valueType(String.class).timeout(Duration.ofSeconds(5)).build())
        .build();
  }

  /** Redis memory per stored value, envelope, key and leases included, over 2000 loads with L1 off. */
  private double bytesPerValue(RedisAdmin admin) {
    admin.flushAll();
    long before = usedMemory(admin);
    try (TieredCache<Long, String> probe = newCache(0)) {
      for (long i = 0; i < 2_000; i++) {
        probe.get(-1 - i, key -> value);
      }
    }
    return (usedMemory(admin) - before) / 2_000.0;
  }

  static long usedMemory(RedisAdmin admin) {
    for (String line : admin.info("memory").split("\r?\n")) {
      if (line.startsWith("used_memory:")) {
        return Long.parseLong(line.substring("used_memory:".length()).trim());
      }
    }
    throw new IllegalStateException("no used_memory in INFO memory");
  }

  /** One read of the trace, attributed to the tier that answered it. */
  @Benchmark
  public String replay(Tiers tiers) {
    String result = cache.get(trace.key(next++ % trace.length()), loader);
    CacheStats now = cache.stats();
    if (now.l1Hits() > last.l1Hits()) {
      tiers.l1Hits++;
      l1++;
    } else if (now.l2Hits() > last.l2Hits()) {
      tiers.l2Hits++;
      l2++;
    } else {
      tiers.loads++;
      db++;
    }
    last = now;
    return result;
  }

  /** Prints the measured hit ratios beside the sizer's prediction, then stops everything. */
  @TearDown(Level.Trial)
  public void tearDown() {
    try (RedisAdmin admin = server.admin()) {
      long keptValues = admin.scan("*:" + CACHE_NAME + ":*:v:*").size();
      long reads = l1 + l2 + db;
      Prediction nominal = Prediction.exact(trace, 1, l1Entries, l2Entries);
      Prediction kept = Prediction.exact(trace, 1, l1Entries, keptValues);
      System.out.printf(Locale.ROOT, "%nsizer check: L1 %d, L2 %d (Redis kept %d values), %d reads%n"
          + "  measured   l1_hit_ratio %.4f  l2_hit_ratio %.4f%n"
          + "  predicted  l1_hit_ratio %.4f  l2_hit_ratio %.4f  (at L2 = %d)%n"
          + "  predicted  l1_hit_ratio %.4f  l2_hit_ratio %.4f  (at L2 = %d kept)%n",
          l1Entries, l2Entries, keptValues, reads, (double) l1 / reads, (double) l2 / reads,
          nominal.l1HitRatio(), nominal.l2HitRatio(), l2Entries, kept.l1HitRatio(), kept.l2HitRatio(), keptValues);
    } finally {
      cache.close();
      client.shutdown();
      server.close();
    }
  }
}
