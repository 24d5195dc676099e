package io.tieredcache.micrometer;

import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.FunctionTimer;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tag;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.binder.MeterBinder;
import io.tieredcache.CacheStats;
import io.tieredcache.TieredCache;
import io.tieredcache.spi.RemoteErrorKind;
import java.util.Objects;
import java.util.concurrent.TimeUnit;
import java.util.function.ToDoubleFunction;

/**
 * Publishes a {@link TieredCache}'s counters to Micrometer, with the names of Micrometer's
 * {@code CacheMeterBinder} plus a {@code tier} tag, so dashboards built for Caffeine's metrics
 * keep working and show which tier answered:
 *
 * <ul>
 *   <li>{@code cache.gets{cache, tier=l1|l2, result=hit|miss}}
 *   <li>{@code cache.puts{cache, tier=l1|l2}}
 *   <li>{@code cache.evictions{cache, tier=l1}}, {@code cache.size{cache, tier=l1}}
 *   <li>{@code cache.load.duration{cache, result=success|failure}} (count and total time of
 *       loader calls; the total time is reported on the success timer)
 *   <li>{@code cache.l2.errors{cache, kind}}, one per {@link RemoteErrorKind}
 *   <li>{@code cache.refreshes}, {@code cache.stale.serves}, {@code cache.fenced.fills} (tag {@code cache})
 *   <li>{@code cache.invalidations{cache, source=remote|loss}}: invalidations applied from
 *       other nodes, and whole-L1 flushes because the bus lost messages
 *   <li>{@code cache.bus.outages}, {@code cache.revalidations}: times the bus could not hear
 *       other nodes, and background reloads of the entries it could not vouch for meanwhile
 *   <li>{@code cache.l2.repairs.pending} (gauge), {@code cache.l2.repairs.abandoned}: keys whose
 *       last write may not have reached the remote tier
 * </ul>
 *
 * <p>Every meter of one name carries the same tag keys. Micrometer is an optional dependency of
 * {@code cache-core}: this class is the only one that needs it.
 */
public final class TieredCacheMetrics implements MeterBinder {

  private final TieredCache<?, ?> cache;
  private final Tags tags;

  private TieredCacheMetrics(TieredCache<?, ?> cache, Iterable<Tag> extraTags) {
    this.cache = Objects.requireNonNull(cache, "cache");
    this.tags = Tags.of("cache", cache.name()).and(extraTags);
  }

  /** Binds {@code cache}'s meters to {@code registry} and returns the cache. */
  public static <C extends TieredCache<?, ?>> C monitor(MeterRegistry registry, C cache, String... extraTags) {
    new TieredCacheMetrics(cache, Tags.of(extraTags)).bindTo(registry);
    return cache;
  }

  /** A binder for {@code cache} with optional extra tags (key, value pairs). */
  public static TieredCacheMetrics of(TieredCache<?, ?> cache, String... extraTags) {
    return new TieredCacheMetrics(cache, Tags.of(extraTags));
  }

  @Override
  public void bindTo(MeterRegistry registry) {
    counter(registry, "cache.gets", "the number of lookups by tier and result", CacheStats::l1Hits, "tier", "l1", "result", "hit");
    counter(registry, "cache.gets", "the number of lookups by tier and result", CacheStats::l1Misses, "tier", "l1", "result", "miss");
    counter(registry, "cache.gets", "the number of lookups by tier and result", CacheStats::l2Hits, "tier", "l2", "result", "hit");
    counter(registry, "cache.gets", "the number of lookups by tier and result", CacheStats::l2Misses, "tier", "l2", "result", "miss");
    counter(registry, "cache.puts", "entries stored, by tier", CacheStats::puts, "tier", "l1");
    counter(registry, "cache.puts", "entries stored, by tier", CacheStats::l2Puts, "tier", "l2");
    counter(registry, "cache.evictions", "L1 entries removed for size or expiry", CacheStats::evictions, "tier", "l1");
    Gauge.builder("cache.size", cache, c -> c.policy().l1EstimatedSize())
        .tags(tags).tag("tier", "l1")
        .description("the approximate number of L1 entries")
        .register(registry);
    FunctionTimer.builder("cache.load.duration", cache,
            c -> c.stats().loadSuccesses(), c -> c.stats().totalLoadTimeNanos(), TimeUnit.NANOSECONDS)
        .tags(tags).tag("result", "success")
        .description("loader calls and the time spent in the loader")
        .register(registry);
    FunctionTimer.builder("cache.load.duration", cache, c -> c.stats().loadFailures(), c -> 0.0, TimeUnit.NANOSECONDS)
        .tags(tags).tag("result", "failure")
        .description("loader calls and the time spent in the loader")
        .register(registry);
    for (RemoteErrorKind kind : RemoteErrorKind.values()) {
      String tag = kind.tagValue();
      counter(registry, "cache.l2.errors", "remote-tier failures absorbed, by kind",
          s -> s.remoteErrors().getOrDefault(tag, 0L).doubleValue(), "kind", tag);
    }
    counter(registry, "cache.refreshes", "background refreshes after the soft TTL", CacheStats::refreshes);
    counter(registry, "cache.stale.serves", "stale values served because the loader failed", CacheStats::staleServes);
    counter(registry, "cache.fenced.fills", "loads not installed because a write or invalidation won", CacheStats::fencedFills);
    counter(registry, "cache.invalidations", "invalidations from other nodes, and flushes for possible loss",
        CacheStats::invalidationsReceived, "source", "remote");
    counter(registry, "cache.invalidations", "invalidations from other nodes, and flushes for possible loss",
        CacheStats::lossFlushes, "source", "loss");
    counter(registry, "cache.bus.outages", "times this node could not hear other nodes' invalidations",
        CacheStats::busOutages);
    counter(registry, "cache.revalidations", "background reloads of entries this node could not vouch for",
        CacheStats::revalidations);
    Gauge.builder("cache.l2.repairs.pending", cache, c -> c.stats().repairsPending())
        .tags(tags)
        .description("keys whose last write may not have reached the remote tier, waiting to be repaired")
        .register(registry);
    counter(registry, "cache.l2.repairs.abandoned", "such keys given up when the cache closed",
        CacheStats::repairsAbandoned);
  }

  private void counter(MeterRegistry registry, String name, String description,
      ToDoubleFunction<CacheStats> read, String... extraTags) {
    FunctionCounter.builder(name, cache, c -> read.applyAsDouble(c.stats()))
        .tags(tags).tags(extraTags)
        .description(description)
        .register(registry);
  }
}
