package io.tieredcache.examples.quickstart;

import io.tieredcache.CacheStats;
import io.tieredcache.TieredCache;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The first program to run: a cache in front of a slow "database", printing what each call did.
 * Run it with {@code ./mvnw -q -pl examples/quickstart -am compile exec:java}.
 */
public final class Quickstart {

  private Quickstart() {}

  /** A stand-in for a database: slow, and it counts its queries. */
  static final class SlowDatabase {
    final AtomicInteger queries = new AtomicInteger();

    String findUser(long id) {
      queries.incrementAndGet();
      sleep(Duration.ofMillis(50));
      return "user-" + id;
    }
  }

  public static void main(String[] args) throws Exception {
    SlowDatabase db = new SlowDatabase();
    try (TieredCache<Long, String> users = TieredCache.builder("users")
        .maximumSize(10_000)
        .expireAfterWrite(Duration.ofMinutes(5))
        .build(db::findUser)) {

      say("tiered-cache quickstart: L1 (Caffeine) + loader, no Redis yet");
      timed("1. read-through  get(42)", () -> users.get(42L), db);
      timed("2. L1 hit        get(42)", () -> users.get(42L), db);
      users.invalidate(42L);
      say("3. invalidate(42): the next read goes to the database again");
      timed("   after invalidate get(42)", () -> users.get(42L), db);
      singleFlight(users, db);
      printStats("users", users.stats());
    }
  }

  private static void singleFlight(TieredCache<Long, String> users, SlowDatabase db) throws Exception {
    int before = db.queries.get();
    int callers = 50;
    ExecutorService pool = Executors.newFixedThreadPool(callers);
    try {
      CountDownLatch start = new CountDownLatch(1);
      List<CompletableFuture<String>> results = new ArrayList<>();
      for (int i = 0; i < callers; i++) {
        results.add(CompletableFuture.supplyAsync(() -> {
          awaitQuietly(start);
          return users.get(7L);
        }, pool));
      }
      start.countDown();
      CompletableFuture.allOf(results.toArray(CompletableFuture[]::new)).get(30, TimeUnit.SECONDS);
      say("4. single-flight: %d concurrent callers missed key 7 -> %d database query, all got '%s'",
          callers, db.queries.get() - before, results.get(0).join());
    } finally {
      pool.shutdownNow();
    }
  }

  static void printStats(String name, CacheStats s) {
    say("5. stats of '%s'", name);
    say("   %-8s %8s %8s", "tier", "hits", "misses");
    say("   %-8s %8d %8d", "L1", s.l1Hits(), s.l1Misses());
    say("   %-8s %8d %8d", "L2", s.l2Hits(), s.l2Misses());
    say("   loads: %d ok, %d failed, %.1f ms in the loader; hit rate %.0f%%",
        s.loadSuccesses(), s.loadFailures(), s.totalLoadTimeNanos() / 1e6, s.hitRate() * 100);
  }

  private static void timed(String label, java.util.function.Supplier<String> read, SlowDatabase db) {
    int before = db.queries.get();
    long started = System.nanoTime();
    String value = read.get();
    say("%s -> '%s' in %.2f ms (%d database query)", label, value,
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
