package io.tieredcache.spring;

import static org.assertj.core.api.Assertions.assertThat;

import io.lettuce.core.RedisClient;
import io.tieredcache.redis.bus.PubSubInvalidationBus;
import io.tieredcache.spi.InvalidationBus;
import io.tieredcache.spring.Values.Address;
import io.tieredcache.spring.Values.Customer;
import io.tieredcache.testkit.RedisExtension;
import io.tieredcache.testkit.RedisServer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.springframework.cache.annotation.CacheEvict;
import org.springframework.cache.annotation.CachePut;
import org.springframework.cache.annotation.Cacheable;
import org.springframework.cache.annotation.EnableCaching;
import org.springframework.context.annotation.AnnotationConfigApplicationContext;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/**
 * Two Spring application contexts as two nodes on one real redis-server: {@code @Cacheable},
 * {@code sync = true}, {@code @CacheEvict}, {@code @CachePut} and {@code allEntries = true} as a
 * service sees them.
 */
@ExtendWith(RedisExtension.class)
class TwoNodesIT {

  /** The system of record both nodes load from: counts its calls; loads take a while. */
  static final class Database {
    final AtomicInteger loads = new AtomicInteger();
    volatile String name = "alice";

    Customer load(long id) {
      loads.incrementAndGet();
      try {
        Thread.sleep(50); // a query's latency, so that concurrent callers overlap
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
      return new Customer(id, name, new Address("Lyon", "69001"), List.of(), java.util.Map.of("visits", 3L),
          new Values.Card("4242"), java.math.BigDecimal.ONE, java.time.Instant.EPOCH);
    }
  }

  /** What the application writes: plain Spring annotations. */
  static class CustomerService {
    private final Database db;

    CustomerService(Database db) {
      this.db = db;
    }

    @Cacheable(cacheNames = "customers", sync = true)
    public Customer find(long id) {
      return db.load(id);
    }

    @Cacheable(cacheNames = "plain")
    public Customer findPlain(long id) {
      return db.load(id);
    }

    @Cacheable(cacheNames = "async")
    public CompletableFuture<Customer> findAsync(long id) {
      return CompletableFuture.supplyAsync(() -> db.load(id));
    }

    @CacheEvict(cacheNames = "customers")
    public void evict(long id) {}

    @CacheEvict(cacheNames = "customers", allEntries = true)
    public void evictAll() {}

    @CachePut(cacheNames = "customers", key = "#customer.id")
    public Customer update(Customer customer) {
      return customer;
    }
  }

  /** One node's beans. */
  @Configuration(proxyBeanMethods = false)
  @EnableCaching
  static class NodeConfig {
    @Bean(destroyMethod = "shutdown")
    RedisClient redisClient(NodeSettings settings) {
      return RedisClient.create(settings.redisUri);
    }

    @Bean(destroyMethod = "close")
    PubSubInvalidationBus invalidationBus(RedisClient client) {
      return PubSubInvalidationBus.create(client);
    }

    @Bean
    TieredCacheManager cacheManager(RedisClient client, InvalidationBus bus, NodeSettings settings) {
      TieredCacheManager manager = new TieredCacheManager(client, bus);
      manager.setKeyPrefix(settings.keyPrefix);
      manager.setAllowlist(settings.allowlist);
      return manager;
    }

    @Bean
    CustomerService customerService(Database db) {
      return new CustomerService(db);
    }
  }

  record NodeSettings(String redisUri, String keyPrefix, TypeAllowlist allowlist) {}

  private final Database db = new Database();
  private final String keyPrefix = "spring-it-" + UUID.randomUUID().toString().substring(0, 8);
  private final List<AnnotationConfigApplicationContext> contexts = new ArrayList<>();
  private RedisServer redis;

  @BeforeEach
  void redis(RedisServer redis) {
    this.redis = redis;
  }

  @AfterEach
  void closeNodes() {
    contexts.forEach(AnnotationConfigApplicationContext::close);
  }

  private AnnotationConfigApplicationContext node(TypeAllowlist allowlist) {
    AnnotationConfigApplicationContext context = new AnnotationConfigApplicationContext();
    context.registerBean(Database.class, () -> db);
    context.registerBean(NodeSettings.class, () -> new NodeSettings(redis.uri(), keyPrefix, allowlist));
    context.register(NodeConfig.class);
    context.refresh();
    contexts.add(context);
    return context;
  }

  private AnnotationConfigApplicationContext node() {
    return node(TypeAllowlist.jdkValueTypes().and("io.tieredcache.spring"));
  }

  private static CustomerService service(AnnotationConfigApplicationContext node) {
    return node.getBean(CustomerService.class);
  }

  private static TieredSpringCache cache(AnnotationConfigApplicationContext node, String name) {
    return (TieredSpringCache) node.getBean(TieredCacheManager.class).getCache(name);
  }

  @Test
  void syncTrueFrom32ThreadsOnOneNodeIsOneDatabaseCall() throws Exception {
    stampede(List.of(service(node())));
  }

  @Test
  void syncTrueFrom32ThreadsOnTwoNodesIsOneDatabaseCall() throws Exception {
    stampede(List.of(service(node()), service(node())));
  }

  /** 32 threads spread over the nodes call {@code find(7)} at once; the database sees one call. */
  private void stampede(List<CustomerService> services) throws Exception {
    ExecutorService pool = Executors.newFixedThreadPool(32);
    try {
      CountDownLatch start = new CountDownLatch(1);
      List<CompletableFuture<Customer>> results = new ArrayList<>();
      for (int i = 0; i < 32; i++) {
        CustomerService service = services.get(i % services.size());
        results.add(CompletableFuture.supplyAsync(() -> {
          try {
            start.await();
          } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
          }
          return service.find(7L);
        }, pool));
      }
      start.countDown();
      CompletableFuture.allOf(results.toArray(CompletableFuture[]::new)).get(30, TimeUnit.SECONDS);
      System.out.printf("sync = true, 32 threads on %d node(s): %d database call(s)%n", services.size(), db.loads.get());
      assertThat(db.loads).hasValue(1);
      assertThat(results).allSatisfy(r -> assertThat(r.join()).isInstanceOf(Customer.class).isEqualTo(results.get(0).join()));
    } finally {
      pool.shutdownNow();
    }
  }

  @Test
  void aValueWrittenOnOneNodeIsReadOnTheOtherAsTheSameClass() {
    var a = node();
    var b = node();
    Customer written = service(a).find(1L);
    Customer read = service(b).find(1L);
    assertThat(read).isEqualTo(written);
    assertThat(read.payment()).isInstanceOf(Values.Card.class);
    assertThat(read.attributes().get("visits")).isInstanceOf(Long.class);
    assertThat(db.loads).hasValue(1);
    assertThat(cache(b, "customers").getNativeCache().stats().l2Hits()).isEqualTo(1);
  }

  @Test
  void cacheEvictOnOneNodeReachesTheOtherWithinTheBound() {
    var a = node();
    var b = node();
    service(a).find(1L);
    service(b).find(1L); // b now holds it in L1
    String key = SpringCacheKeys.encode("customers", 1L);
    assertThat(cache(b, "customers").getNativeCache().policy().getIfPresentInL1(key)).isNotNull();

    db.name = "alice smith";
    long started = System.nanoTime();
    service(a).evict(1L);
    Awaitility.await().atMost(Duration.ofSeconds(2)).pollInterval(Duration.ofMillis(1))
        .until(() -> cache(b, "customers").getNativeCache().policy().getIfPresentInL1(key) == null);
    Duration took = Duration.ofNanos(System.nanoTime() - started);
    System.out.printf("@CacheEvict on node A reached node B's L1 in %.1f ms%n", took.toNanos() / 1e6);
    assertThat(service(b).find(1L).name()).isEqualTo("alice smith");
  }

  @Test
  void allEntriesTrueOnOneNodeEmptiesTheOthersL1() {
    var a = node();
    var b = node();
    for (long id = 1; id <= 20; id++) {
      service(b).find(id);
    }
    assertThat(db.loads).hasValue(20);
    db.name = "renamed";
    long started = System.nanoTime();
    service(a).evictAll();
    String key = SpringCacheKeys.encode("customers", 20L);
    Awaitility.await().atMost(Duration.ofSeconds(2)).pollInterval(Duration.ofMillis(1))
        .until(() -> cache(b, "customers").getNativeCache().policy().getIfPresentInL1(key) == null);
    System.out.printf("@CacheEvict(allEntries = true) on node A reached node B's L1 in %.1f ms%n",
        (System.nanoTime() - started) / 1e6);
    for (long id = 1; id <= 20; id++) {
      assertThat(service(b).find(id).name()).isEqualTo("renamed");
    }
    assertThat(db.loads).hasValue(40);
  }

  @Test
  void cachePutOnOneNodeIsWhatTheOtherReads() {
    var a = node();
    var b = node();
    Customer old = service(b).find(5L);
    Customer updated = new Customer(5L, "bob", old.address(), old.previous(), old.attributes(), old.payment(),
        old.balance(), old.since());
    service(a).update(updated);
    Awaitility.await().atMost(Duration.ofSeconds(2)).pollInterval(Duration.ofMillis(1))
        .until(() -> service(b).find(5L).name().equals("bob"));
    assertThat(db.loads).hasValue(1);
  }

  @Test
  void plainCacheableAndAsyncMethodsAreCachedAcrossNodes() throws Exception {
    var a = node();
    var b = node();
    service(a).findPlain(3L);
    assertThat(service(b).findPlain(3L)).isInstanceOf(Customer.class);
    assertThat(db.loads).hasValue(1);

    String continuedOn = cache(b, "plain").retrieve(3L).thenApply(found -> Thread.currentThread().getName())
        .get(10, TimeUnit.SECONDS);
    assertThat(continuedOn).as("a Redis answer must not continue on Lettuce's I/O thread").doesNotContain("lettuce");

    Customer first = service(a).findAsync(4L).get(10, TimeUnit.SECONDS);
    Customer again = service(b).findAsync(4L).get(10, TimeUnit.SECONDS);
    assertThat(again).isEqualTo(first);
    assertThat(db.loads).hasValue(2);
  }

  @Test
  void aValueOfAClassOutsideTheReadersAllowlistIsAMissDeletedAndCounted() {
    var a = node();
    var b = node(TypeAllowlist.jdkValueTypes());
    service(a).find(9L);
    assertThat(cache(b, "customers").getNativeCache().getIfPresent(SpringCacheKeys.encode("customers", 9L))).isNull();
    assertThat(cache(b, "customers").getNativeCache().stats().remoteErrors()).containsEntry("decode", 1L);
  }
}
