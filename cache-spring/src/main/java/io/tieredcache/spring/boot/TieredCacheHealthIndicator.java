package io.tieredcache.spring.boot;

import io.github.resilience4j.circuitbreaker.CircuitBreaker;
import io.tieredcache.redis.bus.RedisInvalidationBus;
import io.tieredcache.spi.InvalidationBus;
import io.tieredcache.spring.TieredCacheManager;
import io.tieredcache.spring.TieredSpringCache;
import java.util.Map;
import java.util.TreeMap;
import org.springframework.boot.health.contributor.AbstractHealthIndicator;
import org.springframework.boot.health.contributor.Health;
import org.springframework.boot.health.contributor.Status;
import org.springframework.cache.Cache;

/**
 * The caches' health at {@code /actuator/health/tieredCache}: whether this node hears the other
 * nodes' invalidations, and the state of each cache's Redis circuit breaker. A cache that cannot
 * reach Redis or hear other nodes still answers (from L1 within its bound and from its loader), so
 * the status is then {@link #DEGRADED}, which Boot serves with HTTP 200, not {@code DOWN}: taking
 * the application out of rotation would not help its database.
 */
public final class TieredCacheHealthIndicator extends AbstractHealthIndicator {

  /** Answering from L1 and loaders while Redis or the bus is unavailable. */
  public static final Status DEGRADED = new Status("DEGRADED",
      "answering from L1 (within its bound) and the loaders while Redis or the invalidation bus is unavailable");

  private final TieredCacheManager manager;
  private final InvalidationBus bus;

  /**
   * @param manager the caches to report
   * @param bus their invalidation bus, or {@code null} when the caches run without Redis
   */
  public TieredCacheHealthIndicator(TieredCacheManager manager, InvalidationBus bus) {
    super("tiered-cache health check failed");
    this.manager = manager;
    this.bus = bus;
  }

  @Override
  protected void doHealthCheck(Health.Builder builder) {
    boolean degraded = false;
    if (bus == null) {
      builder.withDetail("redis", "off: every cache is L1 + loader");
    } else if (bus instanceof RedisInvalidationBus redisBus) {
      boolean hearing = redisBus.isHearing();
      degraded = !hearing;
      builder.withDetail("bus", hearing ? "hearing other nodes"
          : "cannot hear other nodes: L1 is served within staleWhileDisconnected, then reloaded");
      builder.withDetail("busStats", redisBus.stats().toString());
    }
    Map<String, String> breakers = new TreeMap<>();
    for (String name : manager.getCacheNames()) {
      Cache cache = manager.getCache(name);
      if (cache instanceof TieredSpringCache tiered) {
        tiered.getNativeCache().policy().remoteTierComponent(CircuitBreaker.class)
            .ifPresent(breaker -> breakers.put(name, breaker.getState().name()));
      }
    }
    for (String state : breakers.values()) {
      degraded |= state.equals(CircuitBreaker.State.OPEN.name()) || state.equals(CircuitBreaker.State.FORCED_OPEN.name());
    }
    if (!breakers.isEmpty()) {
      builder.withDetail("redisBreakers", breakers);
    }
    builder.status(degraded ? DEGRADED : Status.UP);
  }
}
