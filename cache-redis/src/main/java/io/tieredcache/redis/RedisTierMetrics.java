package io.tieredcache.redis;

import io.github.resilience4j.circuitbreaker.CircuitBreaker;
import io.github.resilience4j.circuitbreaker.CircuitBreakerRegistry;
import io.github.resilience4j.micrometer.tagged.TaggedCircuitBreakerMetrics;
import io.github.resilience4j.micrometer.tagged.TaggedCircuitBreakerMetricsPublisher;
import io.micrometer.core.instrument.MeterRegistry;
import io.tieredcache.TieredCache;
import java.util.Objects;

/**
 * Binds the Redis tier's circuit breakers to Micrometer with Resilience4j's own meters
 * ({@code resilience4j.circuitbreaker.state}, {@code .calls}, {@code .failure.rate}, ..., tagged
 * {@code name=tiered-cache-<cache>}). The cache's own binder already reports gets, puts and remote
 * errors by kind; this adds the breaker's state.
 *
 * <pre>{@code
 * RedisTierMetrics.bind(users, meterRegistry);
 * }</pre>
 *
 * <p>Needs {@code io.micrometer:micrometer-core} and
 * {@code io.github.resilience4j:resilience4j-micrometer} on the class path (both optional
 * dependencies of this module); nothing else in the module refers to them.
 */
public final class RedisTierMetrics {

  private RedisTierMetrics() {}

  /**
   * Binds the breaker of {@code cache}'s Redis tier.
   *
   * @return {@code false} if the cache has no remote tier with a breaker
   */
  public static boolean bind(TieredCache<?, ?> cache, MeterRegistry meterRegistry) {
    Objects.requireNonNull(cache, "cache");
    Objects.requireNonNull(meterRegistry, "meterRegistry");
    return cache.policy().remoteTierComponent(CircuitBreaker.class)
        .map(breaker -> {
          bind(breaker, meterRegistry);
          return true;
        })
        .orElse(false);
  }

  /** Binds one breaker, e.g. {@link RedisTier#circuitBreaker()}. Binding it again is harmless. */
  public static void bind(CircuitBreaker circuitBreaker, MeterRegistry meterRegistry) {
    new TaggedCircuitBreakerMetricsPublisher(Objects.requireNonNull(meterRegistry, "meterRegistry"))
        .publishMetrics(Objects.requireNonNull(circuitBreaker, "circuitBreaker"));
  }

  /**
   * Binds every breaker of a registry handed to {@link RedisTier.Builder#circuitBreakerRegistry},
   * including those created later.
   */
  public static void bind(CircuitBreakerRegistry circuitBreakers, MeterRegistry meterRegistry) {
    TaggedCircuitBreakerMetrics.ofCircuitBreakerRegistry(Objects.requireNonNull(circuitBreakers, "circuitBreakers"))
        .bindTo(Objects.requireNonNull(meterRegistry, "meterRegistry"));
  }
}
