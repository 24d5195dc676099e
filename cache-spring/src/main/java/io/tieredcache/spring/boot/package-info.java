/**
 * Spring Boot 4 auto-configuration: with this module on the class path and {@code @EnableCaching},
 * Boot builds a {@link io.tieredcache.spring.TieredCacheManager} from the {@code tiered-cache.*}
 * properties and the {@code spring.data.redis.*} connection.
 */
package io.tieredcache.spring.boot;
