package io.tieredcache.benchmarks;

import io.lettuce.core.RedisClient;
import io.lettuce.core.ScriptOutputType;
import io.lettuce.core.api.StatefulRedisConnection;
import io.tieredcache.KeyCodec;
import io.tieredcache.TieredCache;
import io.tieredcache.redis.RedisTier;
import io.tieredcache.testkit.RedisServer;
import java.time.Duration;
import java.util.Arrays;

/**
 * What {@code invalidateAll()} costs on a large database: starts its own redis-server, fills it
 * with {@code keys} keys of another application plus 10,000 of the cache's own, then times
 * {@code rounds} calls of a real {@link TieredCache}'s {@code invalidateAll()} and prints the
 * median and the maximum. Wall time of a single call on a shared machine, so read it as an order of
 * magnitude, not a ratio.
 *
 * <pre>java -cp benchmarks/target/benchmarks.jar io.tieredcache.benchmarks.InvalidateAllCost 10000000 50</pre>
 */
public final class InvalidateAllCost {

  private InvalidateAllCost() {}

  public static void main(String[] args) {
    int keys = args.length > 0 ? Integer.parseInt(args[0]) : 1_000_000;
    int rounds = args.length > 1 ? Integer.parseInt(args[1]) : 50;
    try (RedisServer redis = RedisServer.startLocal()) {
      RedisClient client = RedisClient.create(redis.uri());
      try (StatefulRedisConnection<String, String> admin = client.connect()) {
        long started = System.nanoTime();
        int batch = 100_000;
        for (int from = 0; from < keys; from += batch) {
          admin.sync().eval("for i = tonumber(ARGV[1]), tonumber(ARGV[2]) do "
              + "redis.call('SET', 'other-app:' .. i, 'x') end return 1", ScriptOutputType.INTEGER,
              new String[0], Integer.toString(from), Integer.toString(Math.min(keys, from + batch) - 1));
        }
        System.out.printf("filled %,d foreign keys in %.1f s; dbsize %,d%n", keys,
            (System.nanoTime() - started) / 1e9, admin.sync().dbsize());
        TieredCache<Long, String> cache = TieredCache.builder("users")
            .keyCodec(KeyCodec.longs())
            .remoteTier(RedisTier.builder(client).valueType(String.class).timeout(Duration.ofSeconds(5)).build())
            .build(id -> "user " + id);
        for (long id = 0; id < 10_000; id++) {
          cache.get(id);
        }
        long[] nanos = new long[rounds];
        for (int i = 0; i < rounds; i++) {
          long start = System.nanoTime();
          cache.invalidateAll();
          nanos[i] = System.nanoTime() - start;
        }
        Arrays.sort(nanos);
        System.out.printf("invalidateAll on %,d keys: median %d us, max %d us over %d calls%n",
            admin.sync().dbsize(), nanos[rounds / 2] / 1_000, nanos[rounds - 1] / 1_000, rounds);
        cache.close();
      } finally {
        client.shutdown();
      }
    }
  }
}
