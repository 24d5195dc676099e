package io.tieredcache;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import org.junit.jupiter.api.Test;

class GetAllTest {

  private final List<Set<? extends Integer>> bulkCalls = new ArrayList<>();

  private final Function<Set<? extends Integer>, Map<Integer, String>> bulkLoader = keys -> {
    synchronized (bulkCalls) {
      bulkCalls.add(Set.copyOf(keys));
    }
    Map<Integer, String> loaded = new HashMap<>();
    for (Integer key : keys) {
      if (key % 10 != 0) { // multiples of ten do not exist
        loaded.put(key, "v" + key);
      }
    }
    return loaded;
  };

  @Test
  void oneBulkLoaderCallForAllMisses() {
    TieredCache<Integer, String> cache = TieredCache.builder("bulk").build();
    cache.put(1, "cached-1");
    cache.put(2, "cached-2");

    Map<Integer, String> result = cache.getAll(List.of(1, 2, 3, 4, 10, 5), bulkLoader);

    assertThat(bulkCalls).containsExactly(Set.of(3, 4, 10, 5));
    assertThat(result).containsExactly(
        Map.entry(1, "cached-1"), Map.entry(2, "cached-2"), Map.entry(3, "v3"), Map.entry(4, "v4"), Map.entry(5, "v5"));
    // Key 10 is cached as absent: asking again loads nothing.
    assertThat(cache.getAll(List.of(1, 3, 10), bulkLoader)).containsOnlyKeys(1, 3);
    assertThat(bulkCalls).hasSize(1);
    assertThat(cache.stats().loadSuccesses()).isEqualTo(1);
  }

  @Test
  void keysAlreadyInFlightAreSharedNotReloaded() throws Exception {
    TieredCache<Integer, String> cache = TieredCache.builder("bulk-shared").build();
    CountDownLatch loading = new CountDownLatch(1);
    CountDownLatch release = new CountDownLatch(1);
    CompletableFuture<String> single = CompletableFuture.supplyAsync(() -> cache.get(3, key -> {
      loading.countDown();
      ReadPathTest.await(release);
      return "single-3";
    }));
    assertThat(loading.await(10, TimeUnit.SECONDS)).isTrue();

    CompletableFuture<Map<Integer, String>> bulk = CompletableFuture.supplyAsync(() -> cache.getAll(List.of(3, 4), bulkLoader));
    // The bulk call loads 4 itself and then waits for 3's flight.
    org.awaitility.Awaitility.await().atMost(10, TimeUnit.SECONDS).until(() -> !bulkCalls.isEmpty());
    release.countDown();

    assertThat(bulk.get(10, TimeUnit.SECONDS)).containsExactly(Map.entry(3, "single-3"), Map.entry(4, "v4"));
    assertThat(single.get(10, TimeUnit.SECONDS)).isEqualTo("single-3");
    assertThat(bulkCalls).containsExactly(Set.of(4));
  }

  @Test
  void nullInputsAndNullResultsAreRejected() {
    TieredCache<Integer, String> cache = TieredCache.builder("bulk-nulls").build();
    assertThatThrownBy(() -> cache.getAll(null, bulkLoader)).hasMessage("keys");
    assertThatThrownBy(() -> cache.getAll(Arrays.asList(1, null), bulkLoader)).hasMessageContaining("null");
    assertThatThrownBy(() -> cache.getAll(List.of(1), keys -> null))
        .isInstanceOf(CacheLoadException.class)
        .cause().isInstanceOf(NullPointerException.class)
        .hasMessageContaining("bulk loader of cache 'bulk-nulls' returned null");
    // Nothing was cached by the failed call.
    assertThat(cache.getAll(List.of(1), bulkLoader)).containsEntry(1, "v1");
  }

  @Test
  void bulkLoaderFailureReachesTheCaller() {
    TieredCache<Integer, String> cache = TieredCache.builder("bulk-fail").build();
    RuntimeException boom = new RuntimeException("db down");
    assertThatThrownBy(() -> cache.getAll(List.of(1, 2), keys -> {
      throw boom;
    })).isInstanceOf(CacheLoadException.class).hasCause(boom);
    assertThat(cache.getAll(List.of(1, 2), bulkLoader)).hasSize(2);
  }

  @Test
  void asyncGetAll() throws Exception {
    TieredCache<Integer, String> cache = TieredCache.builder("bulk-async").build();
    assertThat(cache.getAllAsync(List.of(1, 2), bulkLoader).get(10, TimeUnit.SECONDS))
        .containsExactly(Map.entry(1, "v1"), Map.entry(2, "v2"));
  }
}
