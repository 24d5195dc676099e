package io.tieredcache.examples.quickstart;

import io.lettuce.core.RedisClient;
import io.tieredcache.CacheStats;
import io.tieredcache.KeyCodec;
import io.tieredcache.TieredCache;
import io.tieredcache.TieredCacheBuilder;
import io.tieredcache.redis.RedisTier;
import io.tieredcache.redis.bus.PubSubInvalidationBus;
import io.tieredcache.redis.bus.RedisInvalidationBus;
import io.tieredcache.testkit.RedisServer;
import io.tieredcache.trace.AccessRecorder;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;

/**
 * The first program to run: two application nodes, each with its own L1 and Redis connection,
 * share one Redis and one slow "database", and print what every call did.
 *
 * <p>Run it with {@code ./mvnw -q -pl examples/quickstart -am compile exec:java}. It uses the Redis
 * named by {@code TIEREDCACHE_REDIS_URI}, or starts a {@code redis-server} of its own on a free
 * loopback port (and stops it at the end).
 */
public final class Quickstart {

  private Quickstart() {}

  /** A stand-in for a database: slow, counts its queries, and its rows can change. */
  static final class SlowDatabase {
    final AtomicInteger queries = new AtomicInteger();
    final AtomicReference<String> nameOf42 = new AtomicReference<>("alice");
    volatile Duration latency = Duration.ofMillis(50);

    String findUser(long id) {
      queries.incrementAndGet();
      sleep(latency);
      return id == 42 ? "user-42 " + nameOf42.get() : "user-" + id;
    }
  }

  /** One application node: its own Redis client, L2 tier, invalidation bus and L1. */
  record Node(String name, RedisClient client, RedisInvalidationBus bus, TieredCache<Long, String> users,
      AccessRecorder recorder) implements AutoCloseable {

    /** A node; with {@code trace} non-null, it records every access there for the tier sizer. */
    static Node start(String name, String redisUri, SlowDatabase db, Path trace) {
      RedisClient client = RedisClient.create(redisUri);
      RedisInvalidationBus bus = PubSubInvalidationBus.create(client);
      AccessRecorder recorder = trace == null ? null : AccessRecorder.toFile(trace).build();
      TieredCacheBuilder<Long, String> builder = TieredCache.builder("users")
          .keyCodec(KeyCodec.longs())
          .maximumSize(10_000)
          .expireAfterWrite(Duration.ofMinutes(5))
          .remoteTier(RedisTier.builder(client).valueType(String.class).build())
          .invalidationBus(bus);
      if (recorder != null) {
        builder.recordAccesses(recorder);
      }
      return new Node(name, client, bus, builder.build(db::findUser), recorder);
    }

    @Override
    public void close() {
      users.close();
      if (recorder != null) {
        recorder.close();
      }
      bus.close();
      client.shutdown();
    }
  }

  public static void main(String[] args) throws Exception {
    SlowDatabase db = new SlowDatabase();
    try {
      Files.createDirectories(TRACE.getParent());
    } catch (IOException e) {
      throw new IllegalStateException("cannot create " + TRACE.getParent(), e);
    }
    try (RedisServer redis = RedisServer.resolve();
        Node a = Node.start("node A", redis.uri(), db, TRACE);
        Node b = Node.start("node B", redis.uri(), db, null)) {
      say("tiered-cache quickstart: two nodes (own L1 + connection each) sharing Redis at %s", redis.uri());
      a.users().invalidateAll(); // a clean slate, in case this Redis was used before

      timed(a, "1. read-through   ", 42L, db);
      timed(a, "2. L1 hit         ", 42L, db);
      timed(b, "3. L2 hit         ", 42L, db);
      timed(b, "   then an L1 hit ", 42L, db);

      db.nameOf42.set("alice smith");
      a.users().invalidate(42L);
      say("4. the row changed; %s invalidates 42: Redis and every node's L1 drop it", a.name());
      awaitDropped(b, 42L);
      timed(b, "   next read      ", 42L, db);
      timed(a, "   and            ", 42L, db);

      singleFlight(List.of(a, b), db);
      printStats(a);
      printStats(b);
      traffic(a, db);
    }
    say("   recorded to %s; size the tiers from it (after ./mvnw -q -pl benchmarks -am package -DskipTests):", TRACE);
    say("   java -jar benchmarks/target/tier-sizer.jar --trace %s --nodes 2 --out target/sizing", TRACE);
  }

  /** Where node A records its accesses, for the tier sizer: this module's target folder. */
  static final Path TRACE = (Files.isDirectory(Path.of("examples/quickstart"))
      ? Path.of("examples/quickstart/target") : Path.of("target")).resolve("quickstart-traffic.trace");

  /**
   * Some traffic with a skewed popularity, as users read profiles: most reads go to few users.
   * The database answers in 1 ms here, so that the step takes seconds, not minutes.
   */
  private static void traffic(Node node, SlowDatabase db) {
    db.latency = Duration.ofMillis(1);
    int before = db.queries.get();
    java.util.Random random = new java.util.Random(42);
    int reads = 20_000;
    for (int i = 0; i < reads; i++) {
      long id = 1_000 + (long) (Math.pow(random.nextDouble(), 4) * 5_000);
      node.users().get(id);
    }
    say("7. traffic: %d reads of up to 5,000 users (a few are most of the reads) on %s -> %d database queries",
        reads, node.name(), db.queries.get() - before);
  }

  /** Waits (at most a second: the documented bound) until the other node no longer holds the key. */
  private static void awaitDropped(Node node, long key) {
    long started = System.nanoTime();
    long deadline = started + TimeUnit.SECONDS.toNanos(1);
    while (node.users().getIfPresent(key) != null && System.nanoTime() < deadline) {
      sleep(Duration.ofMillis(5));
    }
    say("   %s dropped 42 %.1f ms after the invalidate returned", node.name(), (System.nanoTime() - started) / 1e6);
  }

  private static void singleFlight(List<Node> nodes, SlowDatabase db) throws Exception {
    int before = db.queries.get();
    int callersPerNode = 25;
    ExecutorService pool = Executors.newFixedThreadPool(callersPerNode * nodes.size());
    try {
      CountDownLatch start = new CountDownLatch(1);
      List<CompletableFuture<String>> results = new ArrayList<>();
      for (Node node : nodes) {
        for (int i = 0; i < callersPerNode; i++) {
          results.add(CompletableFuture.supplyAsync(() -> {
            awaitQuietly(start);
            return node.users().get(7L);
          }, pool));
        }
      }
      start.countDown();
      CompletableFuture.allOf(results.toArray(CompletableFuture[]::new)).get(30, TimeUnit.SECONDS);
      say("5. single-flight: %d callers on %d nodes missed key 7 at once -> %d database query, all got '%s'",
          results.size(), nodes.size(), db.queries.get() - before, results.get(0).join());
    } finally {
      pool.shutdownNow();
    }
  }

  private static void printStats(Node node) {
    CacheStats s = node.users().stats();
    say("6. stats of %s", node.name());
    say("   %-4s %6s %7s", "tier", "hits", "misses");
    say("   %-4s %6d %7d", "L1", s.l1Hits(), s.l1Misses());
    say("   %-4s %6d %7d", "L2", s.l2Hits(), s.l2Misses());
    say("   loads %d, %.0f ms in the loader; invalidations from the other node %d; Redis errors %d",
        s.loadSuccesses() + s.loadFailures(), s.totalLoadTimeNanos() / 1e6, s.invalidationsReceived(),
        s.remoteErrorCount());
  }

  private static void timed(Node node, String label, long key, SlowDatabase db) {
    int before = db.queries.get();
    long started = System.nanoTime();
    String value = node.users().get(key);
    say("%s %s get(%d) -> '%s' in %.2f ms, %d database query", label, node.name(), key, value,
        (System.nanoTime() - started) / 1e6, db.queries.get() - before);
  }

  static void say(String format, Object... args) {
    System.out.println(String.format(format, args));
  }

  static void sleep(Duration duration) {
    try {
      Thread.sleep(duration.toMillis());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  private static void awaitQuietly(CountDownLatch latch) {
    try {
      latch.await();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
