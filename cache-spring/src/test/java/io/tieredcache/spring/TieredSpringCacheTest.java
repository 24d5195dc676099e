package io.tieredcache.spring;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.springframework.cache.Cache;
import org.springframework.cache.Cache.ValueWrapper;
import org.springframework.cache.interceptor.SimpleKey;

/** Spring's {@link Cache} contract, on caches with L1 and the loader only. */
class TieredSpringCacheTest {

  private final TieredCacheManager manager = new TieredCacheManager();

  private Cache cache(String name) {
    manager.afterPropertiesSet();
    return manager.getCache(name);
  }

  @AfterEach
  void close() {
    manager.destroy();
  }

  @Test
  void getPutAndNulls() {
    Cache cache = cache("users");
    assertThat(cache.get("k")).isNull();
    cache.put("k", "v");
    assertThat(cache.get("k").get()).isEqualTo("v");
    assertThat(cache.get("k", String.class)).isEqualTo("v");
    cache.put("n", null);
    ValueWrapper cachedNull = cache.get("n");
    assertThat(cachedNull).isNotNull();
    assertThat(cachedNull.get()).isNull();
    assertThat(cache.get("n", String.class)).isNull();
  }

  @Test
  void getWithTheWrongClassIsAnIllegalStateException() {
    Cache cache = cache("users");
    cache.put(1L, "v");
    assertThatThrownBy(() -> cache.get(1L, Integer.class)).isInstanceOf(IllegalStateException.class);
  }

  @Test
  void getWithALoaderLoadsOnceAndCachesNull() {
    Cache cache = cache("users");
    AtomicInteger calls = new AtomicInteger();
    assertThat(cache.get(new SimpleKey(1L, "a"), () -> "v" + calls.incrementAndGet())).isEqualTo("v1");
    assertThat(cache.get(new SimpleKey(1L, "a"), () -> "v" + calls.incrementAndGet())).isEqualTo("v1");
    String none = cache.get("none", () -> {
      calls.incrementAndGet();
      return null;
    });
    assertThat(none).isNull();
    assertThat(cache.<String>get("none", () -> "v" + calls.incrementAndGet())).isNull();
    assertThat(calls).hasValue(2);
  }

  @Test
  void aFailingLoaderIsAValueRetrievalExceptionWithItsCause() {
    Cache cache = cache("users");
    IOException cause = new IOException("db down");
    assertThatThrownBy(() -> cache.get("k", () -> {
      throw cause;
    })).isInstanceOf(Cache.ValueRetrievalException.class).hasCause(cause);
    IllegalStateException runtime = new IllegalStateException("bug");
    assertThatThrownBy(() -> cache.get("k", () -> {
      throw runtime;
    })).isInstanceOf(Cache.ValueRetrievalException.class).hasCause(runtime);
    assertThat(cache.get("k", () -> "recovered")).isEqualTo("recovered");
  }

  @Test
  void withoutNullValuesANullIsRefused() {
    manager.setAllowNullValues(false);
    Cache cache = cache("users");
    assertThatThrownBy(() -> cache.put("k", null)).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> cache.get("k", () -> null)).isInstanceOf(Cache.ValueRetrievalException.class);
  }

  @Test
  void retrieveNeverBlocksAndWrapsValuesWhenNullsAreAllowed() throws Exception {
    Cache cache = cache("users");
    assertThat(cache.retrieve("k").get(5, TimeUnit.SECONDS)).isNull();
    cache.put("k", "v");
    assertThat(((ValueWrapper) cache.retrieve("k").get(5, TimeUnit.SECONDS)).get()).isEqualTo("v");
    cache.put("n", null);
    assertThat(((ValueWrapper) cache.retrieve("n").get(5, TimeUnit.SECONDS)).get()).isNull();
  }

  @Test
  void retrieveWithALoaderLoadsOnceForConcurrentCallers() throws Exception {
    Cache cache = cache("users");
    AtomicInteger calls = new AtomicInteger();
    CompletableFuture<String> slow = new CompletableFuture<>();
    CompletableFuture<String> first = cache.retrieve("k", () -> {
      calls.incrementAndGet();
      return slow;
    });
    CompletableFuture<String> second = cache.retrieve("k", () -> {
      calls.incrementAndGet();
      return CompletableFuture.completedFuture("other");
    });
    assertThat(first).isNotDone();
    slow.complete("v");
    assertThat(first.get(5, TimeUnit.SECONDS)).isEqualTo("v");
    assertThat(second.get(5, TimeUnit.SECONDS)).isEqualTo("v");
    assertThat(calls).hasValue(1);
    assertThat(cache.retrieve("k", () -> CompletableFuture.completedFuture("x")).get(5, TimeUnit.SECONDS)).isEqualTo("v");
  }

  @Test
  void retrieveWithAFailingLoaderFailsWithItsException() {
    Cache cache = cache("users");
    IllegalStateException cause = new IllegalStateException("down");
    CompletableFuture<String> failed = cache.retrieve("k", () -> CompletableFuture.failedFuture(cause));
    assertThatThrownBy(() -> failed.get(5, TimeUnit.SECONDS)).isInstanceOf(ExecutionException.class).hasCause(cause);
  }

  @Test
  void putIfAbsentStoresOnlyTheFirst() {
    Cache cache = cache("users");
    assertThat(cache.putIfAbsent("k", "first")).isNull();
    assertThat(cache.putIfAbsent("k", "second").get()).isEqualTo("first");
    assertThat(cache.get("k").get()).isEqualTo("first");
    assertThat(cache.putIfAbsent("n", null)).isNull();
    assertThat(cache.putIfAbsent("n", "x").get()).isNull();
  }

  @Test
  void evictClearAndInvalidate() {
    Cache cache = cache("users");
    cache.put("a", "1");
    cache.put("b", "2");
    cache.evict("a");
    assertThat(cache.get("a")).isNull();
    assertThat(cache.evictIfPresent("b")).isTrue();
    assertThat(cache.evictIfPresent("b")).isFalse();
    cache.put("c", "3");
    cache.clear();
    assertThat(cache.get("c")).isNull();
    cache.put("d", "4");
    assertThat(cache.invalidate()).isTrue();
    assertThat(cache.get("d")).isNull();
  }

  @Test
  void aKeyThatCannotBeEncodedFailsItsFirstCall() {
    Cache cache = cache("users");
    assertThatThrownBy(() -> cache.get(new Object())).isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("cannot use a key of type java.lang.Object");
  }

  @Test
  void declaredCachesGetTheirOwnSpecAndOthersAreCreatedOnFirstUse() {
    manager.setDefaultSpec(TieredCacheSpec.defaults().withMaximumSize(100));
    manager.setCacheSpec("users", TieredCacheSpec.defaults().withMaximumSize(7).withExpireAfterWrite(Duration.ofSeconds(9)));
    manager.setCacheNames(List.of("orders"));
    List<TieredSpringCache> seen = new java.util.concurrent.CopyOnWriteArrayList<>();
    manager.addCacheListener(seen::add);
    manager.afterPropertiesSet();
    assertThat(manager.getCacheNames()).containsExactly("users", "orders");
    var users = ((TieredSpringCache) manager.getCache("users")).getNativeCache().policy();
    assertThat(users.l1MaximumSize()).isEqualTo(7);
    assertThat(users.l1ExpireAfterWrite()).isEqualTo(Duration.ofSeconds(9));
    Cache later = manager.getCache("later");
    assertThat(((TieredSpringCache) later).getNativeCache().policy().l1MaximumSize()).isEqualTo(100);
    assertThat(manager.getCache("later")).isSameAs(later);
    assertThat(manager.getCacheNames()).contains("later");
    assertThat(seen).extracting(Cache::getName).containsExactly("users", "orders", "later");
  }

  @Test
  void withoutDynamicCreationAnUndeclaredNameHasNoCache() {
    manager.setDynamic(false);
    manager.setCacheNames(List.of("users"));
    manager.afterPropertiesSet();
    assertThat(manager.getCache("users")).isNotNull();
    assertThat(manager.getCache("other")).isNull();
  }

  @Test
  void getAllLoadsWhatIsMissingInOneCallAndSharesEntriesWithSingleKeys() {
    TieredSpringCache cache = (TieredSpringCache) cache("users");
    cache.put(1L, "one");
    List<java.util.Set<Long>> calls = new java.util.ArrayList<>();
    java.util.Map<Long, String> found = cache.getAll(List.of(1L, 2L, 3L, 4L), missing -> {
      calls.add(missing);
      java.util.Map<Long, String> loaded = new java.util.HashMap<>();
      loaded.put(2L, "two");
      loaded.put(3L, null);
      return loaded;
    });
    assertThat(calls).containsExactly(java.util.Set.of(2L, 3L, 4L));
    assertThat(found.keySet()).containsExactly(1L, 2L, 3L);
    assertThat(found).containsEntry(1L, "one").containsEntry(2L, "two").containsEntry(3L, null);
    assertThat(cache.get(2L, () -> "not loaded")).isEqualTo("two");
    assertThat(cache.get(3L).get()).isNull();
  }

  @Test
  void transactionAwarePutsAndEvictionsWaitForTheCommit() {
    manager.setTransactionAware(true);
    Cache cache = cache("users");
    cache.put("k", "before");
    org.springframework.transaction.support.TransactionSynchronizationManager.initSynchronization();
    try {
      cache.put("k", "in the transaction");
      cache.evict("other");
      assertThat(cache.get("k").get()).isEqualTo("before");
      for (var synchronization : org.springframework.transaction.support.TransactionSynchronizationManager.getSynchronizations()) {
        synchronization.afterCommit();
      }
    } finally {
      org.springframework.transaction.support.TransactionSynchronizationManager.clearSynchronization();
    }
    assertThat(cache.get("k").get()).isEqualTo("in the transaction");
  }

  @Test
  void resetCachesEmptiesEveryCache() {
    Cache cache = cache("users");
    cache.put("k", "v");
    manager.resetCaches();
    assertThat(cache.get("k")).isNull();
  }
}
