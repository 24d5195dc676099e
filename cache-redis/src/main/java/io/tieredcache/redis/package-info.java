/**
 * Redis as the shared tier of a {@link io.tieredcache.TieredCache}, over Lettuce: start with
 * {@link io.tieredcache.redis.RedisTier#builder(io.lettuce.core.RedisClient)}. Values are stored
 * with a {@link io.tieredcache.redis.ValueCodec} (JSON through
 * {@link io.tieredcache.redis.JacksonValueCodec} by default) inside a small versioned envelope;
 * {@link io.tieredcache.redis.RedisTierMetrics} binds the circuit breakers to Micrometer. Classes
 * that are not public here are internal and may change.
 */
package io.tieredcache.redis;
