package io.tieredcache.internal;

import com.github.benmanes.caffeine.cache.Ticker;
import io.tieredcache.KeyCodec;
import io.tieredcache.spi.InvalidationBus;
import io.tieredcache.spi.RemoteTierFactory;
import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.Executor;
import java.util.function.Function;

/**
 * The immutable settings of one cache, checked as a whole when created: whoever creates them (the
 * builder does) cannot bypass the rules the builder documents.
 *
 * @param refreshAfterWrite the soft TTL, or {@code null} for none
 * @param keyCodec required with a remote tier or a bus, else may be {@code null}
 * @param remoteTier may be {@code null}: L1 + loader only
 * @param invalidationBus may be {@code null}: no other nodes
 * @param loader the default loader, or {@code null}
 */
public record CacheSettings<K, V>(
    String name,
    long maximumSize,
    Duration expireAfterWrite,
    Duration remoteExpireAfterWrite,
    Duration refreshAfterWrite,
    Duration staleIfError,
    Duration absentTtl,
    double jitter,
    Duration leaseWait,
    Duration staleWhileDisconnected,
    Ticker ticker,
    Executor executor,
    KeyCodec<K> keyCodec,
    RemoteTierFactory<K, V> remoteTier,
    InvalidationBus invalidationBus,
    Function<? super K, ? extends V> loader) {

  public CacheSettings {
    Objects.requireNonNull(name, "name");
    if (name.isBlank()) {
      throw new IllegalArgumentException("cache name must not be blank");
    }
    if (maximumSize < 0) {
      throw new IllegalArgumentException("maximumSize must be >= 0, was " + maximumSize);
    }
    requirePositive(expireAfterWrite, "expireAfterWrite");
    requirePositive(remoteExpireAfterWrite, "remoteExpireAfterWrite");
    if (refreshAfterWrite != null) {
      requirePositive(refreshAfterWrite, "refreshAfterWrite");
      if (refreshAfterWrite.compareTo(expireAfterWrite) >= 0) {
        throw new IllegalStateException("refreshAfterWrite (" + refreshAfterWrite
            + ") must be shorter than expireAfterWrite (" + expireAfterWrite + ")");
      }
    }
    requireNotNegative(staleIfError, "staleIfError");
    requireNotNegative(absentTtl, "absentTtl");
    if (!(jitter >= 0.0 && jitter < 1.0)) {
      throw new IllegalArgumentException("jitter must be in [0, 1), was " + jitter);
    }
    requirePositive(leaseWait, "leaseWait");
    requirePositive(staleWhileDisconnected, "staleWhileDisconnected");
    Objects.requireNonNull(ticker, "ticker");
    Objects.requireNonNull(executor, "executor");
    if ((remoteTier != null || invalidationBus != null) && keyCodec == null) {
      throw new IllegalStateException("cache '" + name + "': a remote tier or an invalidation bus "
          + "needs a keyCodec, e.g. .keyCodec(KeyCodec.longs())");
    }
  }

  static void requirePositive(Duration duration, String what) {
    Objects.requireNonNull(duration, what);
    if (duration.isNegative() || duration.isZero()) {
      throw new IllegalArgumentException(what + " must be positive, was " + duration);
    }
  }

  static void requireNotNegative(Duration duration, String what) {
    Objects.requireNonNull(duration, what);
    if (duration.isNegative()) {
      throw new IllegalArgumentException(what + " must not be negative, was " + duration);
    }
  }
}
