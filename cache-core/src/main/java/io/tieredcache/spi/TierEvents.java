package io.tieredcache.spi;

/**
 * Where a {@link RemoteTier} reports what it absorbed or noticed on its own. The core counts
 * failures per {@link RemoteErrorKind} (metric {@code cache.l2.errors{kind}}) and logs them at a
 * bounded rate, so a Redis outage cannot flood the log.
 */
public interface TierEvents {

  /** A remote call failed or was refused; it was treated as a miss or an unapplied write. */
  void remoteError(RemoteErrorKind kind, Throwable cause);

  /**
   * The tier found on its own (e.g. a periodic check) that its epoch moved: every key was
   * invalidated by some node. The core drops its whole L1.
   */
  default void epochMoved() {}

  /** A tier that reports nothing, for tests and tiers with their own accounting. */
  static TierEvents ignoring() {
    return (kind, cause) -> {};
  }
}
