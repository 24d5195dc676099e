package io.tieredcache.redis;

import io.github.resilience4j.circuitbreaker.CircuitBreaker;
import io.github.resilience4j.circuitbreaker.CircuitBreakerConfig;
import io.github.resilience4j.circuitbreaker.CircuitBreakerRegistry;
import io.lettuce.core.AbstractRedisClient;
import io.lettuce.core.ReadFrom;
import java.time.Duration;

/** What a {@link RedisTier.Builder} fixed; shared by every tier its factory creates. */
record TierSettings<V>(
    AbstractRedisClient client, String redisUri, ValueCodec<V> codec, String keyPrefix, Duration timeout,
    CircuitBreaker circuitBreaker, CircuitBreakerRegistry registry, int maxValueBytes, int compressAbove,
    Duration leaseTtl, Duration maxLeaseHold, Duration epochCheckInterval, ReadFrom readFrom) {

  /** A registry configuration of this name, if present, is used for breakers it creates. */
  static final String REGISTRY_CONFIGURATION = "tiered-cache";

  CircuitBreaker breakerFor(String name) {
    if (circuitBreaker != null) {
      return circuitBreaker;
    }
    if (registry != null) {
      CircuitBreakerConfig config = registry.getConfiguration(name)
          .or(() -> registry.getConfiguration(REGISTRY_CONFIGURATION))
          .orElse(RedisTier.DEFAULT_CIRCUIT_BREAKER_CONFIG);
      return registry.circuitBreaker(name, config);
    }
    return CircuitBreaker.of(name, RedisTier.DEFAULT_CIRCUIT_BREAKER_CONFIG);
  }
}
