/**
 * Spring's cache abstraction over tiered-cache: {@link io.tieredcache.spring.TieredCacheManager}
 * and {@link io.tieredcache.spring.TieredSpringCache} put every {@code @Cacheable} method behind
 * L1 (Caffeine), the shared Redis tier and the method itself as the loader. Usable without Spring
 * Boot; {@code io.tieredcache.spring.boot} adds the auto-configuration.
 */
package io.tieredcache.spring;
