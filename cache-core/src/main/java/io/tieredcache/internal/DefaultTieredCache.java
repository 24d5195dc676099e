package io.tieredcache.internal;

import com.github.benmanes.caffeine.cache.Cache;
import io.tieredcache.CacheStats;
import io.tieredcache.TieredCache;
import io.tieredcache.spi.InvalidationBus;
import io.tieredcache.spi.TierContext;
import io.tieredcache.trace.AccessRecorder;
import java.lang.System.Logger.Level;
import java.time.Duration;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;

/**
 * The cache behind {@link TieredCache}: checks arguments, keeps the L1 hit inline, and hands
 * everything else to its parts: {@link ReadPath} (misses, refreshes, flights), {@link WritePath}
 * (writes, invalidations, repairs), {@link OtherNodes} (the bus and the tier's own events).
 */
final class DefaultTieredCache<K, V> implements TieredCache<K, V> {

  private static final System.Logger LOG = System.getLogger(TieredCache.class.getName());
  /** How long {@code close()} keeps trying to repair writes that did not reach the remote tier. */
  private static final long CLOSE_REPAIR_NANOS = TimeUnit.SECONDS.toNanos(2);

  private final CacheContext<K, V> ctx;
  /** {@link CacheContext#coarseClock}, here so the hot path reads no other object for it. */
  private final boolean coarseClock;
  private final L1<K, V> l1;
  /** {@link L1#caffeine()}: read directly on the hot path. */
  private final Cache<K, L1Entry<V>> caffeine;
  private final Stats stats;
  private final ReadPath<K, V> reads;
  private final WritePath<K, V> writes;
  private final InvalidationBus.Subscription subscription;
  private final AccessRecorder recorder;

  DefaultTieredCache(CacheSettings<K, V> settings, AccessRecorder recorder) {
    this.ctx = new CacheContext<>(settings);
    this.coarseClock = ctx.coarseClock;
    this.recorder = recorder;
    ctx.recorder = recorder;
    this.l1 = ctx.l1;
    this.caffeine = l1.caffeine();
    this.stats = ctx.stats;
    this.reads = new ReadPath<>(ctx);
    this.writes = new WritePath<>(ctx);
    OtherNodes<K, V> otherNodes = new OtherNodes<>(ctx);
    ctx.repair = new RemoteRepair<>(writes);
    if (coarseClock) {
      CoarseTicker.acquire();
    }
    try {
      if (settings.remoteTier() != null) {
        ctx.remote = Objects.requireNonNull(
            settings.remoteTier().create(new TierContext<>(ctx.name, ctx.keyCodec, otherNodes)),
            "remote tier factory returned null");
      }
      this.subscription = ctx.bus == null ? null : ctx.bus.subscribe(ctx.name, otherNodes);
    } catch (RuntimeException e) {
      closeRemote();
      releaseClock();
      throw e;
    }
  }

  @Override
  public String name() {
    return ctx.name;
  }

  // ------------------------------------------------------------------------------ reads

  @Override
  public V get(K key, Function<? super K, ? extends V> loader) {
    Objects.requireNonNull(key, "key");
    Objects.requireNonNull(loader, "loader");
    L1Entry<V> entry = caffeine == null ? null : caffeine.getIfPresent(key);
    if (entry != null && entry.state == 0 && (coarseClock ? CoarseTicker.now() : ctx.ticker.read()) < entry.freshUntil) {
      stats.l1Hits.increment();
      if (recorder != null) {
        recorder.record(AccessRecorder.Operation.GET, key, entry.value, AccessRecorder.Tier.L1);
      }
      return entry.value;
    }
    return reads.getSlow(key, loader, entry);
  }

  @Override
  public V get(K key) {
    return get(key, defaultLoader());
  }

  @Override
  public V getIfPresent(K key) {
    Objects.requireNonNull(key, "key");
    return reads.getIfPresent(key);
  }

  @Override
  public CompletableFuture<V> getIfPresentAsync(K key) {
    Objects.requireNonNull(key, "key");
    return reads.getIfPresentAsync(key);
  }

  @Override
  public Map<K, V> getAll(
      Iterable<? extends K> keys,
      Function<? super Set<? extends K>, ? extends Map<? extends K, ? extends V>> bulkLoader) {
    Objects.requireNonNull(bulkLoader, "bulkLoader");
    return reads.getAll(ReadPath.requireKeys(keys), bulkLoader);
  }

  @Override
  public CompletableFuture<V> getAsync(K key, Function<? super K, ? extends V> loader) {
    Objects.requireNonNull(key, "key");
    Objects.requireNonNull(loader, "loader");
    return reads.getAsync(key, loader);
  }

  @Override
  public CompletableFuture<V> getAsync(K key) {
    return getAsync(key, defaultLoader());
  }

  @Override
  public CompletableFuture<Map<K, V>> getAllAsync(
      Iterable<? extends K> keys,
      Function<? super Set<? extends K>, ? extends Map<? extends K, ? extends V>> bulkLoader) {
    Objects.requireNonNull(bulkLoader, "bulkLoader");
    return reads.getAllAsync(ReadPath.requireKeys(keys), bulkLoader);
  }

  private Function<? super K, ? extends V> defaultLoader() {
    Function<? super K, ? extends V> loader = ctx.settings.loader();
    if (loader == null) {
      throw new IllegalStateException("cache '" + ctx.name + "' was built without a loader: "
          + "pass one to get(key, loader), or build it with build(loader)");
    }
    return loader;
  }

  // ------------------------------------------------------------------------------ writes

  @Override
  public void put(K key, V value) {
    Objects.requireNonNull(key, "key");
    Objects.requireNonNull(value, "value");
    writes.putAll(Map.of(key, value));
  }

  @Override
  public void putAll(Map<? extends K, ? extends V> entries) {
    writes.putAll(entries);
  }

  @Override
  public void invalidate(K key) {
    Objects.requireNonNull(key, "key");
    writes.invalidate(Set.of(key));
  }

  @Override
  public void invalidateAll(Iterable<? extends K> keys) {
    writes.invalidate(ReadPath.requireKeys(keys));
  }

  @Override
  public void invalidateAll() {
    writes.invalidateAll();
  }

  // ------------------------------------------------------------------------------ the rest

  @Override
  public CacheStats stats() {
    return stats.snapshot(ctx.repair.pending());
  }

  @Override
  public Policy<K, V> policy() {
    return new CachePolicy();
  }

  /**
   * Stops this cache: tries (for at most 2 s) to repair writes that did not reach the remote tier,
   * reports what it could not (logged, and in {@link CacheStats#repairsAbandoned()}), unsubscribes
   * from the bus, empties L1 and closes the remote tier. Later calls throw
   * {@link IllegalStateException}; closing again does nothing.
   */
  @Override
  public void close() {
    if (ctx.isClosed()) {
      return;
    }
    ctx.markClosed();
    long abandoned = ctx.remote == null ? 0 : ctx.repair.closeAndDrain(CLOSE_REPAIR_NANOS);
    if (abandoned > 0) {
      stats.repairsAbandoned.add(abandoned);
      LOG.log(Level.WARNING, "cache ''{0}'' closed with {1} key(s) whose last write may not have reached the "
          + "remote tier and could not be repaired now; other nodes may read an older value for them from "
          + "the remote tier until its TTL ({2})", ctx.name, abandoned, ctx.settings.remoteExpireAfterWrite());
    }
    if (subscription != null) {
      try {
        subscription.close();
      } catch (RuntimeException e) {
        LOG.log(Level.DEBUG, "unsubscribing cache ''{0}'' failed: {1}", ctx.name, e);
      }
    }
    ctx.flights.dropAll();
    closeRemote();
    releaseClock();
  }

  private void releaseClock() {
    if (coarseClock) {
      CoarseTicker.release();
    }
  }

  private void closeRemote() {
    if (ctx.remote != null) {
      try {
        ctx.remote.close();
      } catch (RuntimeException e) {
        LOG.log(Level.DEBUG, "closing the remote tier of cache ''{0}'' failed: {1}", ctx.name, e);
      }
    }
  }

  @Override
  public String toString() {
    return "TieredCache[" + ctx.name + (ctx.remote == null ? "" : ", " + ctx.remote)
        + (ctx.isClosed() ? ", closed" : "") + "]";
  }

  private final class CachePolicy implements Policy<K, V> {
    @Override
    public long l1EstimatedSize() {
      return l1.estimatedSize();
    }

    @Override
    public long l1MaximumSize() {
      return ctx.settings.maximumSize();
    }

    @Override
    public Duration l1ExpireAfterWrite() {
      return ctx.settings.expireAfterWrite();
    }

    @Override
    public Duration remoteExpireAfterWrite() {
      return ctx.settings.remoteExpireAfterWrite();
    }

    @Override
    public Duration absentTtl() {
      return ctx.settings.absentTtl();
    }

    @Override
    public Duration staleWhileDisconnected() {
      return ctx.settings.staleWhileDisconnected();
    }

    @Override
    public <T> Optional<T> remoteTierComponent(Class<T> type) {
      Objects.requireNonNull(type, "type");
      return ctx.remote == null ? Optional.empty() : ctx.remote.component(type);
    }

    @Override
    public V getIfPresentInL1(K key) {
      Objects.requireNonNull(key, "key");
      return reads.peekL1(key);
    }

    @Override
    public void flushL1() {
      ctx.flights.dropAll();
    }
  }
}
