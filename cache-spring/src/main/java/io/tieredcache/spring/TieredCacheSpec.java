package io.tieredcache.spring;

import io.tieredcache.TieredCacheBuilder;
import java.time.Duration;
import java.util.Objects;

/**
 * The settings of one Spring cache: how big its L1 is, how long each tier keeps a value, and what
 * its values may be. Immutable: every {@code with…} method returns a copy, so one spec can be the
 * default for many caches and the start of a per-cache variant.
 *
 * <pre>{@code
 * TieredCacheSpec users = TieredCacheSpec.defaults()
 *     .withMaximumSize(50_000)
 *     .withExpireAfterWrite(Duration.ofMinutes(10))
 *     .withRefreshAfterWrite(Duration.ofMinutes(2));
 * }</pre>
 *
 * <p>Defaults are the core's ({@link TieredCacheBuilder}'s {@code DEFAULT_*} constants), no soft
 * TTL, no stale-if-error window, and polymorphic values restricted to the manager's allowlist.
 */
public final class TieredCacheSpec {

  private static final TieredCacheSpec DEFAULTS = new TieredCacheSpec(
      TieredCacheBuilder.DEFAULT_MAXIMUM_SIZE, TieredCacheBuilder.DEFAULT_EXPIRE_AFTER_WRITE, null,
      TieredCacheBuilder.DEFAULT_REMOTE_EXPIRE_AFTER_WRITE, TieredCacheBuilder.DEFAULT_JITTER,
      TieredCacheBuilder.DEFAULT_ABSENT_TTL, Duration.ZERO, TieredCacheBuilder.DEFAULT_LEASE_WAIT, null, null);

  private final long maximumSize;
  private final Duration expireAfterWrite;
  private final Duration refreshAfterWrite;
  private final Duration remoteExpireAfterWrite;
  private final double jitter;
  private final Duration absentTtl;
  private final Duration staleIfError;
  private final Duration leaseWait;
  private final Class<?> valueType;
  private final TypeAllowlist allowlist;

  private TieredCacheSpec(long maximumSize, Duration expireAfterWrite, Duration refreshAfterWrite,
      Duration remoteExpireAfterWrite, double jitter, Duration absentTtl, Duration staleIfError,
      Duration leaseWait, Class<?> valueType, TypeAllowlist allowlist) {
    this.maximumSize = maximumSize;
    this.expireAfterWrite = expireAfterWrite;
    this.refreshAfterWrite = refreshAfterWrite;
    this.remoteExpireAfterWrite = remoteExpireAfterWrite;
    this.jitter = jitter;
    this.absentTtl = absentTtl;
    this.staleIfError = staleIfError;
    this.leaseWait = leaseWait;
    this.valueType = valueType;
    this.allowlist = allowlist;
  }

  /** The core's defaults. */
  public static TieredCacheSpec defaults() {
    return DEFAULTS;
  }

  /** L1 entries at most; {@code 0} turns L1 off. */
  public TieredCacheSpec withMaximumSize(long maximumSize) {
    if (maximumSize < 0) {
      throw new IllegalArgumentException("maximumSize must be >= 0, was " + maximumSize);
    }
    return new TieredCacheSpec(maximumSize, expireAfterWrite, refreshAfterWrite, remoteExpireAfterWrite, jitter,
        absentTtl, staleIfError, leaseWait, valueType, allowlist);
  }

  /** L1 hard TTL: the staleness bound of last resort. */
  public TieredCacheSpec withExpireAfterWrite(Duration ttl) {
    return new TieredCacheSpec(maximumSize, Objects.requireNonNull(ttl, "expireAfterWrite"), refreshAfterWrite,
        remoteExpireAfterWrite, jitter, absentTtl, staleIfError, leaseWait, valueType, allowlist);
  }

  /** Soft TTL (stale-while-revalidate, used by {@code sync = true} reads); {@code null} turns it off. */
  public TieredCacheSpec withRefreshAfterWrite(Duration softTtl) {
    return new TieredCacheSpec(maximumSize, expireAfterWrite, softTtl, remoteExpireAfterWrite, jitter, absentTtl,
        staleIfError, leaseWait, valueType, allowlist);
  }

  /** How long Redis keeps a value. */
  public TieredCacheSpec withRemoteExpireAfterWrite(Duration ttl) {
    return new TieredCacheSpec(maximumSize, expireAfterWrite, refreshAfterWrite,
        Objects.requireNonNull(ttl, "remoteExpireAfterWrite"), jitter, absentTtl, staleIfError, leaseWait, valueType,
        allowlist);
  }

  /** Share of every TTL taken off at random, in [0, 1). */
  public TieredCacheSpec withJitter(double jitter) {
    return new TieredCacheSpec(maximumSize, expireAfterWrite, refreshAfterWrite, remoteExpireAfterWrite, jitter,
        absentTtl, staleIfError, leaseWait, valueType, allowlist);
  }

  /**
   * How long a {@code null} loaded by a {@code sync = true} read (or a {@code retrieve} with a
   * loader) is cached; {@link Duration#ZERO} does not cache it. A {@code null} stored by
   * {@code put} is an ordinary value and lives as long as one.
   */
  public TieredCacheSpec withAbsentTtl(Duration ttl) {
    return new TieredCacheSpec(maximumSize, expireAfterWrite, refreshAfterWrite, remoteExpireAfterWrite, jitter,
        Objects.requireNonNull(ttl, "absentTtl"), staleIfError, leaseWait, valueType, allowlist);
  }

  /** How long past its hard TTL an L1 entry may still be served when the loader fails. */
  public TieredCacheSpec withStaleIfError(Duration window) {
    return new TieredCacheSpec(maximumSize, expireAfterWrite, refreshAfterWrite, remoteExpireAfterWrite, jitter,
        absentTtl, Objects.requireNonNull(window, "staleIfError"), leaseWait, valueType, allowlist);
  }

  /** How long a node waits for another node's load of the same key before loading itself. */
  public TieredCacheSpec withLeaseWait(Duration wait) {
    return new TieredCacheSpec(maximumSize, expireAfterWrite, refreshAfterWrite, remoteExpireAfterWrite, jitter,
        absentTtl, staleIfError, Objects.requireNonNull(wait, "leaseWait"), valueType, allowlist);
  }

  /**
   * Stores values as plain JSON of this one type (no class names in Redis); {@code null} (the
   * default) stores any allowed class with its name.
   */
  public TieredCacheSpec withValueType(Class<?> valueType) {
    return new TieredCacheSpec(maximumSize, expireAfterWrite, refreshAfterWrite, remoteExpireAfterWrite, jitter,
        absentTtl, staleIfError, leaseWait, valueType, allowlist);
  }

  /** The classes this cache's values may be; {@code null} (the default) takes the manager's. */
  public TieredCacheSpec withAllowlist(TypeAllowlist allowlist) {
    return new TieredCacheSpec(maximumSize, expireAfterWrite, refreshAfterWrite, remoteExpireAfterWrite, jitter,
        absentTtl, staleIfError, leaseWait, valueType, allowlist);
  }

  /** L1 entries at most. */
  public long maximumSize() {
    return maximumSize;
  }

  /** L1 hard TTL. */
  public Duration expireAfterWrite() {
    return expireAfterWrite;
  }

  /** Soft TTL, or {@code null}. */
  public Duration refreshAfterWrite() {
    return refreshAfterWrite;
  }

  /** Redis TTL. */
  public Duration remoteExpireAfterWrite() {
    return remoteExpireAfterWrite;
  }

  /** TTL jitter. */
  public double jitter() {
    return jitter;
  }

  /** TTL of a loaded {@code null}. */
  public Duration absentTtl() {
    return absentTtl;
  }

  /** Stale-if-error window. */
  public Duration staleIfError() {
    return staleIfError;
  }

  /** Wait for another node's load. */
  public Duration leaseWait() {
    return leaseWait;
  }

  /** The one value type, or {@code null} for polymorphic values. */
  public Class<?> valueType() {
    return valueType;
  }

  /** This cache's allowlist, or {@code null} for the manager's. */
  public TypeAllowlist allowlist() {
    return allowlist;
  }

  @Override
  public String toString() {
    return "TieredCacheSpec[maximumSize=" + maximumSize + ", expireAfterWrite=" + expireAfterWrite
        + ", refreshAfterWrite=" + refreshAfterWrite + ", remoteExpireAfterWrite=" + remoteExpireAfterWrite
        + ", jitter=" + jitter + ", absentTtl=" + absentTtl + ", staleIfError=" + staleIfError
        + ", leaseWait=" + leaseWait + ", valueType=" + valueType + ", allowlist=" + allowlist + "]";
  }
}
