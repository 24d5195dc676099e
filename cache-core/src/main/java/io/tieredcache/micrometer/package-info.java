/** Micrometer metrics for tiered caches; needs {@code micrometer-core} on the class path. */
package io.tieredcache.micrometer;
