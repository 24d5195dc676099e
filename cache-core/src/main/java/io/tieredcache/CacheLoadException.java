package io.tieredcache;

/**
 * The loader failed and no stale copy within the stale-if-error window could be served. The
 * loader's exception is the {@linkplain #getCause() cause}. A failed load is never cached: the
 * next call tries the loader again.
 */
public class CacheLoadException extends RuntimeException {

  private static final long serialVersionUID = 1L;

  private final transient Object key;

  /** A failure loading {@code key} of cache {@code cacheName}. */
  public CacheLoadException(String cacheName, Object key, Throwable cause) {
    super("Loading key '" + key + "' of cache '" + cacheName + "' failed: " + cause, cause);
    this.key = key;
  }

  /** The key whose load failed (for a bulk load, the first key that had no stale copy). */
  public Object key() {
    return key;
  }
}
