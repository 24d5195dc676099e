package io.tieredcache.spring.boot;

import io.tieredcache.spring.TieredCacheSpec;
import io.tieredcache.spring.TypeAllowlist;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.springframework.boot.context.properties.ConfigurationProperties;

/**
 * The {@code tiered-cache.*} properties: manager-wide settings, the defaults of every cache
 * ({@code tiered-cache.defaults.*}) and a block per cache ({@code tiered-cache.caches.<name>.*})
 * whose settings override the defaults. Redis itself comes from {@code spring.data.redis.*}.
 *
 * <pre>
 * tiered-cache.defaults.expire-after-write=5m
 * tiered-cache.caches.users.maximum-size=50000
 * tiered-cache.caches.users.refresh-after-write=1m
 * tiered-cache.allowlist=com.partner.dto
 * </pre>
 */
@ConfigurationProperties("tiered-cache")
public class TieredCacheProperties {

  /** Whether caches store null results (as Spring's NullValue). */
  private boolean allowNullValues = true;

  /** Whether a cache name not declared here gets a cache (with the defaults) on first use. */
  private boolean dynamic = true;

  /** Whether puts and evictions inside a transaction wait for its commit. */
  private boolean transactionAware = false;

  /** First segment of every Redis key: one per application sharing a Redis. */
  private String keyPrefix = "tc";

  /** Caches to create at start-up with the defaults (those under 'caches' are created too). */
  private List<String> cacheNames = new ArrayList<>();

  /**
   * Packages and classes a cached value may be, beyond the JDK's value types and (unless
   * 'allow-application-packages' is false) the application's own packages.
   */
  private List<String> allowlist = new ArrayList<>();

  /** Whether the application's packages (those of its @SpringBootApplication) are allowed. */
  private boolean allowApplicationPackages = true;

  /** The Redis tier and the invalidation bus. */
  private final Redis redis = new Redis();

  /** Settings of every cache that its own block does not override. */
  private final Cache defaults = new Cache();

  /** Settings per cache name. */
  private Map<String, Cache> caches = new LinkedHashMap<>();

  public boolean isAllowNullValues() {
    return allowNullValues;
  }

  public void setAllowNullValues(boolean allowNullValues) {
    this.allowNullValues = allowNullValues;
  }

  public boolean isDynamic() {
    return dynamic;
  }

  public void setDynamic(boolean dynamic) {
    this.dynamic = dynamic;
  }

  public boolean isTransactionAware() {
    return transactionAware;
  }

  public void setTransactionAware(boolean transactionAware) {
    this.transactionAware = transactionAware;
  }

  public String getKeyPrefix() {
    return keyPrefix;
  }

  public void setKeyPrefix(String keyPrefix) {
    this.keyPrefix = keyPrefix;
  }

  public List<String> getCacheNames() {
    return cacheNames;
  }

  public void setCacheNames(List<String> cacheNames) {
    this.cacheNames = cacheNames;
  }

  public List<String> getAllowlist() {
    return allowlist;
  }

  public void setAllowlist(List<String> allowlist) {
    this.allowlist = allowlist;
  }

  public boolean isAllowApplicationPackages() {
    return allowApplicationPackages;
  }

  public void setAllowApplicationPackages(boolean allowApplicationPackages) {
    this.allowApplicationPackages = allowApplicationPackages;
  }

  public Redis getRedis() {
    return redis;
  }

  public Cache getDefaults() {
    return defaults;
  }

  public Map<String, Cache> getCaches() {
    return caches;
  }

  public void setCaches(Map<String, Cache> caches) {
    this.caches = caches;
  }

  /** The Redis tier's switch. */
  public static class Redis {

    /**
     * Whether caches use Redis (from spring.data.redis.*) as L2 and its pub/sub as the bus; off,
     * every node caches in L1 and loads alone.
     */
    private boolean enabled = true;

    /**
     * Whether the bus uses sharded pub/sub (SPUBLISH/SSUBSCRIBE, Redis 7.0+): on a Redis Cluster its
     * messages then stay within the shard of its channel instead of reaching every node. Every node
     * must use the same setting.
     */
    private boolean shardedPubSub;

    public boolean isEnabled() {
      return enabled;
    }

    public void setEnabled(boolean enabled) {
      this.enabled = enabled;
    }

    public boolean isShardedPubSub() {
      return shardedPubSub;
    }

    public void setShardedPubSub(boolean shardedPubSub) {
      this.shardedPubSub = shardedPubSub;
    }
  }

  /** One cache's settings; those left unset take the defaults'. */
  public static class Cache {

    /** L1 entries at most; 0 turns L1 off. */
    private Long maximumSize;

    /** L1 hard TTL: no entry is served after this long (the staleness bound of last resort). */
    private Duration expireAfterWrite;

    /** Soft TTL: a sync=true read past it serves the value and refreshes it in the background. */
    private Duration refreshAfterWrite;

    /** How long Redis keeps a value. */
    private Duration remoteExpireAfterWrite;

    /** Share of every TTL taken off at random, in [0, 1), so entries do not expire together. */
    private Double jitter;

    /** How long a null loaded by a sync=true read is cached; 0 does not cache it. */
    private Duration absentTtl;

    /** How long past its hard TTL an entry may be served when the loader fails. */
    private Duration staleIfError;

    /** How long a node waits for another node's load of the same key before loading itself. */
    private Duration leaseWait;

    /** The one class this cache's values are, stored as plain JSON (no class names in Redis). */
    private Class<?> valueType;

    /** Packages and classes this cache's values may be, beyond the manager-wide allowlist. */
    private List<String> allowlist = new ArrayList<>();

    public Long getMaximumSize() {
      return maximumSize;
    }

    public void setMaximumSize(Long maximumSize) {
      this.maximumSize = maximumSize;
    }

    public Duration getExpireAfterWrite() {
      return expireAfterWrite;
    }

    public void setExpireAfterWrite(Duration expireAfterWrite) {
      this.expireAfterWrite = expireAfterWrite;
    }

    public Duration getRefreshAfterWrite() {
      return refreshAfterWrite;
    }

    public void setRefreshAfterWrite(Duration refreshAfterWrite) {
      this.refreshAfterWrite = refreshAfterWrite;
    }

    public Duration getRemoteExpireAfterWrite() {
      return remoteExpireAfterWrite;
    }

    public void setRemoteExpireAfterWrite(Duration remoteExpireAfterWrite) {
      this.remoteExpireAfterWrite = remoteExpireAfterWrite;
    }

    public Double getJitter() {
      return jitter;
    }

    public void setJitter(Double jitter) {
      this.jitter = jitter;
    }

    public Duration getAbsentTtl() {
      return absentTtl;
    }

    public void setAbsentTtl(Duration absentTtl) {
      this.absentTtl = absentTtl;
    }

    public Duration getStaleIfError() {
      return staleIfError;
    }

    public void setStaleIfError(Duration staleIfError) {
      this.staleIfError = staleIfError;
    }

    public Duration getLeaseWait() {
      return leaseWait;
    }

    public void setLeaseWait(Duration leaseWait) {
      this.leaseWait = leaseWait;
    }

    public Class<?> getValueType() {
      return valueType;
    }

    public void setValueType(Class<?> valueType) {
      this.valueType = valueType;
    }

    public List<String> getAllowlist() {
      return allowlist;
    }

    public void setAllowlist(List<String> allowlist) {
      this.allowlist = allowlist;
    }

    /** {@code base} with every setting made here applied; the allowlist extends {@code managerAllowlist}. */
    TieredCacheSpec applyTo(TieredCacheSpec base, TypeAllowlist managerAllowlist) {
      TieredCacheSpec spec = base;
      if (maximumSize != null) {
        spec = spec.withMaximumSize(maximumSize);
      }
      if (expireAfterWrite != null) {
        spec = spec.withExpireAfterWrite(expireAfterWrite);
      }
      if (refreshAfterWrite != null) {
        spec = spec.withRefreshAfterWrite(refreshAfterWrite);
      }
      if (remoteExpireAfterWrite != null) {
        spec = spec.withRemoteExpireAfterWrite(remoteExpireAfterWrite);
      }
      if (jitter != null) {
        spec = spec.withJitter(jitter);
      }
      if (absentTtl != null) {
        spec = spec.withAbsentTtl(absentTtl);
      }
      if (staleIfError != null) {
        spec = spec.withStaleIfError(staleIfError);
      }
      if (leaseWait != null) {
        spec = spec.withLeaseWait(leaseWait);
      }
      if (valueType != null) {
        spec = spec.withValueType(valueType);
      }
      if (!allowlist.isEmpty()) {
        TypeAllowlist inherited = spec.allowlist() != null ? spec.allowlist() : managerAllowlist;
        spec = spec.withAllowlist(inherited.and(allowlist));
      }
      return spec;
    }
  }
}
