package io.tieredcache.sizer;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import com.github.benmanes.caffeine.cache.Expiry;
import com.github.benmanes.caffeine.cache.Ticker;
import java.time.Duration;

/**
 * The L1s of {@code n} nodes, each a real Caffeine cache (W-TinyLFU) configured as the library
 * configures its L1 ({@code io.tieredcache.internal.L1}), with a ticker that follows the trace's clock so TTLs expire in trace time. Maintenance
 * runs on the replaying thread, so a replay does not depend on other threads.
 */
final class L1Nodes {

  /** The replay's clock, read by every node's cache. */
  private static final class TraceClock implements Ticker {
    long now;

    @Override
    public long read() {
      return now;
    }
  }

  /** Expires each entry after its own TTL (its value), in nanoseconds. */
  private static final class PerEntryTtl implements Expiry<Long, Long> {
    @Override
    public long expireAfterCreate(Long key, Long ttl, long currentTime) {
      return ttl;
    }

    @Override
    public long expireAfterUpdate(Long key, Long ttl, long currentTime, long currentDuration) {
      return ttl;
    }

    @Override
    public long expireAfterRead(Long key, Long ttl, long currentTime, long currentDuration) {
      return currentDuration;
    }
  }

  private final TraceClock clock = new TraceClock();
  private final Cache<Long, Long>[] caches;
  private final long defaultTtlNanos;
  /** The default TTL boxed once, so records without a TTL of their own allocate nothing for it. */
  private final Long defaultTtl;
  private final boolean perEntryTtl;

  /**
   * Builds each node's cache as the library builds its L1: a size bound and a fixed
   * {@code expireAfterWrite} (none without a TTL), so W-TinyLFU runs as it does in service. Only a
   * trace whose records carry TTLs of their own gets per-entry expiry instead.
   *
   * @param entriesPerNode each node's bound; {@code 0}: no L1 (every read misses)
   * @param ttlNanos the L1 TTL when a record has none; {@code 0}: none
   * @param perEntryTtl whether records carry TTLs of their own
   */
  @SuppressWarnings("unchecked")
  L1Nodes(int nodes, long entriesPerNode, long ttlNanos, boolean perEntryTtl) {
    this.defaultTtlNanos = ttlNanos > 0 ? ttlNanos : Long.MAX_VALUE;
    this.defaultTtl = defaultTtlNanos;
    this.perEntryTtl = perEntryTtl;
    this.caches = (Cache<Long, Long>[]) new Cache<?, ?>[nodes];
    if (entriesPerNode > 0) {
      for (int i = 0; i < nodes; i++) {
        Caffeine<Object, Object> builder = Caffeine.newBuilder()
            .maximumSize(entriesPerNode)
            .ticker(clock)
            .executor(Runnable::run);
        if (perEntryTtl) {
          caches[i] = builder.expireAfter(new PerEntryTtl()).build();
        } else if (ttlNanos > 0) {
          caches[i] = builder.expireAfterWrite(Duration.ofNanos(ttlNanos)).build();
        } else {
          caches[i] = builder.build();
        }
      }
    }
  }

  void advanceTo(long timeNanos) {
    clock.now = timeNanos;
  }

  /** A read on {@code node}: whether L1 had it; a miss installs it (from L2 or the loader). */
  boolean read(int node, long key, int ttlSeconds) {
    Cache<Long, Long> cache = caches[node];
    if (cache == null) {
      return false;
    }
    Long boxed = key;
    if (cache.getIfPresent(boxed) != null) {
      return true;
    }
    cache.put(boxed, ttl(ttlSeconds));
    return false;
  }

  /** A write on {@code node}: it keeps the new value; the bus invalidates it on every other node. */
  void write(int node, long key, int ttlSeconds) {
    Long boxed = key;
    for (int i = 0; i < caches.length; i++) {
      if (caches[i] != null) {
        if (i == node) {
          caches[i].put(boxed, ttl(ttlSeconds));
        } else {
          caches[i].invalidate(boxed);
        }
      }
    }
  }

  void invalidate(long key) {
    Long boxed = key;
    for (Cache<Long, Long> cache : caches) {
      if (cache != null) {
        cache.invalidate(boxed);
      }
    }
  }

  void invalidateAll() {
    for (Cache<Long, Long> cache : caches) {
      if (cache != null) {
        cache.invalidateAll();
      }
    }
  }

  private Long ttl(int ttlSeconds) {
    if (!perEntryTtl) {
      return defaultTtl;
    }
    return ttlSeconds > 0 ? Long.valueOf(Math.min(defaultTtlNanos, ttlSeconds * 1_000_000_000L)) : defaultTtl;
  }
}
