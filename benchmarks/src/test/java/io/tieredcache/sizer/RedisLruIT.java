package io.tieredcache.sizer;

import static org.assertj.core.api.Assertions.assertThat;

import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisFuture;
import io.lettuce.core.ScriptOutputType;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.api.async.RedisAsyncCommands;
import io.tieredcache.testkit.RedisAdmin;
import io.tieredcache.testkit.RedisServer;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * How close Redis's approximated LRU ({@code maxmemory} + {@code allkeys-lru}, 5 samples by
 * default) comes to the exact LRU the sizer computes for L2. A real {@code redis-server} (from
 * cache-testkit) replays a Zipf stream of cache-aside reads, each an atomic get-or-fill script;
 * the exact LRU hit ratio is taken at the number of keys Redis actually kept.
 */
class RedisLruIT {

  private static final String GET_OR_FILL =
      "if redis.call('GET', KEYS[1]) then return 1 end redis.call('SET', KEYS[1], ARGV[1]) return 0";
  private static final int PIPELINE = 1000;

  @Test
  void redisApproximatedLruStaysCloseToExactLru() throws Exception {
    Trace trace = TraceGenerator.generate("zipf:alpha=0.8,keys=40000,requests=150000,seed=11");
    String value = "v".repeat(200);
    List<String> rows = new ArrayList<>();
    try (RedisServer server = RedisServer.startLocal(); RedisAdmin admin = server.admin()) {
      RedisClient client = RedisClient.create(server.uri());
      try (StatefulRedisConnection<String, String> connection = client.connect()) {
        RedisAsyncCommands<String, String> redis = connection.async();
        String sha = redis.scriptLoad(GET_OR_FILL).get(10, TimeUnit.SECONDS);
        double perKey = bytesPerKey(admin, connection, value);
        for (int capacity : new int[] {2_000, 6_000, 15_000}) {
          admin.flushAll();
          long base = usedMemory(admin);
          admin.configSet("maxmemory", Long.toString(base + Math.round(capacity * perKey)));
          long hits = replay(connection, sha, trace, value);
          long kept = connection.sync().dbsize();
          admin.configSet("maxmemory", "0");
          double redisRatio = (double) hits / trace.length();
          double lruRatio = Prediction.lruHitRatios(trace, new long[] {kept})[0];
          rows.add(String.format(Locale.ROOT, "%,8d keys kept (%,d aimed): Redis allkeys-lru %.4f, exact LRU %.4f, "
              + "difference %+.4f", kept, capacity, redisRatio, lruRatio, redisRatio - lruRatio));
          assertThat(Math.abs(redisRatio - lruRatio)).as(rows.get(rows.size() - 1)).isLessThan(0.06);
        }
      } finally {
        client.shutdown();
      }
    }
    System.out.println("Redis approximated LRU against exact LRU (zipf 0.8, 40k keys, 150k reads):");
    rows.forEach(row -> System.out.println("  " + row));
  }

  /** Replays the reads; returns how many the script found. */
  private static long replay(StatefulRedisConnection<String, String> connection, String sha, Trace trace,
      String value) throws Exception {
    RedisAsyncCommands<String, String> redis = connection.async();
    connection.setAutoFlushCommands(false);
    long hits = 0;
    try {
      List<RedisFuture<Long>> batch = new ArrayList<>(PIPELINE);
      for (int i = 0; i < trace.length(); i++) {
        String key = "k:" + Long.toHexString(trace.key(i));
        batch.add(redis.evalsha(sha, ScriptOutputType.INTEGER, new String[] {key}, value));
        if (batch.size() == PIPELINE || i == trace.length() - 1) {
          connection.flushCommands();
          for (RedisFuture<Long> result : batch) {
            hits += result.get(30, TimeUnit.SECONDS);
          }
          batch.clear();
        }
      }
    } finally {
      connection.setAutoFlushCommands(true);
    }
    return hits;
  }

  /** Memory one more key of this shape takes, measured over 5000 keys. */
  private static double bytesPerKey(RedisAdmin admin, StatefulRedisConnection<String, String> connection,
      String value) {
    admin.flushAll();
    long before = usedMemory(admin);
    for (int i = 0; i < 5_000; i++) {
      connection.sync().set("k:" + Long.toHexString(Keys.sampleHash(i)), value);
    }
    long after = usedMemory(admin);
    admin.flushAll();
    return (after - before) / 5_000.0;
  }

  private static long usedMemory(RedisAdmin admin) {
    for (String line : admin.info("memory").split("\r?\n")) {
      if (line.startsWith("used_memory:")) {
        return Long.parseLong(line.substring("used_memory:".length()).trim());
      }
    }
    throw new IllegalStateException("no used_memory in INFO memory");
  }
}
