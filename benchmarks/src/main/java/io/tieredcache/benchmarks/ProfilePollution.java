package io.tieredcache.benchmarks;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import com.github.benmanes.caffeine.cache.Expiry;
import com.github.benmanes.caffeine.cache.LoadingCache;
import io.tieredcache.TieredCache;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * Makes the JVM look like a service's: before a measurement, several cache types and several
 * {@link TieredCache} instances of different key and value types are read through the same call
 * sites (ours, Caffeine's and the benchmark's), so the JIT sees polluted, megamorphic profiles
 * instead of one monomorphic cache. Caffeine's own benchmarks warm several cache types in one JVM
 * for the same reason. Every loop is bounded.
 */
final class ProfilePollution {

  static final int READS_PER_CACHE = 200_000;

  private ProfilePollution() {}

  /** Reads a set of differently configured caches; returns a checksum so the reads are not dead code. */
  static long pollute() {
    long sum = 0;
    Duration ttl = Duration.ofHours(1);
    // Every benchmark cache type, with three key/value shapes each.
    for (CacheType type : CacheType.values()) {
      sum += readAll(type.<Integer, Integer>create(4_096, ttl), i -> i, i -> i);
      sum += readAll(type.<String, Long>create(4_096, ttl), i -> "k" + i, i -> (long) i);
      sum += readAll(type.<Long, String>create(4_096, ttl), i -> (long) i, i -> "v" + i);
    }
    // Raw Caffeine caches configured as other parts of a service configure theirs.
    List<Cache<Object, Object>> others = new ArrayList<>();
    others.add(Caffeine.newBuilder().maximumSize(4_096).expireAfterAccess(ttl).build());
    others.add(Caffeine.newBuilder().maximumSize(4_096).recordStats().build());
    others.add(Caffeine.newBuilder().weakValues().build());
    others.add(Caffeine.newBuilder().maximumWeight(1 << 20).weigher((k, v) -> 1).build());
    others.add(Caffeine.newBuilder().expireAfter(Expiry.accessing((Object k, Object v) -> ttl)).build());
    LoadingCache<Object, Object> loading = Caffeine.newBuilder().maximumSize(4_096).refreshAfterWrite(ttl)
        .build(key -> key);
    others.add(loading);
    for (Cache<Object, Object> cache : others) {
      for (int i = 0; i < 2_048; i++) {
        cache.put(i, "v" + i);
        cache.put("k" + i, (long) i);
      }
      for (int i = 0; i < READS_PER_CACHE; i++) {
        Object found = (i & 1) == 0 ? cache.getIfPresent(i & 2_047) : cache.getIfPresent("k" + (i & 2_047));
        sum += found == null ? 0 : 1;
      }
    }
    // Tiered caches with other options, read directly through TieredCache.get.
    List<TieredCache<Object, Object>> tiered = List.of(
        TieredCache.builder("pollute-a").maximumSize(4_096).build(key -> key),
        TieredCache.builder("pollute-b").maximumSize(4_096).refreshAfterWrite(Duration.ofMinutes(2)).build(key -> "v"),
        TieredCache.builder("pollute-c").maximumSize(4_096).absentTtl(Duration.ZERO).build(key -> List.of(key)));
    for (TieredCache<Object, Object> cache : tiered) {
      for (int i = 0; i < READS_PER_CACHE; i++) {
        Object found = (i & 1) == 0 ? cache.get(i & 2_047) : cache.get("k" + (i & 2_047));
        sum += found == null ? 0 : 1;
      }
      cache.close();
    }
    return sum;
  }

  private static <K, V> long readAll(BasicCache<K, V> cache, java.util.function.IntFunction<K> key,
      java.util.function.IntFunction<V> value) {
    List<K> keys = new ArrayList<>();
    for (int i = 0; i < 2_048; i++) {
      K k = key.apply(i);
      keys.add(k);
      cache.put(k, value.apply(i));
    }
    long sum = 0;
    for (int i = 0; i < READS_PER_CACHE; i++) {
      sum += cache.get(keys.get(i & 2_047)) == null ? 0 : 1;
    }
    cache.close();
    return sum;
  }
}
