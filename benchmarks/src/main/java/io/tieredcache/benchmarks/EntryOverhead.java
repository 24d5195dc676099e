package io.tieredcache.benchmarks;

import io.lettuce.core.RedisClient;
import io.tieredcache.KeyCodec;
import io.tieredcache.TieredCache;
import io.tieredcache.redis.RedisTier;
import io.tieredcache.testkit.RedisAdmin;
import io.tieredcache.testkit.RedisServer;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryMXBean;
import java.time.Duration;
import java.util.Locale;

/**
 * Measures the per-entry overheads the tier sizer's memory model uses ({@code MemoryModel}):
 * heap bytes per L1 entry beyond its value, and Redis bytes per stored value beyond its key text,
 * envelope and value. Fills a real {@code TieredCache} (L1 only) and a real Redis (through the
 * Redis tier, L1 off) with {@value #ENTRIES} entries and divides the growth.
 *
 * <pre>
 * java -cp benchmarks/target/benchmarks.jar io.tieredcache.benchmarks.EntryOverhead
 * </pre>
 */
public final class EntryOverhead {

  static final int ENTRIES = 200_000;
  static final int VALUE_BYTES = 200;

  private EntryOverhead() {}

  public static void main(String[] args) throws Exception {
    double l1 = l1BytesPerEntry();
    // A byte[200] takes 16 bytes of header and 200 of data (a multiple of 8).
    double valueObject = 16 + VALUE_BYTES;
    System.out.printf(Locale.ROOT, "L1: %.1f heap bytes per entry with a byte[%d] value and a Long key; "
        + "overhead beyond the value object: %.1f%n", l1, VALUE_BYTES, l1 - valueObject);
    double redis = redisBytesPerEntry();
    // Stored: key "tc:users:{<8 hex>}:v:<id>" (ids 100000..299999: 6 digits), a JSON string of
    // VALUE_BYTES characters plus its 2 quotes, in a 28-byte envelope.
    double keyText = "tc:users:{01234567}:v:".length() + 6;
    double stored = VALUE_BYTES + 2 + 28;
    System.out.printf(Locale.ROOT, "Redis: %.1f bytes of used_memory per stored value; overhead beyond key "
        + "text (%.0f) and envelope + value (%.0f): %.1f%n", redis, keyText, stored, redis - keyText - stored);
  }

  private static double l1BytesPerEntry() {
    MemoryMXBean memory = ManagementFactory.getMemoryMXBean();
    long before = settledHeap(memory);
    TieredCache<Long, byte[]> cache = TieredCache.builder("users").maximumSize(ENTRIES).build();
    for (long i = 0; i < ENTRIES; i++) {
      cache.get(100_000 + i, key -> new byte[VALUE_BYTES]);
    }
    long after = settledHeap(memory);
    if (cache.policy().l1EstimatedSize() != ENTRIES) {
      throw new IllegalStateException("L1 holds " + cache.policy().l1EstimatedSize() + " entries");
    }
    cache.close();
    return (after - before) / (double) ENTRIES;
  }

  private static long settledHeap(MemoryMXBean memory) {
    long used = Long.MAX_VALUE;
    for (int i = 0; i < 5; i++) {
      System.gc();
      try {
        Thread.sleep(100);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
      used = Math.min(used, memory.getHeapMemoryUsage().getUsed());
    }
    return used;
  }

  private static double redisBytesPerEntry() throws InterruptedException {
    String value = "v".repeat(VALUE_BYTES);
    try (RedisServer server = RedisServer.startLocal(); RedisAdmin admin = server.admin()) {
      RedisClient client = RedisClient.create(server.uri());
      try (TieredCache<Long, String> cache = TieredCache.builder("users").maximumSize(0).keyCodec(KeyCodec.longs())
          .remoteTier(RedisTier.builder(client).valueType(String.class).timeout(Duration.ofSeconds(5)).build())
          .build()) {
        cache.get(1L, key -> value); // the tier's own keys (epoch) exist before the baseline
        Thread.sleep(200);
        long before = SizerCheckBenchmark.usedMemory(admin);
        for (long i = 0; i < ENTRIES; i++) {
          cache.get(100_000 + i, key -> value);
        }
        Thread.sleep(500);
        long values = admin.scan("*:users:*:v:*").size();
        long after = SizerCheckBenchmark.usedMemory(admin);
        if (values < ENTRIES) {
          throw new IllegalStateException("Redis holds " + values + " values");
        }
        return (after - before) / (double) ENTRIES;
      } finally {
        client.shutdown();
      }
    }
  }
}
