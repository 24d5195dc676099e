package io.tieredcache.spring.boot;

import io.lettuce.core.AbstractRedisClient;
import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisException;
import io.lettuce.core.cluster.RedisClusterClient;
import io.lettuce.core.resource.ClientResources;
import io.micrometer.core.instrument.Tag;
import io.tieredcache.TieredCache;
import io.tieredcache.redis.bus.PubSubBusOptions;
import io.tieredcache.redis.bus.PubSubInvalidationBus;
import io.tieredcache.spi.InvalidationBus;
import io.tieredcache.spring.TieredCacheManager;
import io.tieredcache.spring.TieredCacheSpec;
import io.tieredcache.spring.TypeAllowlist;
import java.util.List;
import java.util.Map;
import org.springframework.beans.factory.BeanFactory;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.beans.factory.SmartInitializingSingleton;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.AutoConfigurationPackages;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.boot.cache.autoconfigure.CacheAutoConfiguration;
import org.springframework.boot.cache.autoconfigure.CacheManagerCustomizer;
import org.springframework.boot.cache.autoconfigure.CacheManagerCustomizers;
import org.springframework.boot.cache.metrics.CacheMetricsRegistrar;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.boot.data.redis.autoconfigure.DataRedisConnectionDetails;
import org.springframework.boot.data.redis.autoconfigure.DataRedisProperties;
import org.springframework.cache.CacheManager;
import org.springframework.cache.interceptor.CacheAspectSupport;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Conditional;
import org.springframework.context.annotation.Configuration;

/**
 * Makes a {@link TieredCacheManager} the application's {@code CacheManager} when caching is on
 * ({@code @EnableCaching}), unless the application defines its own {@code CacheManager} or picks
 * one of Boot's with {@code spring.cache.type}.
 *
 * <p>It needs Boot's cache module ({@code spring-boot-starter-cache}). Redis comes from Boot's
 * {@code spring.data.redis.*} connection details (when Spring Data Redis is on the class path and
 * {@code tiered-cache.redis.enabled} is not false), standalone, Sentinel or Cluster, with their
 * credentials and SSL bundle: one Lettuce client ({@link RedisClient}, or {@link
 * RedisClusterClient} for {@code spring.data.redis.cluster.nodes}) and one {@link
 * PubSubInvalidationBus} serve every cache; an application's own client bean of either kind is
 * used instead. Without them the
 * caches are L1 + loader. A Redis that does not answer at start-up does not stop the application:
 * the caches serve from L1 and the loader, and use Redis once it answers.
 *
 * <p>Every cache, including those created on first use, is bound to Boot's cache metrics
 * ({@code cache.gets{tier,result}} …) when Micrometer and a {@code MeterRegistry} are there.
 */
@AutoConfiguration(before = CacheAutoConfiguration.class,
    afterName = "org.springframework.boot.data.redis.autoconfigure.DataRedisAutoConfiguration")
@ConditionalOnClass({CacheManager.class, TieredCache.class, CacheManagerCustomizers.class})
@ConditionalOnBean(CacheAspectSupport.class)
@ConditionalOnMissingBean(value = CacheManager.class, name = "cacheResolver")
@Conditional(NoCacheTypeCondition.class)
@EnableConfigurationProperties(TieredCacheProperties.class)
public class TieredCacheAutoConfiguration {

  private static final System.Logger LOG = System.getLogger(TieredCacheAutoConfiguration.class.getName());

  /** Used by Spring. */
  public TieredCacheAutoConfiguration() {}

  /** The cache manager, from the properties, then the application's {@code CacheManagerCustomizer}s. */
  @Bean
  TieredCacheManager cacheManager(TieredCacheProperties properties, BeanFactory beanFactory,
      ObjectProvider<AbstractRedisClient> redisClient, ObjectProvider<InvalidationBus> invalidationBus,
      ObjectProvider<CacheManagerCustomizer<?>> customizers) {
    // Redis only with a bus: a node that cannot hear other nodes' writes must not take their values either.
    InvalidationBus bus = properties.getRedis().isEnabled() ? invalidationBus.getIfUnique() : null;
    TieredCacheManager manager = new TieredCacheManager(bus != null ? redisClient.getIfUnique() : null, bus);
    TypeAllowlist allowlist = TypeAllowlist.jdkValueTypes().and(properties.getAllowlist());
    if (properties.isAllowApplicationPackages() && AutoConfigurationPackages.has(beanFactory)) {
      allowlist = allowlist.and(AutoConfigurationPackages.get(beanFactory));
    }
    manager.setAllowlist(allowlist);
    manager.setAllowNullValues(properties.isAllowNullValues());
    manager.setDynamic(properties.isDynamic());
    manager.setTransactionAware(properties.isTransactionAware());
    manager.setKeyPrefix(properties.getKeyPrefix());
    ClassLoader classLoader = beanFactory instanceof org.springframework.beans.factory.config.ConfigurableBeanFactory configurable
        && configurable.getBeanClassLoader() != null ? configurable.getBeanClassLoader() : getClass().getClassLoader();
    manager.setClassLoader(classLoader);
    TieredCacheSpec defaults = properties.getDefaults().applyTo(TieredCacheSpec.defaults(), allowlist);
    manager.setDefaultSpec(defaults);
    manager.setCacheNames(properties.getCacheNames());
    for (Map.Entry<String, TieredCacheProperties.Cache> cache : properties.getCaches().entrySet()) {
      manager.setCacheSpec(cache.getKey(), cache.getValue().applyTo(defaults, allowlist));
    }
    List<CacheManagerCustomizer<?>> list = customizers.orderedStream().toList();
    return new CacheManagerCustomizers(list).customize(manager);
  }

  /** The Redis connection and the invalidation bus, from Boot's Redis connection details. */
  @Configuration(proxyBeanMethods = false)
  @ConditionalOnClass({RedisClient.class, DataRedisConnectionDetails.class})
  @ConditionalOnBean(DataRedisConnectionDetails.class)
  @ConditionalOnProperty(prefix = "tiered-cache.redis", name = "enabled", matchIfMissing = true)
  static class RedisTierConfiguration {

    @Bean(destroyMethod = "shutdown")
    @ConditionalOnMissingBean(AbstractRedisClient.class)
    AbstractRedisClient tieredCacheRedisClient(DataRedisConnectionDetails details,
        ObjectProvider<DataRedisProperties> properties, ObjectProvider<ClientResources> resources) {
      return RedisClients.create(details, properties.getIfAvailable(), resources.getIfUnique());
    }

    /**
     * The bus, or nothing when Redis does not answer at start-up: then every cache is L1 + loader
     * for the life of this application (its L1 hard TTL bounds what it serves), and a warning says so.
     */
    @Bean(destroyMethod = "close")
    @ConditionalOnMissingBean(InvalidationBus.class)
    PubSubInvalidationBus tieredCacheInvalidationBus(AbstractRedisClient tieredCacheRedisClient,
        TieredCacheProperties properties) {
      PubSubBusOptions options = PubSubBusOptions.builder().sharded(properties.getRedis().isShardedPubSub()).build();
      try {
        return tieredCacheRedisClient instanceof RedisClusterClient cluster
            ? PubSubInvalidationBus.create(cluster, options)
            : PubSubInvalidationBus.create((RedisClient) tieredCacheRedisClient, options);
      } catch (RedisException e) {
        LOG.log(System.Logger.Level.WARNING, "tiered-cache: Redis does not answer at start-up ({0}); caches run "
            + "with L1 and their loaders only, without Redis or other nodes'' invalidations, until the application "
            + "restarts (each L1 entry lives at most its expire-after-write)", e.getMessage());
        return null;
      }
    }
  }

  /** {@code /actuator/health/tieredCache}, when Boot's health module is there. */
  @Configuration(proxyBeanMethods = false)
  @ConditionalOnClass(name = "org.springframework.boot.health.contributor.HealthIndicator")
  static class HealthConfiguration {

    @Bean
    @ConditionalOnMissingBean(name = "tieredCacheHealthIndicator")
    TieredCacheHealthIndicator tieredCacheHealthIndicator(ObjectProvider<TieredCacheManager> manager,
        ObjectProvider<InvalidationBus> bus) {
      return new TieredCacheHealthIndicator(manager.getObject(), bus.getIfUnique());
    }
  }

  /** Boot's cache metrics for every cache, those created on first use included. */
  @Configuration(proxyBeanMethods = false)
  @ConditionalOnClass({Tag.class, CacheMetricsRegistrar.class})
  static class MetricsConfiguration {

    @Bean
    TieredCacheMeterBinderProvider tieredCacheMeterBinderProvider() {
      return new TieredCacheMeterBinderProvider();
    }

    /**
     * Boot binds the caches that exist at start-up; this binds those created later, as they are
     * created (binding one twice is harmless: its meters are registered once).
     */
    @Bean
    SmartInitializingSingleton tieredCacheRuntimeMetrics(ObjectProvider<TieredCacheManager> managers,
        ObjectProvider<CacheMetricsRegistrar> registrar) {
      return () -> {
        CacheMetricsRegistrar metrics = registrar.getIfAvailable();
        TieredCacheManager manager = managers.getIfUnique();
        if (metrics != null && manager != null) {
          manager.addCacheListener(cache -> metrics.bindCacheToRegistry(cache, Tag.of("cache.manager", "cacheManager")));
        }
      };
    }
  }
}
