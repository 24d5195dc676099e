package io.tieredcache.spi;

/**
 * Creates the {@link RemoteTier} of one cache when the cache is built; the context tells it the
 * cache's name, its key codec and where to report errors.
 *
 * @param <K> key type
 * @param <V> value type
 */
@FunctionalInterface
public interface RemoteTierFactory<K, V> {

  /** Creates the tier for the cache described by {@code context}. */
  RemoteTier<K, V> create(TierContext<K> context);
}
