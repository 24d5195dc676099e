package io.tieredcache;

import java.util.Map;
import java.util.Set;

/**
 * Some values of a {@code put} or {@code putAll} could not be stored in the remote tier (most often
 * because they cannot be encoded). Nothing is left stale: for these keys the older value was
 * deleted from every tier and every node's L1, so the next read loads afresh; every other entry of
 * the same call was written and announced as usual. The reasons are the
 * {@linkplain #getSuppressed() suppressed} exceptions, and the first one is also the cause.
 */
public class CacheWriteException extends IllegalArgumentException {

  private static final long serialVersionUID = 1L;

  private final transient Set<Object> unwrittenKeys;

  /** A write to cache {@code cacheName} that could not store {@code failures}' keys. */
  public CacheWriteException(String cacheName, Map<?, ? extends RuntimeException> failures) {
    super("cache '" + cacheName + "': " + failures.size() + " value(s) could not be stored, keys "
        + abbreviate(failures.keySet()) + "; they were invalidated instead: "
        + failures.values().iterator().next().getMessage(), failures.values().iterator().next());
    this.unwrittenKeys = Set.copyOf(failures.keySet());
    boolean first = true;
    for (RuntimeException failure : failures.values()) {
      if (!first) {
        addSuppressed(failure);
      }
      first = false;
    }
  }

  /** The keys whose value was not stored (and which were invalidated everywhere instead). */
  public Set<Object> unwrittenKeys() {
    return unwrittenKeys;
  }

  private static String abbreviate(Set<?> keys) {
    String all = keys.toString();
    return all.length() <= 200 ? all : all.substring(0, 200) + "...]";
  }
}
