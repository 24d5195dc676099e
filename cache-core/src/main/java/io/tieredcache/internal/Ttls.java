package io.tieredcache.internal;

import com.github.benmanes.caffeine.cache.Ticker;
import io.tieredcache.spi.RemoteEntry;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;

/**
 * Turns values into L1 entries and remote entries with their deadlines: hard TTL, soft TTL,
 * stale-if-error retention, absent TTL and jitter.
 *
 * <p>Jitter is drawn once per entry and applied to all its deadlines together (soft and hard
 * alike), so it never turns a refresh-ahead into a blocking miss by shortening the hard TTL below
 * the soft one; it only ever shortens a TTL, never lengthens it.
 */
final class Ttls<V> {

  private final Ticker ticker;
  private final long hardNanos;
  private final long softNanos;
  private final long staleNanos;
  private final long absentNanos;
  private final long remoteMillis;
  private final long absentMillis;
  private final double jitter;

  Ttls(CacheSettings<?, V> settings, Ticker ticker) {
    this.ticker = ticker;
    this.hardNanos = Durations.saturatedNanos(settings.expireAfterWrite());
    this.softNanos = settings.refreshAfterWrite() == null ? 0 : Durations.saturatedNanos(settings.refreshAfterWrite());
    this.staleNanos = Durations.saturatedNanos(settings.staleIfError());
    this.absentNanos = Durations.saturatedNanos(settings.absentTtl());
    this.remoteMillis = Durations.saturatedMillis(settings.remoteExpireAfterWrite());
    this.absentMillis = Durations.saturatedMillis(settings.absentTtl());
    this.jitter = settings.jitter();
  }

  /** Whether absent values (a loader's null) are cached at all. */
  boolean cachesAbsent() {
    return absentNanos > 0;
  }

  /** Whether an entry should be installed in L1 at all (an uncached absent value is not). */
  boolean installable(L1Entry<V> entry) {
    return entry.value != null || absentNanos > 0;
  }

  /** A fresh L1 entry for a value (or {@code null}: absent) produced by a read or load begun at {@code loadedAt}. */
  L1Entry<V> entry(V value, long writtenAtMillis, long loadedAt, long loadNanos) {
    return entry(value, writtenAtMillis, loadedAt, loadNanos, Long.MAX_VALUE);
  }

  /** An L1 entry for what the remote tier holds, keeping the soft expiry the writer chose. */
  L1Entry<V> fromRemote(RemoteEntry<V> found, long loadedAt) {
    long refreshCap = Long.MAX_VALUE;
    if (found.value() != null && found.softExpiresAtMillis() > 0) {
      long untilSoft = Math.max(0, found.softExpiresAtMillis() - System.currentTimeMillis());
      refreshCap = Durations.saturatedAdd(ticker.read(), TimeUnit.MILLISECONDS.toNanos(untilSoft));
    }
    return entry(found.value(), found.writtenAtMillis(), loadedAt, found.loadNanos(), refreshCap);
  }

  private L1Entry<V> entry(V value, long writtenAtMillis, long loadedAt, long loadNanos, long refreshCap) {
    long now = ticker.read();
    double factor = factor();
    long ttl = shorten(value == null ? absentNanos : hardNanos, factor);
    long expireAt = Durations.saturatedAdd(now, ttl);
    long refreshAt = value != null && softNanos > 0
        ? Durations.saturatedAdd(now, shorten(softNanos, factor)) : Long.MAX_VALUE;
    refreshAt = Math.min(refreshAt, refreshCap);
    long retainUntil = value == null ? expireAt : Durations.saturatedAdd(expireAt, staleNanos);
    // Past the hard TTL an entry is flagged on read, so a retained one must be read-checked by then.
    if (retainUntil > expireAt) {
      refreshAt = Math.min(refreshAt, expireAt);
    }
    return new L1Entry<>(value, writtenAtMillis, loadedAt, loadNanos, refreshAt, expireAt, retainUntil);
  }

  /** What to store remotely for a value; an uncached absent value becomes a miss (releases the lease). */
  RemoteEntry<V> toRemote(V value, long writtenAtMillis, long loadNanos) {
    double factor = factor();
    if (value == null) {
      return absentNanos == 0 ? RemoteEntry.miss()
          : RemoteEntry.absent(Math.max(1, shorten(absentMillis, factor)), writtenAtMillis);
    }
    long softAt = softNanos > 0
        ? Durations.saturatedAdd(writtenAtMillis, shorten(TimeUnit.NANOSECONDS.toMillis(softNanos), factor)) : 0;
    return RemoteEntry.value(value, Math.max(1, shorten(remoteMillis, factor)), writtenAtMillis, softAt, loadNanos);
  }

  /** Whether a remote value is past the soft expiry its writer gave it. */
  static boolean isSoftExpired(RemoteEntry<?> found) {
    return found.softExpiresAtMillis() > 0 && System.currentTimeMillis() >= found.softExpiresAtMillis();
  }

  private double factor() {
    return jitter == 0 ? 1.0 : 1.0 - jitter * ThreadLocalRandom.current().nextDouble();
  }

  private static long shorten(long ttl, double factor) {
    if (factor == 1.0 || ttl <= 1 || ttl == Long.MAX_VALUE) {
      return ttl;
    }
    return Math.max(1, (long) (ttl * factor));
  }
}
