package io.tieredcache.spring.boot;

import io.micrometer.core.instrument.Tag;
import io.micrometer.core.instrument.binder.MeterBinder;
import io.tieredcache.micrometer.TieredCacheMetrics;
import io.tieredcache.spring.TieredSpringCache;
import java.util.ArrayList;
import java.util.List;
import org.springframework.boot.cache.metrics.CacheMeterBinderProvider;

/**
 * Lets Boot's cache metrics bind {@link TieredSpringCache}s: {@code cache.gets} with {@code tier}
 * and {@code result} tags and the other meters of {@link TieredCacheMetrics}, tagged as Boot tags
 * every cache's meters.
 */
public final class TieredCacheMeterBinderProvider implements CacheMeterBinderProvider<TieredSpringCache> {

  /** Made by the auto-configuration. */
  public TieredCacheMeterBinderProvider() {}

  @Override
  public MeterBinder getMeterBinder(TieredSpringCache cache, Iterable<Tag> tags) {
    List<String> keyValues = new ArrayList<>();
    for (Tag tag : tags) {
      if (!tag.getKey().equals("cache")) {
        keyValues.add(tag.getKey());
        keyValues.add(tag.getValue());
      }
    }
    return TieredCacheMetrics.of(cache.getNativeCache(), keyValues.toArray(String[]::new));
  }
}
