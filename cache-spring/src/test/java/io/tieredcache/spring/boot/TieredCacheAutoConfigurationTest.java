package io.tieredcache.spring.boot;

import static org.assertj.core.api.Assertions.assertThat;

import io.lettuce.core.RedisClient;
import io.lettuce.core.resource.ClientResources;
import io.micrometer.core.instrument.MeterRegistry;
import io.tieredcache.spi.InvalidationBus;
import io.tieredcache.spring.TieredCacheManager;
import io.tieredcache.spring.TieredSpringCache;
import io.tieredcache.testkit.RedisExtension;
import io.tieredcache.testkit.RedisServer;
import java.io.IOException;
import java.net.ServerSocket;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.cache.autoconfigure.CacheAutoConfiguration;
import org.springframework.boot.cache.autoconfigure.CacheManagerCustomizer;
import org.springframework.boot.cache.autoconfigure.CacheManagerCustomizers;
import org.springframework.boot.cache.autoconfigure.metrics.CacheMetricsAutoConfiguration;
import org.springframework.boot.data.redis.autoconfigure.DataRedisAutoConfiguration;
import org.springframework.boot.micrometer.metrics.autoconfigure.MetricsAutoConfiguration;
import org.springframework.boot.micrometer.metrics.autoconfigure.export.simple.SimpleMetricsExportAutoConfiguration;
import org.springframework.boot.test.context.FilteredClassLoader;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.cache.CacheManager;
import org.springframework.cache.annotation.EnableCaching;
import org.springframework.cache.concurrent.ConcurrentMapCacheManager;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/** The auto-configuration's conditions, properties, back-off, customizers, Redis and metrics. */
class TieredCacheAutoConfigurationTest {

  private final ApplicationContextRunner runner = new ApplicationContextRunner()
      .withConfiguration(AutoConfigurations.of(TieredCacheAutoConfiguration.class, CacheAutoConfiguration.class,
          DataRedisAutoConfiguration.class))
      .withUserConfiguration(CachingOn.class);

  /** An application with caching on. */
  @Configuration(proxyBeanMethods = false)
  @EnableCaching
  static class CachingOn {}

  /** An application with its own cache manager. */
  @Configuration(proxyBeanMethods = false)
  static class OwnManager {
    @Bean
    CacheManager myCacheManager() {
      return new ConcurrentMapCacheManager();
    }
  }

  /** A customizer that declares a cache. */
  @Configuration(proxyBeanMethods = false)
  static class Customized {
    @Bean
    CacheManagerCustomizer<TieredCacheManager> declareAudit() {
      return manager -> manager.setCacheNames(java.util.List.of("audit"));
    }
  }

  @Test
  void withoutRedisItIsAnL1AndLoaderCacheManager() {
    runner.withPropertyValues("tiered-cache.redis.enabled=false").run(context -> {
      assertThat(context).hasSingleBean(TieredCacheManager.class).doesNotHaveBean(InvalidationBus.class);
      CacheManager manager = context.getBean(CacheManager.class);
      AtomicInteger loads = new AtomicInteger();
      assertThat(manager.getCache("users").get(1L, loads::incrementAndGet)).isEqualTo(1);
      assertThat(manager.getCache("users").get(1L, loads::incrementAndGet)).isEqualTo(1);
    });
  }

  @Test
  void itNeedsEnableCaching() {
    new ApplicationContextRunner()
        .withConfiguration(AutoConfigurations.of(TieredCacheAutoConfiguration.class, CacheAutoConfiguration.class))
        .run(context -> assertThat(context).doesNotHaveBean(CacheManager.class));
  }

  @Test
  void withoutBootsCacheModuleItStaysOut() {
    runner.withClassLoader(new FilteredClassLoader(CacheManagerCustomizers.class))
        .run(context -> assertThat(context).hasNotFailed().doesNotHaveBean(TieredCacheManager.class));
  }

  @Test
  void itBacksOffForTheApplicationsOwnCacheManager() {
    runner.withUserConfiguration(OwnManager.class).run(context -> {
      assertThat(context).doesNotHaveBean(TieredCacheManager.class).hasSingleBean(CacheManager.class);
      assertThat(context.getBean(CacheManager.class)).isInstanceOf(ConcurrentMapCacheManager.class);
    });
  }

  @Test
  void itBacksOffWhenSpringCacheTypeIsSet() {
    runner.withPropertyValues("spring.cache.type=simple").run(context -> {
      assertThat(context).doesNotHaveBean(TieredCacheManager.class);
      assertThat(context.getBean(CacheManager.class)).isInstanceOf(ConcurrentMapCacheManager.class);
    });
  }

  @Test
  void propertiesSetTheDefaultsAndEachCache() {
    runner.withPropertyValues(
        "tiered-cache.redis.enabled=false",
        "tiered-cache.defaults.maximum-size=100",
        "tiered-cache.defaults.expire-after-write=9s",
        "tiered-cache.caches.users.maximum-size=7",
        "tiered-cache.caches.users.absent-ttl=0s",
        "tiered-cache.caches.users.allowlist=com.partner",
        "tiered-cache.cache-names=orders",
        "tiered-cache.allowlist=org.acme").run(context -> {
          TieredCacheManager manager = context.getBean(TieredCacheManager.class);
          assertThat(manager.getCacheNames()).containsExactlyInAnyOrder("users", "orders");
          var users = ((TieredSpringCache) manager.getCache("users")).getNativeCache().policy();
          assertThat(users.l1MaximumSize()).isEqualTo(7);
          assertThat(users.l1ExpireAfterWrite()).isEqualTo(Duration.ofSeconds(9));
          assertThat(users.absentTtl()).isZero();
          var orders = ((TieredSpringCache) manager.getCache("orders")).getNativeCache().policy();
          assertThat(orders.l1MaximumSize()).isEqualTo(100);
          assertThat(manager.getAllowlist().allows("org.acme.X")).isTrue();
          assertThat(manager.getAllowlist().allows("com.partner.X")).isFalse();
          assertThat(manager.specOf("users").allowlist().allows("com.partner.X")).isTrue();
          assertThat(manager.specOf("users").allowlist().allows("org.acme.X")).isTrue();
        });
  }

  @Test
  void customizersApply() {
    runner.withPropertyValues("tiered-cache.redis.enabled=false").withUserConfiguration(Customized.class)
        .run(context -> assertThat(context.getBean(TieredCacheManager.class).getCacheNames()).containsExactly("audit"));
  }

  @Test
  void aRedisThatDoesNotAnswerDoesNotStopTheApplication() throws IOException {
    int closedPort;
    try (ServerSocket socket = new ServerSocket(0)) {
      closedPort = socket.getLocalPort();
    }
    runner.withPropertyValues("spring.data.redis.host=127.0.0.1", "spring.data.redis.port=" + closedPort).run(context -> {
      assertThat(context).hasNotFailed().hasSingleBean(RedisClient.class).hasSingleBean(InvalidationBus.class);
      CacheManager manager = context.getBean(CacheManager.class);
      assertThat(manager.getCache("users").get(1L, () -> "loaded")).isEqualTo("loaded");
      assertThat(manager.getCache("users").get(1L, () -> "again")).isEqualTo("loaded");
    });
  }

  @Test
  @ExtendWith(RedisExtension.class)
  void redisComesFromSpringDataRedisProperties(RedisServer redis) {
    String[] properties = {"spring.data.redis.host=" + redis.host(), "spring.data.redis.port=" + redis.port(),
        "tiered-cache.key-prefix=boot-it-" + System.nanoTime()};
    runner.withPropertyValues(properties).run(a -> runner.withPropertyValues(properties).run(b -> {
      assertThat(a.getBean(RedisClient.class).getResources())
          .as("the cache's client runs on Boot's Lettuce threads").isSameAs(a.getBean(ClientResources.class));
      a.getBean(CacheManager.class).getCache("users").put(1L, "from a");
      assertThat(b.getBean(CacheManager.class).getCache("users").get(1L, () -> "loaded by b")).isEqualTo("from a");
    }));
  }

  @Test
  void cachesCreatedAtRunTimeHaveMetricsWithTierAndResult() {
    new ApplicationContextRunner()
        .withConfiguration(AutoConfigurations.of(TieredCacheAutoConfiguration.class, CacheAutoConfiguration.class,
            MetricsAutoConfiguration.class, SimpleMetricsExportAutoConfiguration.class,
            CacheMetricsAutoConfiguration.class))
        .withUserConfiguration(CachingOn.class)
        .withPropertyValues("tiered-cache.redis.enabled=false", "tiered-cache.cache-names=declared")
        .run(context -> {
          MeterRegistry registry = context.getBean(MeterRegistry.class);
          CacheManager manager = context.getBean(CacheManager.class);
          manager.getCache("declared").get("k", () -> "v");
          manager.getCache("later").get("k", () -> "v");
          manager.getCache("later").get("k", () -> "v");
          assertThat(registry.get("cache.gets").tags("cache", "declared", "tier", "l1", "result", "miss")
              .functionCounter().count()).isEqualTo(1);
          assertThat(registry.get("cache.gets").tags("cache", "later", "tier", "l1", "result", "hit",
              "cache.manager", "cacheManager").functionCounter().count()).isEqualTo(1);
        });
  }
}
