package io.tieredcache.internal;

import com.github.benmanes.caffeine.cache.Ticker;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

/**
 * The clock of every deadline in L1 when the user gave no ticker of their own: {@link #now()} is
 * one volatile load instead of a {@code System.nanoTime()} call, so an L1 hit (Caffeine's expiry
 * check and ours) costs no clock read at all. A daemon thread advances it every
 * {@value #RESOLUTION_MILLIS} ms while at least one cache is open, and stops when the last one
 * closes. Deadlines are therefore met to within about a millisecond (more if the machine is so
 * busy that the thread waits for a core), which is far below any TTL worth configuring.
 */
final class CoarseTicker implements Ticker {

  static final CoarseTicker INSTANCE = new CoarseTicker();
  static final long RESOLUTION_MILLIS = 1;

  private static final Object LOCK = new Object();
  private static volatile long now = System.nanoTime();
  private static int users; // guarded by LOCK
  private static Thread thread; // guarded by LOCK

  private CoarseTicker() {}

  /** The time, in {@code System.nanoTime()} units, as of the last tick. */
  static long now() {
    return now;
  }

  @Override
  public long read() {
    return now;
  }

  /** A cache opened: keep the clock running. */
  static void acquire() {
    synchronized (LOCK) {
      now = System.nanoTime();
      if (users++ == 0) {
        Thread ticking = new Thread(CoarseTicker::tick, "tiered-cache-clock");
        ticking.setDaemon(true);
        thread = ticking;
        ticking.start();
      }
    }
  }

  /** A cache closed: the last one stops the clock. */
  static void release() {
    synchronized (LOCK) {
      if (users > 0 && --users == 0) {
        Thread ticking = thread;
        thread = null;
        LockSupport.unpark(ticking);
      }
    }
  }

  private static void tick() {
    Thread self = Thread.currentThread();
    long period = TimeUnit.MILLISECONDS.toNanos(RESOLUTION_MILLIS);
    while (true) {
      synchronized (LOCK) {
        if (thread != self) {
          return;
        }
      }
      now = System.nanoTime();
      LockSupport.parkNanos(period);
    }
  }
}
