package io.tieredcache.spi;

/** What happened to one entry handed to {@link RemoteTier#fill}. */
public enum FillOutcome {
  /** Stored under a valid lease (or unconditionally, with {@link Lease#none()}). */
  STORED,
  /**
   * Not stored by the tier's choice (over its size limit); the lease was released. Nothing newer is
   * known to exist, so L1 may keep the value.
   */
  SKIPPED,
  /**
   * Not stored: the lease was voided by a write or an invalidation (or taken over after it lapsed),
   * so the loaded value may be stale and must be installed nowhere.
   */
  FENCED,
  /** Nothing was stored and the lease was released (a {@link RemoteEntry#miss() miss} entry). */
  RELEASED,
  /** The call failed or timed out: unknown whether it was stored. */
  UNKNOWN
}
