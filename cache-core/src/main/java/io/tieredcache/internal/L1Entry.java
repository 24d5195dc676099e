package io.tieredcache.internal;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;

/**
 * One L1 value (or absent marker) with its deadlines, in ticker nanos. Caffeine keeps it until
 * {@link #retainUntil}; the read path serves it only while {@link #state} says so.
 *
 * <p>The state flags are set from Caffeine's {@code Expiry.expireAfterRead} callback, which runs
 * on the reading thread with the time Caffeine already read: the hot path then needs one field
 * read, not a second clock read.
 */
final class L1Entry<V> {

  /** Past the soft TTL: serve, and refresh in the background. */
  static final int REFRESH_DUE = 1;
  /** Past the hard TTL, kept only as a stale-if-error fallback: never served otherwise. */
  static final int EXPIRED = 2;
  /** A background refresh of this entry is running. */
  static final int REFRESHING = 4;

  private static final VarHandle STATE;

  static {
    try {
      STATE = MethodHandles.lookup().findVarHandle(L1Entry.class, "state", int.class);
    } catch (ReflectiveOperationException e) {
      throw new ExceptionInInitializerError(e);
    }
  }

  /** The value; {@code null} for an absent marker. */
  final V value;
  /** Epoch millis of the write that produced the value, shared with the remote tier. */
  final long writtenAtMillis;
  final long refreshAt;
  final long expireAt;
  final long retainUntil;
  volatile int state;

  L1Entry(V value, long writtenAtMillis, long refreshAt, long expireAt, long retainUntil) {
    this.value = value;
    this.writtenAtMillis = writtenAtMillis;
    this.refreshAt = refreshAt;
    this.expireAt = expireAt;
    this.retainUntil = retainUntil;
  }

  /** Called by Caffeine on every read with its current time. */
  void onRead(long now) {
    if (now >= refreshAt) {
      int flags = now >= expireAt ? (REFRESH_DUE | EXPIRED) : REFRESH_DUE;
      if ((state & flags) != flags) {
        STATE.getAndBitwiseOr(this, flags);
      }
    }
  }

  boolean isExpired() {
    return (state & EXPIRED) != 0;
  }

  /** Claims the single background refresh of this entry. */
  boolean tryStartRefresh() {
    int current = state;
    return (current & (REFRESHING | EXPIRED)) == 0
        && STATE.compareAndSet(this, current, current | REFRESHING);
  }

  /** Lets a later read try again after a refresh that did not replace this entry. */
  void endRefresh() {
    STATE.getAndBitwiseAnd(this, ~REFRESHING);
  }
}
