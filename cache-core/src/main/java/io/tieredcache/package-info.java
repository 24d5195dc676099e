/**
 * tiered-cache: an in-process L1 (Caffeine) in front of a shared remote tier (Redis) in front of
 * your loader. Start at {@link io.tieredcache.TieredCache#builder(String)}.
 */
package io.tieredcache;
