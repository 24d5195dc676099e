package io.tieredcache.benchmarks;

import io.lettuce.core.KeyScanCursor;
import io.lettuce.core.KeyValue;
import io.lettuce.core.RedisClient;
import io.lettuce.core.ScanArgs;
import io.lettuce.core.ScanCursor;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.api.sync.RedisCommands;
import io.lettuce.core.codec.ByteArrayCodec;
import io.tieredcache.CacheStats;
import io.tieredcache.KeyCodec;
import io.tieredcache.TieredCache;
import io.tieredcache.redis.RedisTier;
import io.tieredcache.testkit.RedisServer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Threads;
import org.openjdk.jmh.annotations.Warmup;
import org.openjdk.jmh.infra.Blackhole;
import tools.jackson.databind.DeserializationFeature;
import tools.jackson.databind.ObjectReader;
import tools.jackson.databind.json.JsonMapper;

/**
 * Reads that miss L1 and hit Redis: a {@code TieredCache} with L1 off against raw Lettuce
 * {@code GET} plus a Jackson decode of the very bytes the tier stored, and {@code getAll} of
 * {@value #BATCH} keys against {@value #BATCH} sequential reads (and a raw {@code MGET}).
 *
 * <p>Runs against a {@code redis-server} this JVM starts on a free loopback port (cache-testkit's
 * {@link RedisServer#startLocal()}), never a Redis already running. Every read must hit Redis:
 * the loader refuses to run after the fill, and {@link #tearDown()} checks the counters. Scores
 * of the {@value #BATCH}-key methods are per key.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(1)
@Threads(1)
public class L2HitBenchmark {

  static final int KEYS = 1 << 10;
  static final int KEY_MASK = KEYS - 1;
  static final int BATCH = 100;
  static final String CACHE_NAME = "bench-l2";

  /** The cached value: a small record, about 200 bytes of JSON. */
  public record Profile(long id, String name, String email, int age, List<String> roles, Map<String, String> attributes) {

    static Profile of(long id) {
      return new Profile(id, "user-" + id, "user-" + id + "@example.org", (int) (20 + id % 50),
          List.of("reader", "writer"), Map.of("locale", "en_GB", "plan", id % 2 == 0 ? "free" : "paid"));
    }
  }

  RedisServer server;
  RedisClient client;
  TieredCache<Long, Profile> cache;
  StatefulRedisConnection<byte[], byte[]> raw;
  RedisCommands<byte[], byte[]> redis;
  ObjectReader reader;
  Long[] keys;
  /** The Redis key of each of {@link #keys}, as the tier wrote it. */
  byte[][] redisKeys;
  List<List<Long>> batches;
  List<byte[][]> redisBatches;
  Function<Long, Profile> loader;
  Function<Set<? extends Long>, Map<Long, Profile>> bulkLoader;
  boolean filling;
  long fills;
  int next;

  /** Starts Redis, fills it through the tier, and finds the key the tier used for each entry. */
  @Setup(Level.Trial)
  public void setUp() {
    server = RedisServer.startLocal();
    client = RedisClient.create(server.uri());
    cache = TieredCache.builder(CACHE_NAME)
        .maximumSize(0)
        .keyCodec(KeyCodec.longs())
        // Generous, so a stall of this shared machine is not a timeout (a miss) mid-run.
        .remoteTier(RedisTier.builder(client).valueType(Profile.class).timeout(Duration.ofSeconds(5)).build())
        .build();
    loader = key -> {
      if (!filling) {
        throw new IllegalStateException("load of key " + key + ": an L2 hit benchmark must not miss");
      }
      fills++;
      return Profile.of(key);
    };
    bulkLoader = missing -> {
      throw new IllegalStateException("bulk load of " + missing.size() + " keys: an L2 hit benchmark must not miss");
    };

    keys = new Long[KEYS];
    filling = true;
    for (int i = 0; i < KEYS; i++) {
      keys[i] = (long) i;
      cache.get(keys[i], loader);
    }
    filling = false;

    raw = client.connect(ByteArrayCodec.INSTANCE);
    redis = raw.sync();
    redisKeys = awaitValueKeys();
    // The same mapper settings as the tier's default codec.
    reader = JsonMapper.builder().disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES).build()
        .readerFor(Profile.class);
    for (int i = 0; i < KEYS; i++) {
      if (!Profile.of(i).equals(decode(redis.get(redisKeys[i])))) {
        throw new IllegalStateException("the raw read of key " + i + " does not match what was loaded");
      }
    }

    batches = new ArrayList<>();
    redisBatches = new ArrayList<>();
    for (int start = 0; start + BATCH <= KEYS; start += BATCH) {
      List<Long> batch = new ArrayList<>(BATCH);
      byte[][] redisBatch = new byte[BATCH][];
      for (int i = 0; i < BATCH; i++) {
        batch.add(keys[start + i]);
        redisBatch[i] = redisKeys[start + i];
      }
      batches.add(List.copyOf(batch));
      redisBatches.add(redisBatch);
    }
  }

  /** Fills may complete just after the read that made them returns: waits a little for all. */
  private byte[][] awaitValueKeys() {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
    while (true) {
      byte[][] found = findValueKeys();
      if (found != null) {
        return found;
      }
      if (System.nanoTime() > deadline) {
        throw new IllegalStateException("the tier did not store all " + KEYS + " keys within 10 s");
      }
      try {
        Thread.sleep(50);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IllegalStateException("interrupted while waiting for the fills", e);
      }
    }
  }

  /**
   * The tier's value keys end in {@code :v:<encoded key>} (its documented layout); a SCAN finds
   * them, so the baseline reads exactly the bytes the tier reads without recomputing its hashing.
   */
  private byte[][] findValueKeys() {
    byte[][] found = new byte[KEYS][];
    int count = 0;
    ScanArgs match = ScanArgs.Builder.matches("*:" + CACHE_NAME + ":*:v:*").limit(1000);
    KeyScanCursor<byte[]> cursor = redis.scan(match);
    while (true) {
      for (byte[] key : cursor.getKeys()) {
        String text = new String(key, StandardCharsets.UTF_8);
        int index = Integer.parseInt(text.substring(text.lastIndexOf(":v:") + 3));
        if (found[index] == null) {
          count++;
        }
        found[index] = key;
      }
      if (cursor.isFinished()) {
        break;
      }
      cursor = redis.scan(ScanCursor.of(cursor.getCursor()), match);
    }
    return count == KEYS ? found : null;
  }

  /** What the tier does to a stored entry: check the envelope's header, decode the JSON after it. */
  private Profile decode(byte[] stored) {
    if (stored == null || stored.length < 28 || stored[0] != (byte) 0xE7 || stored[1] != 0x1C
        || stored[2] != 1 || stored[3] != 0) {
      throw new IllegalStateException("not a plain value entry of format version 1");
    }
    return reader.readValue(stored, 28, stored.length - 28);
  }

  /** Fails the trial if any read missed Redis, then stops everything this trial started. */
  @TearDown(Level.Trial)
  public void tearDown() {
    try {
      CacheStats stats = cache.stats();
      if (stats.loadCount() != fills || stats.l2Misses() != fills || stats.remoteErrorCount() != 0) {
        throw new IllegalStateException("expected only the " + fills + " fill loads and no remote errors, but " + stats);
      }
    } finally {
      cache.close();
      raw.close();
      client.shutdown();
      server.close();
    }
  }

  private Long nextKey() {
    return keys[next++ & KEY_MASK];
  }

  /** Raw Lettuce {@code GET} and a Jackson decode of the same stored bytes: the baseline. */
  @Benchmark
  public Profile get_lettuce() {
    return decode(redis.get(redisKeys[next++ & KEY_MASK]));
  }

  /** {@code TieredCache.get} with L1 off: one Redis read through the tier. */
  @Benchmark
  public Profile get_tiered() {
    return cache.get(nextKey(), loader);
  }

  /** Raw {@code MGET} of {@value #BATCH} keys and their decode: the floor for a batch read. */
  @Benchmark
  @OperationsPerInvocation(BATCH)
  public void getAll100_lettuce(Blackhole blackhole) {
    byte[][] batch = redisBatches.get(next++ % redisBatches.size());
    Map<byte[], Profile> values = new LinkedHashMap<>();
    for (KeyValue<byte[], byte[]> stored : redis.mget(batch)) {
      values.put(stored.getKey(), decode(stored.getValue()));
    }
    blackhole.consume(values);
  }

  /** {@code TieredCache.getAll} of {@value #BATCH} keys: one {@code MGET}. */
  @Benchmark
  @OperationsPerInvocation(BATCH)
  public Map<Long, Profile> getAll100_tiered() {
    return cache.getAll(batches.get(next++ % batches.size()), bulkLoader);
  }

  /** {@value #BATCH} sequential {@code TieredCache.get}: what {@code getAll} saves. */
  @Benchmark
  @OperationsPerInvocation(BATCH)
  public void getAll100_tieredSequentialGets(Blackhole blackhole) {
    Map<Long, Profile> values = new HashMap<>();
    for (Long key : batches.get(next++ % batches.size())) {
      values.put(key, cache.get(key, loader));
    }
    blackhole.consume(values);
  }
}
