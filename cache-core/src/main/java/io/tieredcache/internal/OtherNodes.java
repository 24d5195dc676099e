package io.tieredcache.internal;

import io.tieredcache.spi.InvalidationListener;
import io.tieredcache.spi.RemoteErrorKind;
import io.tieredcache.spi.TierEvents;
import java.lang.System.Logger.Level;
import java.util.Collection;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;

/**
 * What other nodes tell this one, through the bus or through the remote tier: invalidations
 * (applied with the same fencing as local ones, without remote calls) and doubts about what this
 * node may have missed.
 *
 * <ul>
 *   <li>Lost messages (a gap, a trimmed stream, an unreadable message) while the bus hears again:
 *       drop the whole L1 now and re-read the remote tier's epoch.
 *   <li>A deaf bus (disconnected, silent): keep serving L1, but every entry becomes unverified
 *       since the last moment the bus was sure, so it is served only within
 *       {@code staleWhileDisconnected} and reloaded in the background (one load per key); the
 *       remote tier is not read meanwhile. Hearing again with nothing missed (a stream that
 *       replayed everything) verifies those entries again, after a grace that lets other nodes
 *       announce the repairs of writes that failed meanwhile; otherwise they stay unverified until
 *       reloaded.
 *   <li>Whenever invalidations may have been lost, remote values written before that moment are
 *       no longer taken ({@link CacheContext#trusts}): a lost invalidation's remote write may have
 *       failed too and still wait for its writer's repair. Such a key is loaded and filled afresh,
 *       once per key across the cluster thanks to the fill lease.
 * </ul>
 */
final class OtherNodes<K, V> implements InvalidationListener, TierEvents {

  private static final System.Logger LOG = System.getLogger(io.tieredcache.TieredCache.class.getName());
  /** How far back a lost message may have been published (a few heartbeat timeouts). */
  static final long LOSS_LOOKBACK_MILLIS = 5_000;
  /** Time for other nodes' repairs of writes that failed during an outage to be announced. */
  static final long HEARING_GRACE_NANOS = TimeUnit.MILLISECONDS.toNanos(RemoteRepair.RETRY_MILLIS + 1_000);

  private final CacheContext<K, V> ctx;

  OtherNodes(CacheContext<K, V> ctx) {
    this.ctx = ctx;
  }

  @Override
  public void onKeys(Collection<String> encodedKeys) {
    for (String encoded : encodedKeys) {
      K key;
      try {
        key = ctx.keyCodec.decode(encoded);
      } catch (RuntimeException undecodable) {
        LOG.log(Level.WARNING, "cache ''{0}'': undecodable key in an invalidation; dropping L1 to stay safe: {1}",
            ctx.name, undecodable);
        onMessagesLost("undecodable-key");
        return;
      }
      ctx.flights.drop(key);
      ctx.stats.invalidationsReceived.increment();
    }
  }

  @Override
  public void onAll(long epoch) {
    if (ctx.remote != null) {
      ctx.remote.advanceEpoch(epoch);
    }
    ctx.flights.dropAll();
    ctx.stats.invalidationsReceived.increment();
  }

  @Override
  public void onMessagesLost(String reason) {
    // The lost message may be an invalidation whose remote write also failed: until its writer
    // repairs it, the remote tier may hold the older value. Do not take such values from it.
    dropForLoss(System.currentTimeMillis() - LOSS_LOOKBACK_MILLIS);
    resync();
    LOG.log(Level.DEBUG, "cache ''{0}'': the bus may have lost messages ({1}); L1 dropped", ctx.name, reason);
  }

  @Override
  public void onDeaf(String reason, long sinceNanos) {
    long since = ctx.ticker.read() - Math.max(0, System.nanoTime() - sinceNanos);
    if (ctx.hearing.becomeDeaf(since)) {
      ctx.l1.markUnverified(since);
      ctx.stats.busOutages.increment();
      resync();
      LOG.log(Level.INFO, "cache ''{0}'': cannot hear other nodes ({1}); serving L1 within {2} and reloading "
          + "in the background", ctx.name, reason, ctx.settings.staleWhileDisconnected());
    }
  }

  @Override
  public void onHearing(boolean missedNothing) {
    long start = ctx.hearing.becomeHearing();
    if (start == Long.MIN_VALUE) {
      return;
    }
    if (missedNothing) {
      // Everything published meanwhile was delivered. But a node whose write failed while Redis
      // was away could not publish either: its repair announces the write once it reaches Redis
      // again. Keep the entries unverified until such repairs had time to arrive.
      Timers.schedule(() -> Timers.rescue(() -> {
        if (!ctx.hearing.isDeaf()) {
          ctx.l1.clearUnverified(start);
        }
      }), HEARING_GRACE_NANOS);
    } else {
      // Invalidations sent meanwhile may be lost, and the remote tier is reachable again: every
      // entry this node kept through the outage may be stale, so none is served any longer (a
      // short blip must not stretch the bound to staleWhileDisconnected).
      long outageMillis = TimeUnit.NANOSECONDS.toMillis(Math.max(0, ctx.ticker.read() - start));
      dropForLoss(System.currentTimeMillis() - outageMillis);
    }
    resync();
    LOG.log(Level.INFO, "cache ''{0}'': hears other nodes again{1}", ctx.name,
        missedNothing ? " and missed nothing" : "; entries from the outage are reloaded as they are read");
  }

  /**
   * Messages may have been lost: drop L1, and take no remote value written before
   * {@code suspectBeforeMillis} (its invalidation may be among the lost, its repair still pending).
   */
  private void dropForLoss(long suspectBeforeMillis) {
    ctx.suspectRemoteBefore(suspectBeforeMillis);
    ctx.flights.dropAll();
    ctx.stats.lossFlushes.increment();
  }

  // ------------------------------------------------------------------------------ tier events

  @Override
  public void remoteError(RemoteErrorKind kind, Throwable cause) {
    ctx.stats.remoteError(kind, cause);
  }

  @Override
  public void epochMoved() {
    ctx.flights.dropAll();
    ctx.stats.invalidationsReceived.increment();
  }

  /** Asks the remote tier to re-read its epoch; if it moved, another node invalidated everything. */
  private void resync() {
    if (ctx.remote == null) {
      return;
    }
    ctx.remote.resync().thenAccept(moved -> {
      if (Boolean.TRUE.equals(moved)) {
        try {
          ctx.executor.execute(this::epochMoved);
        } catch (RejectedExecutionException e) {
          epochMoved();
        }
      }
    });
  }
}
