package io.tieredcache.spi;

/**
 * Where a {@link RemoteTier} reports failures that it absorbed instead of passing to the caller.
 * The core counts them per {@link RemoteErrorKind} (metric {@code cache.l2.errors{kind}}) and logs
 * them at a bounded rate, so a Redis outage cannot flood the log.
 */
public interface TierEvents {

  /** A remote call failed or was refused; it was treated as a miss or a skipped write. */
  void remoteError(RemoteErrorKind kind, Throwable cause);

  /** A tier that reports nothing, for tests and tiers with their own accounting. */
  static TierEvents ignoring() {
    return (kind, cause) -> {};
  }
}
