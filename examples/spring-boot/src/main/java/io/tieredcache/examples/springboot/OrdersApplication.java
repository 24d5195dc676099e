package io.tieredcache.examples.springboot;

import io.tieredcache.CacheStats;
import io.tieredcache.spring.TieredSpringCache;
import io.tieredcache.testkit.RedisServer;
import java.net.URI;
import java.util.List;
import java.util.Locale;
import java.util.function.Supplier;
import org.springframework.boot.SpringApplication;
import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.cache.CacheManager;
import org.springframework.cache.annotation.EnableCaching;
import org.springframework.context.ConfigurableApplicationContext;

/**
 * A Spring Boot service with the classic N+1 page (orders, each with its customer and products) on
 * a real PostgreSQL, printing the SQL statements one page costs without caching, with
 * {@code @Cacheable} per entity, and with tiered-cache's bulk {@code getAll}.
 *
 * <p>Run it with {@code ./mvnw -q -pl examples/spring-boot -am compile exec:java}. It uses the
 * database of {@code SPRING_DATASOURCE_URL} if set (creating {@code tc_example_*} tables there),
 * else an embedded PostgreSQL; and the Redis of {@code TIEREDCACHE_REDIS_URI} if set, else a
 * {@code redis-server} of its own on a free loopback port.
 */
@SpringBootApplication
@EnableCaching
public class OrdersApplication {

  /** Statements per page in each variant, cold (empty caches) and warm (second read of the page). */
  public record Report(long uncached, long perEntityCold, long perEntityWarm, long bulkCold, long bulkWarm,
      CacheStats customers, CacheStats products) {}

  static final int PAGE_SIZE = 20;

  public static void main(String[] args) throws Exception {
    run();
  }

  /** Starts Redis, PostgreSQL and the application, measures the page, prints and returns what it saw. */
  public static Report run() throws Exception {
    try (RedisServer redis = RedisServer.resolve(); Postgres postgres = Postgres.start()) {
      URI redisUri = URI.create(redis.uri());
      SpringApplication application = new SpringApplication(OrdersApplication.class);
      application.setDefaultProperties(java.util.Map.of(
          "spring.datasource.url", postgres.url(),
          "spring.datasource.username", postgres.username() == null ? "" : postgres.username(),
          "spring.datasource.password", postgres.password() == null ? "" : postgres.password(),
          "spring.data.redis.host", redisUri.getHost(),
          "spring.data.redis.port", String.valueOf(redisUri.getPort())));
      try (ConfigurableApplicationContext context = application.run()) {
        return measure(context);
      }
    }
  }

  static Report measure(ConfigurableApplicationContext context) {
    OrdersPageService pages = context.getBean(OrdersPageService.class);
    QueryCounter queries = context.getBean(QueryCounter.class);
    CacheManager caches = context.getBean(CacheManager.class);
    caches.resetCaches(); // a clean slate, in case this Redis was used before

    long uncached = statements(queries, () -> pages.uncached(0, PAGE_SIZE));
    long perEntityCold = statements(queries, () -> pages.perEntity(0, PAGE_SIZE));
    long perEntityWarm = statements(queries, () -> pages.perEntity(0, PAGE_SIZE));
    caches.resetCaches();
    long bulkCold = statements(queries, () -> pages.bulk(0, PAGE_SIZE));
    long bulkWarm = statements(queries, () -> pages.bulk(0, PAGE_SIZE));
    if (!pages.bulk(0, PAGE_SIZE).equals(pages.uncached(0, PAGE_SIZE))) {
      throw new IllegalStateException("the cached page differs from the database's");
    }
    Report report = new Report(uncached, perEntityCold, perEntityWarm, bulkCold, bulkWarm,
        stats(caches, "customers"), stats(caches, "products"));
    print(report);
    return report;
  }

  private static long statements(QueryCounter queries, Supplier<List<OrderView>> page) {
    queries.reset();
    page.get();
    return queries.count();
  }

  private static CacheStats stats(CacheManager caches, String name) {
    return ((TieredSpringCache) caches.getCache(name)).getNativeCache().stats();
  }

  private static void print(Report r) {
    say("tiered-cache Spring Boot example: one page of %d orders, each with its customer and 3 products", PAGE_SIZE);
    say("SQL statements per page (counted on the JDBC connection):");
    say("  %-34s %5s %5s", "", "cold", "warm");
    say("  %-34s %5d %5s", "no cache (N+1)", r.uncached(), "-");
    say("  %-34s %5d %5d", "@Cacheable per customer/product", r.perEntityCold(), r.perEntityWarm());
    say("  %-34s %5d %5d", "bulk getAll (one query per type)", r.bulkCold(), r.bulkWarm());
    for (var entry : java.util.Map.of("customers", r.customers(), "products", r.products()).entrySet()) {
      CacheStats s = entry.getValue();
      say("cache %-9s L1 hit ratio %5.1f %% (%d/%d), L2 hit ratio %5.1f %% (%d/%d), loads %d", entry.getKey(),
          ratio(s.l1Hits(), s.l1Misses()), s.l1Hits(), s.l1Hits() + s.l1Misses(),
          ratio(s.l2Hits(), s.l2Misses()), s.l2Hits(), s.l2Hits() + s.l2Misses(), s.loadCount());
    }
  }

  private static double ratio(long hits, long misses) {
    return hits + misses == 0 ? 0 : 100.0 * hits / (hits + misses);
  }

  private static void say(String format, Object... args) {
    System.out.println(String.format(Locale.ROOT, format, args));
  }
}
