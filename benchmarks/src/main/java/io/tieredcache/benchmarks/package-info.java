/**
 * JMH benchmarks of tiered-cache against the raw libraries it is built on.
 *
 * <p>Peers run in the same JMH class and the same run through the {@link
 * io.tieredcache.benchmarks.BasicCache} facade, chosen by the {@link
 * io.tieredcache.benchmarks.CacheType} parameter, so their scores can be compared directly.
 */
package io.tieredcache.benchmarks;
