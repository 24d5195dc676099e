package io.tieredcache.spring;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.LocalDate;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.springframework.cache.interceptor.SimpleKey;

class SpringCacheKeysTest {

  enum Region { EU, US }

  record OrderKey(long id, String region) {}

  private static String enc(Object key) {
    return SpringCacheKeys.encode("orders", key);
  }

  @Test
  void stringsStayAsTheyAreUnlessTheyLookLikeATag() {
    assertThat(enc("alice")).isEqualTo("alice");
    assertThat(enc("~l42")).isEqualTo("~~l42");
    assertThat(enc("~l42")).isNotEqualTo(enc(42L));
  }

  @Test
  void theSameKeyHasTheSameStringOnEveryNodeAndRestart() {
    assertThat(enc(42L)).isEqualTo("~l42");
    assertThat(enc(42)).isEqualTo("~i42");
    assertThat(enc(Region.EU)).isEqualTo("~eio.tieredcache.spring.SpringCacheKeysTest$Region.EU");
    assertThat(enc(new OrderKey(7, "eu"))).isEqualTo("~rio.tieredcache.spring.SpringCacheKeysTest$OrderKey(~l7,eu)");
    assertThat(enc(new SimpleKey(7L, "eu"))).isEqualTo("~k(~l7,eu)");
    assertThat(enc(SimpleKey.EMPTY)).isEqualTo("~k()");
    assertThat(enc(LocalDate.of(2026, 12, 1))).isEqualTo("~tLocalDate:2026-12-01");
    UUID id = UUID.randomUUID();
    assertThat(enc(id)).isEqualTo("~u" + id);
  }

  @Test
  void equalKeysEncodeEquallyAndUnequalOnesDifferently() {
    assertThat(enc(new SimpleKey(1L, "a"))).isEqualTo(enc(new SimpleKey(1L, "a")));
    assertThat(enc(List.of(1, 2))).isEqualTo(enc(new ArrayList<>(List.of(1, 2))));
    List<Object> different = List.of(
        1, 1L, "1", (short) 1, 1.0, 1.0f, true, "true",
        new SimpleKey("a,b"), new SimpleKey("a", "b"), new SimpleKey("a(", "b"), new SimpleKey("a\\", ",b"),
        new SimpleKey(new SimpleKey("a", "b")), new SimpleKey((Object) null), new SimpleKey("~n"),
        new SimpleKey(new int[] {1, 2}), new SimpleKey((Object) new Integer[] {1, 2}),
        new OrderKey(1, "a"), new SimpleKey(1L, "a"), Region.EU, Region.US, "EU");
    assertThat(different.stream().map(SpringCacheKeysTest::enc).distinct()).hasSize(different.size());
  }

  @Test
  void aKeyWithoutAStableStringIsAClearErrorAtItsFirstUse() {
    assertThatThrownBy(() -> enc(new Object()))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("cache 'orders' cannot use a key of type java.lang.Object")
        .hasMessageContaining("KeyGenerator");
    assertThatThrownBy(() -> enc(new SimpleKey(1L, new StringBuilder("x"))))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("java.lang.StringBuilder");
  }
}
