package io.tieredcache.internal;

import com.github.benmanes.caffeine.cache.Ticker;
import io.tieredcache.KeyCodec;
import io.tieredcache.spi.InvalidationBus;
import io.tieredcache.spi.RemoteTierFactory;
import java.time.Duration;
import java.util.concurrent.Executor;
import java.util.function.Function;

/** The immutable settings a {@code TieredCacheBuilder} hands to the cache it builds. */
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
    Ticker ticker,
    Executor executor,
    KeyCodec<K> keyCodec,
    RemoteTierFactory<K, V> remoteTier,
    InvalidationBus invalidationBus,
    Function<? super K, ? extends V> loader) {}
