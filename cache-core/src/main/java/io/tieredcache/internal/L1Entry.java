package io.tieredcache.internal;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;

/**
 * One L1 value (or absent marker) with its deadlines, in ticker nanos. The read path serves it at
 * once only while {@link #state} is {@code 0} and the clock is before {@link #freshUntil}; past
 * that, {@link #onRead} sets the soft and hard expiry flags and the slow path judges it.
 * {@link #UNVERIFIED} is set when the bus cannot hear other nodes: the entry is then served only
 * within the {@code staleWhileDisconnected} bound. Caffeine drops it at the latest at the cache's
 * longest retention; {@link #retainUntil} is its own.
 */
final class L1Entry<V> extends L1EntryHead<V> {

  /** Past the soft TTL: serve, and refresh in the background. */
  static final int REFRESH_DUE = 1;
  /** Past the hard TTL, kept only as a stale-if-error fallback: never served otherwise. */
  static final int EXPIRED = 2;
  /** A background refresh or revalidation of this entry is running. */
  static final int REFRESHING = 4;
  /** This node may have missed an invalidation of it since {@link #unverifiedSince}. */
  static final int UNVERIFIED = 8;

  private static final VarHandle STATE;

  static {
    try {
      STATE = MethodHandles.lookup().findVarHandle(L1EntryHead.class, "state", int.class);
    } catch (ReflectiveOperationException e) {
      throw new ExceptionInInitializerError(e);
    }
  }

  /** Epoch millis of the write that produced the value, shared with the remote tier. */
  final long writtenAtMillis;
  /** Ticker time when the read or load that produced this entry began. */
  final long loadedAt;
  /** How long producing it took, in nanos; a guide for when to start its revalidation. */
  final long loadNanos;
  final long refreshAt;
  final long expireAt;
  final long retainUntil;
  /** Valid while {@link #UNVERIFIED} is set: since when this node cannot vouch for the entry. */
  volatile long unverifiedSince;
  /** A background refresh is not tried again before this ticker time. */
  volatile long nextRefreshAt;

  L1Entry(V value, long writtenAtMillis, long loadedAt, long loadNanos, long refreshAt, long expireAt,
      long retainUntil) {
    super(value, Math.min(refreshAt, expireAt));
    this.writtenAtMillis = writtenAtMillis;
    this.loadedAt = loadedAt;
    this.loadNanos = loadNanos;
    this.refreshAt = refreshAt;
    this.expireAt = expireAt;
    this.retainUntil = retainUntil;
  }

  /** Sets the expiry flags this entry has reached at {@code now}. */
  void onRead(long now) {
    if (now >= freshUntil) {
      int flags = now >= expireAt ? (REFRESH_DUE | EXPIRED) : REFRESH_DUE;
      if ((state & flags) != flags) {
        STATE.getAndBitwiseOr(this, flags);
      }
    }
  }

  boolean isExpired() {
    return (state & EXPIRED) != 0;
  }

  /** Whether {@code now} is past the hard TTL (checked with the clock, not the read flags). */
  boolean isExpiredAt(long now) {
    return now >= expireAt || isExpired();
  }

  /** Claims the single background refresh of this entry, unless one ran too recently. */
  boolean tryStartRefresh(long now) {
    int current = state;
    return (current & (REFRESHING | EXPIRED)) == 0 && now >= nextRefreshAt
        && STATE.compareAndSet(this, current, current | REFRESHING);
  }

  boolean isRefreshing() {
    return (state & REFRESHING) != 0;
  }

  /** Lets a later read try again, not before {@code notBefore}, after a refresh that did not replace this entry. */
  void endRefresh(long notBefore) {
    nextRefreshAt = notBefore;
    STATE.getAndBitwiseAnd(this, ~REFRESHING);
  }

  /**
   * Marks the entry as possibly stale since {@code since} (or since it was loaded, if later). An
   * entry already unverified keeps its earlier time.
   */
  void markUnverified(long since) {
    if ((state & UNVERIFIED) == 0) {
      unverifiedSince = Math.max(loadedAt, since);
      STATE.getAndBitwiseOr(this, UNVERIFIED);
    }
  }

  /** Verified again: every invalidation since {@code episodeStart} has been applied. */
  void clearUnverified(long episodeStart) {
    if ((state & UNVERIFIED) != 0 && unverifiedSince >= episodeStart) {
      STATE.getAndBitwiseAnd(this, ~UNVERIFIED);
    }
  }

  boolean isUnverified() {
    return (state & UNVERIFIED) != 0;
  }
}
