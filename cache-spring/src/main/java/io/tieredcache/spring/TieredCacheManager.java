package io.tieredcache.spring;

import io.lettuce.core.AbstractRedisClient;
import io.lettuce.core.RedisClient;
import io.lettuce.core.cluster.RedisClusterClient;
import io.tieredcache.KeyCodec;
import io.tieredcache.TieredCache;
import io.tieredcache.TieredCacheBuilder;
import io.tieredcache.redis.RedisTier;
import io.tieredcache.spi.InvalidationBus;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executor;
import java.util.concurrent.ForkJoinPool;
import java.util.function.Consumer;
import org.springframework.beans.factory.DisposableBean;
import org.springframework.cache.Cache;
import org.springframework.cache.transaction.AbstractTransactionSupportingCacheManager;

/**
 * A Spring {@link org.springframework.cache.CacheManager} whose caches are {@link TieredCache}s:
 * L1 per node, Redis shared by all nodes, invalidations on the bus.
 *
 * <pre>{@code
 * @Bean TieredCacheManager cacheManager(RedisClient client, InvalidationBus bus) {
 *   TieredCacheManager manager = new TieredCacheManager(client, bus);
 *   manager.setCacheSpec("users", TieredCacheSpec.defaults().withExpireAfterWrite(Duration.ofMinutes(10)));
 *   manager.setAllowlist(TypeAllowlist.jdkValueTypes().and("com.example"));
 *   return manager;
 * }
 * }</pre>
 *
 * <p>Caches named by {@link #setCacheSpec} or {@link #setCacheNames} are created when the manager
 * is initialized, each with its own spec; any other name gets a cache with the default spec on
 * first use, unless {@link #setDynamic(boolean) dynamic} creation is off. Without a
 * {@link RedisClient} or {@link RedisClusterClient} the caches are L1 + loader only; without a bus, other nodes' L1 are not told
 * of writes (their hard TTL is then the only bound). The client and the bus belong to the caller:
 * {@link #destroy()} closes the caches only.
 *
 * <p>Settings must be made before the manager is initialized (as Boot's
 * {@code CacheManagerCustomizer}s are); they apply to caches created after them.
 */
public class TieredCacheManager extends AbstractTransactionSupportingCacheManager implements DisposableBean {

  private final AbstractRedisClient redisClient;
  private final InvalidationBus invalidationBus;
  private final Map<String, TieredCacheSpec> specs = new LinkedHashMap<>();
  private final Map<String, TieredSpringCache> created = new ConcurrentHashMap<>();
  private final List<Consumer<? super TieredSpringCache>> listeners = new CopyOnWriteArrayList<>();
  private volatile TieredCacheSpec defaultSpec = TieredCacheSpec.defaults();
  private volatile TypeAllowlist allowlist = TypeAllowlist.jdkValueTypes();
  private volatile boolean allowNullValues = true;
  private volatile boolean dynamic = true;
  private volatile String keyPrefix = RedisTier.DEFAULT_KEY_PREFIX;
  private volatile ClassLoader classLoader = TieredCacheManager.class.getClassLoader();
  private volatile Executor executor;

  /** Caches with L1 and the loader only: no Redis, no other nodes. */
  public TieredCacheManager() {
    this(null, null);
  }

  /**
   * Caches with Redis as L2 (if {@code redisClient} is not null: a {@link RedisClient} for a
   * standalone or Sentinel-managed Redis, a {@link RedisClusterClient} for a Redis Cluster) and
   * invalidations on {@code invalidationBus} (if not null).
   *
   * @throws IllegalArgumentException for another kind of Lettuce client
   */
  public TieredCacheManager(AbstractRedisClient redisClient, InvalidationBus invalidationBus) {
    if (redisClient != null && !(redisClient instanceof RedisClient) && !(redisClient instanceof RedisClusterClient)) {
      throw new IllegalArgumentException("a RedisClient or a RedisClusterClient, not " + redisClient.getClass().getName());
    }
    this.redisClient = redisClient;
    this.invalidationBus = invalidationBus;
  }

  /** The spec of every cache not given one by {@link #setCacheSpec}. */
  public void setDefaultSpec(TieredCacheSpec spec) {
    this.defaultSpec = Objects.requireNonNull(spec, "spec");
  }

  /** The default spec. */
  public TieredCacheSpec getDefaultSpec() {
    return defaultSpec;
  }

  /** Declares the cache {@code name} with its own spec; it is created when the manager is initialized. */
  public void setCacheSpec(String name, TieredCacheSpec spec) {
    Objects.requireNonNull(name, "name");
    Objects.requireNonNull(spec, "spec");
    synchronized (specs) {
      specs.put(name, spec);
    }
  }

  /** Declares caches with the default spec (those already given a spec keep it). */
  public void setCacheNames(Collection<String> names) {
    synchronized (specs) {
      for (String name : names) {
        specs.putIfAbsent(Objects.requireNonNull(name, "name"), null);
      }
    }
  }

  /** The spec the cache {@code name} gets (or got). */
  public TieredCacheSpec specOf(String name) {
    synchronized (specs) {
      TieredCacheSpec spec = specs.get(name);
      return spec != null ? spec : defaultSpec;
    }
  }

  /** Whether caches store {@code null} (as Spring's {@code NullValue}); default true. */
  public void setAllowNullValues(boolean allowNullValues) {
    this.allowNullValues = allowNullValues;
  }

  /** Whether a name that was not declared gets a cache on first use; default true. */
  public void setDynamic(boolean dynamic) {
    this.dynamic = dynamic;
  }

  /** The classes values may be, for caches whose spec has no allowlist; default {@link TypeAllowlist#jdkValueTypes()}. */
  public void setAllowlist(TypeAllowlist allowlist) {
    this.allowlist = Objects.requireNonNull(allowlist, "allowlist");
  }

  /** The manager-wide allowlist. */
  public TypeAllowlist getAllowlist() {
    return allowlist;
  }

  /** First segment of every Redis key; default {@value RedisTier#DEFAULT_KEY_PREFIX}. */
  public void setKeyPrefix(String keyPrefix) {
    this.keyPrefix = Objects.requireNonNull(keyPrefix, "keyPrefix");
  }

  /** Loads the classes named in cached values; default this library's class loader. */
  public void setClassLoader(ClassLoader classLoader) {
    this.classLoader = Objects.requireNonNull(classLoader, "classLoader");
  }

  /** Runs async loads and background refreshes; default the core's (the common pool). */
  public void setExecutor(Executor executor) {
    this.executor = Objects.requireNonNull(executor, "executor");
  }

  /**
   * Calls {@code listener} with every cache this manager creates, declared or on first use, e.g.
   * to bind its metrics.
   */
  public void addCacheListener(Consumer<? super TieredSpringCache> listener) {
    listeners.add(Objects.requireNonNull(listener, "listener"));
    created.values().forEach(listener);
  }

  @Override
  protected Collection<? extends Cache> loadCaches() {
    List<String> names;
    synchronized (specs) {
      names = new ArrayList<>(specs.keySet());
    }
    List<Cache> caches = new ArrayList<>(names.size());
    for (String name : names) {
      caches.add(cacheNamed(name));
    }
    return caches;
  }

  @Override
  protected Cache getMissingCache(String name) {
    boolean declared;
    synchronized (specs) {
      declared = specs.containsKey(name);
    }
    return declared || dynamic ? cacheNamed(name) : null;
  }

  /** One cache per name, even when two threads ask for a new name at once. */
  private TieredSpringCache cacheNamed(String name) {
    TieredSpringCache cache = created.get(name);
    if (cache != null) {
      return cache;
    }
    boolean[] fresh = {false};
    cache = created.computeIfAbsent(name, n -> {
      fresh[0] = true;
      return new TieredSpringCache(n, build(n, specOf(n)), allowNullValues,
          executor != null ? executor : ForkJoinPool.commonPool());
    });
    if (fresh[0]) {
      for (Consumer<? super TieredSpringCache> listener : listeners) {
        listener.accept(cache);
      }
    }
    return cache;
  }

  private TieredCache<String, Object> build(String name, TieredCacheSpec spec) {
    TieredCacheBuilder<Object, Object> builder = TieredCache.builder(name)
        .maximumSize(spec.maximumSize())
        .expireAfterWrite(spec.expireAfterWrite())
        .remoteExpireAfterWrite(spec.remoteExpireAfterWrite())
        .jitter(spec.jitter())
        .absentTtl(spec.absentTtl())
        .staleIfError(spec.staleIfError())
        .leaseWait(spec.leaseWait());
    if (spec.refreshAfterWrite() != null) {
      builder.refreshAfterWrite(spec.refreshAfterWrite());
    }
    if (executor != null) {
      builder.executor(executor);
    }
    TieredCacheBuilder<String, Object> keyed = builder.keyCodec(KeyCodec.strings());
    if (redisClient != null) {
      SpringValueCodec codec = spec.valueType() != null
          ? SpringValueCodec.of(spec.valueType())
          : SpringValueCodec.polymorphic(spec.allowlist() != null ? spec.allowlist() : allowlist, classLoader);
      RedisTier.Builder<Object> tier = redisClient instanceof RedisClusterClient cluster
          ? RedisTier.builder(cluster) : RedisTier.builder((RedisClient) redisClient);
      keyed = keyed.remoteTier(tier.keyPrefix(keyPrefix).codec(codec).build());
    }
    if (invalidationBus != null) {
      keyed.invalidationBus(invalidationBus);
    }
    return keyed.build();
  }

  /** Closes every cache this manager created (not the Redis client nor the bus). */
  @Override
  public void destroy() {
    for (TieredSpringCache cache : created.values()) {
      cache.getNativeCache().close();
    }
  }
}
