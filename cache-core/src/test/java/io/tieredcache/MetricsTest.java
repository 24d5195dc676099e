package io.tieredcache;

import static org.assertj.core.api.Assertions.assertThat;

import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.tieredcache.micrometer.TieredCacheMetrics;
import java.util.HashSet;
import java.util.Set;
import org.junit.jupiter.api.Test;

class MetricsTest {

  @Test
  void metersFollowCacheMeterBinderNamesWithATierTag() {
    SimpleMeterRegistry registry = new SimpleMeterRegistry();
    TieredCache<String, String> cache = TieredCacheMetrics.monitor(registry,
        TieredCache.builder("users").build(key -> "v"), "app", "test");
    cache.get("a");
    cache.get("a");
    cache.get("b");

    assertThat(registry.get("cache.gets").tags("cache", "users", "tier", "l1", "result", "hit").functionCounter().count())
        .isEqualTo(1.0);
    assertThat(registry.get("cache.gets").tags("tier", "l1", "result", "miss").functionCounter().count()).isEqualTo(2.0);
    assertThat(registry.get("cache.puts").tags("tier", "l1").functionCounter().count()).isEqualTo(2.0);
    assertThat(registry.get("cache.size").tags("tier", "l1").gauge().value()).isEqualTo(2.0);
    assertThat(registry.get("cache.load.duration").tags("result", "success").functionTimer().count()).isEqualTo(2.0);
    assertThat(registry.get("cache.l2.errors").tags("kind", "timeout").functionCounter().count()).isZero();
    assertThat(registry.get("cache.gets").tags("app", "test").meters()).hasSize(4);
  }

  @Test
  void everyMeterOfOneNameCarriesTheSameTagKeys() {
    SimpleMeterRegistry registry = new SimpleMeterRegistry();
    TieredCacheMetrics.monitor(registry, TieredCache.builder("one").build());
    TieredCacheMetrics.monitor(registry, TieredCache.builder("two").build());
    var byName = new java.util.HashMap<String, Set<Set<String>>>();
    for (Meter meter : registry.getMeters()) {
      Set<String> keys = new HashSet<>();
      meter.getId().getTags().forEach(tag -> keys.add(tag.getKey()));
      byName.computeIfAbsent(meter.getId().getName(), name -> new HashSet<>()).add(keys);
    }
    byName.forEach((name, keySets) -> assertThat(keySets).as(name).hasSize(1));
  }
}
