package io.tieredcache.benchmarks;

import java.util.Collection;

/**
 * The few operations a benchmark needs, so that a raw library and a {@code TieredCache} can be
 * measured by the same benchmark method.
 *
 * @param <K> key type
 * @param <V> value type
 */
public interface BasicCache<K, V> {

  /** Reads {@code key}: the operation under measurement. */
  V get(K key);

  /** Fills the cache before a measurement (through the implementation's usual write path). */
  void put(K key, V value);

  /**
   * Throws {@link IllegalStateException} unless every read since {@link #put} was a hit, for a
   * benchmark that is meant to measure hits only.
   *
   * @param populated the keys put before the measurement
   */
  void verifyOnlyHits(Collection<? extends K> populated);

  /** Runs pending maintenance, so a measurement starts from a settled cache; by default nothing. */
  default void cleanUp() {}

  /** Releases what the cache holds; does nothing by default. */
  default void close() {}
}
