/**
 * The service-provider interfaces that connect the core to a shared tier and to other nodes:
 * {@link io.tieredcache.spi.RemoteTier} (with fill {@link io.tieredcache.spi.Lease leases}) and
 * {@link io.tieredcache.spi.InvalidationBus}. Users plug implementations in through the builder;
 * {@code cache-redis} provides the Redis ones.
 */
package io.tieredcache.spi;
