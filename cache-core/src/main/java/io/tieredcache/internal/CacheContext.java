package io.tieredcache.internal;

import com.github.benmanes.caffeine.cache.Ticker;
import io.tieredcache.KeyCodec;
import io.tieredcache.spi.InvalidationBus;
import io.tieredcache.spi.RemoteTier;
import io.tieredcache.spi.RemoteErrorKind;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * Everything the parts of one cache share: its settings, its tiers, its flights and counters.
 * Built once by {@link DefaultTieredCache}; the read path, the write path, the repair list and the
 * bus listener each hold it.
 */
final class CacheContext<K, V> {

  /** Margin on top of a tier's own limit before the core gives up waiting for it. */
  static final long REMOTE_MARGIN_NANOS = TimeUnit.SECONDS.toNanos(1);
  /** How far apart the wall clocks of two nodes may be; remote write times are compared with it. */
  static final long CLOCK_SKEW_MILLIS = 1_000;

  final String name;
  final CacheSettings<K, V> settings;
  /**
   * The clock of every L1 deadline: {@link CoarseTicker} unless the user gave a ticker of their
   * own (tests do), in which case theirs.
   */
  final Ticker ticker;
  /** Whether {@link #ticker} is the {@link CoarseTicker}: the hot path then reads it directly. */
  final boolean coarseClock;
  final Executor executor;
  final KeyCodec<K> keyCodec;
  final Stats stats;
  final L1<K, V> l1;
  final Ttls<V> ttls;
  final Hearing hearing = new Hearing();
  final Flights<K, V> flights;
  final Loaders loaders;
  final long leaseWaitNanos;
  final long staleBoundNanos;
  /** Set once after construction (the tier needs the context's events to be created). */
  RemoteTier<K, V> remote;
  /** Set once after construction. */
  RemoteRepair<K> repair;
  final InvalidationBus bus;
  /** Set once after construction; null unless accesses are recorded. */
  io.tieredcache.trace.AccessRecorder recorder;
  private volatile boolean closed;
  /**
   * Remote values written before this wall-clock time (epoch millis; 0: none) are not trusted: this
   * node may have missed an invalidation since, whose remote write failed and waits for its
   * writer's repair. Only a value written afterwards (a fresh fill or write) is taken.
   */
  private volatile long remoteSuspectBeforeMillis;

  CacheContext(CacheSettings<K, V> settings) {
    this.name = settings.name();
    this.settings = settings;
    this.coarseClock = settings.ticker() == Ticker.systemTicker();
    this.ticker = coarseClock ? CoarseTicker.INSTANCE : settings.ticker();
    this.executor = settings.executor();
    this.keyCodec = settings.keyCodec();
    this.stats = new Stats(name);
    this.l1 = new L1<>(settings, ticker, stats.evictions::increment);
    this.ttls = new Ttls<>(settings, ticker);
    this.flights = new Flights<>(l1, hearing, stats);
    this.loaders = new Loaders(name, stats);
    this.leaseWaitNanos = Durations.saturatedNanos(settings.leaseWait());
    this.staleBoundNanos = Durations.saturatedNanos(settings.staleWhileDisconnected());
    this.bus = settings.invalidationBus();
  }

  /** The time on {@link #ticker}. */
  long now() {
    return coarseClock ? CoarseTicker.now() : ticker.read();
  }

  /** Whether the remote tier may be read and filled for {@code key} now. */
  boolean remoteUsableFor(K key) {
    return remote != null && !hearing.isDeaf() && !repair.covers(key);
  }

  /**
   * Whether a value read from the remote tier may be taken: it was written after the last moment
   * this node may have missed invalidations (allowing for clock skew between nodes).
   */
  boolean trusts(io.tieredcache.spi.RemoteEntry<V> found) {
    long suspectBefore = remoteSuspectBeforeMillis;
    return suspectBefore == 0 || found.writtenAtMillis() >= suspectBefore + CLOCK_SKEW_MILLIS;
  }

  /** From now on, remote values written before {@code wallMillis} are not trusted. */
  synchronized void suspectRemoteBefore(long wallMillis) {
    if (wallMillis > remoteSuspectBeforeMillis) {
      remoteSuspectBeforeMillis = wallMillis;
    }
  }

  /** How long to wait for a remote call over {@code keyCount} keys before giving up on it. */
  long remoteWaitNanos(int keyCount) {
    return Durations.saturatedAdd(Durations.saturatedNanos(remote.maxCallDuration(keyCount)), REMOTE_MARGIN_NANOS);
  }

  /**
   * Waits for a remote call over {@code keyCount} keys, at most its limit plus a margin. Returns
   * {@code null} if it failed, did not answer in time (counted as a timeout: the tier should have
   * answered by itself) or this thread was interrupted (the flag is restored; nothing is counted).
   * A caller's own mistake reported by the tier (a key it cannot encode) is rethrown.
   */
  <T> T awaitRemote(CompletableFuture<T> call, int keyCount) {
    try {
      return call.get(remoteWaitNanos(keyCount), TimeUnit.NANOSECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return null;
    } catch (TimeoutException e) {
      stats.remoteError(RemoteErrorKind.TIMEOUT, e);
      return null;
    } catch (ExecutionException e) {
      if (e.getCause() instanceof IllegalArgumentException || e.getCause() instanceof NullPointerException) {
        throw (RuntimeException) e.getCause();
      }
      return null;
    } catch (CancellationException e) {
      return null;
    }
  }

  boolean isClosed() {
    return closed;
  }

  void markClosed() {
    closed = true;
  }

  /** Throws if the cache was closed. */
  void checkOpen() {
    if (closed) {
      throw new IllegalStateException("cache '" + name + "' is closed");
    }
  }
}
