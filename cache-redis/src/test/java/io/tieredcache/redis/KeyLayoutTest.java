package io.tieredcache.redis;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

class KeyLayoutTest {

  /** What Redis Cluster hashes: the first {...} with something inside, else the whole key. */
  static String hashedPart(byte[] key) {
    String text = new String(key, UTF_8);
    int open = text.indexOf('{');
    if (open >= 0) {
      int close = text.indexOf('}', open + 1);
      if (close > open + 1) {
        return text.substring(open + 1, close);
      }
    }
    return text;
  }

  @Test
  void valueAndLeaseShareTheHashTagWhateverTheKeyHolds() {
    var layout = new KeyLayout("tc", "users");
    for (String key : List.of("", "plain", "with space", "{", "}", "{}", "}{", "{x}", "a{b}c", "ключ✓",
        "😀", "a".repeat(10_000), "{".repeat(600))) {
      KeyLayout.Keys keys = layout.keys(key, 3);
      assertThat(hashedPart(keys.value())).as("tag of %s", key).hasSize(8).matches("[0-9a-f]{8}");
      assertThat(hashedPart(keys.lease())).isEqualTo(hashedPart(keys.value()));
      assertThat(keys.value()).isNotEqualTo(keys.lease());
    }
  }

  @Test
  void layoutIsReadableAndStable() {
    var keys = new KeyLayout("tc", "users").keys("42", 7);
    // SHA-256("42") = 73475cb4...
    assertThat(new String(keys.value(), UTF_8)).isEqualTo("tc:users:{73475cb4}:7:v:42");
    assertThat(new String(keys.lease(), UTF_8)).isEqualTo("tc:users:{73475cb4}:7:l:42");
  }

  @Test
  void keysAreSpelledAsTheLayoutDocumentsForEveryEpochAndKeyLength() throws Exception {
    var layout = new KeyLayout("tc", "users");
    var sha = java.security.MessageDigest.getInstance("SHA-256");
    for (String key : List.of("", "42", "ключ✓", "k".repeat(KeyLayout.MAX_RAW_KEY_BYTES),
        "k".repeat(KeyLayout.MAX_RAW_KEY_BYTES + 1))) {
      String hex = java.util.HexFormat.of().formatHex(sha.digest(key.getBytes(UTF_8)));
      boolean hashed = key.getBytes(UTF_8).length > KeyLayout.MAX_RAW_KEY_BYTES;
      for (long epoch : new long[] {0, 1, 9, 10, 99, 100, 12_345, 999_999_999_999L, Long.MAX_VALUE, -1, Long.MIN_VALUE}) {
        String common = "tc:users:{" + hex.substring(0, 8) + "}:" + epoch;
        String keyPart = hashed ? hex : key;
        KeyLayout.Keys keys = layout.keys(key, epoch);
        assertThat(new String(keys.value(), UTF_8)).isEqualTo(common + (hashed ? ":vh:" : ":v:") + keyPart);
        assertThat(new String(keys.lease(), UTF_8)).isEqualTo(common + (hashed ? ":lh:" : ":l:") + keyPart);
        assertThat(layout.valueKey(key, epoch)).isEqualTo(keys.value());
        assertThat(layout.leaseKey(key, epoch)).isEqualTo(keys.lease());
      }
    }
  }

  @Test
  void longKeysAreHashedAndCannotCollideWithShortOnes() {
    var layout = new KeyLayout("tc", "c");
    String longKey = "k".repeat(KeyLayout.MAX_RAW_KEY_BYTES + 1);
    String value = new String(layout.keys(longKey, 0).value(), UTF_8);
    assertThat(value).contains(":vh:").hasSizeLessThan(100);
    String hex = value.substring(value.lastIndexOf(':') + 1);
    // A short key spelling the same hex lands under ":v:", not ":vh:".
    assertThat(new String(layout.keys(hex, 0).value(), UTF_8)).contains(":v:" + hex).isNotEqualTo(value);
    assertThat(new String(layout.keys("k".repeat(KeyLayout.MAX_RAW_KEY_BYTES), 0).value(), UTF_8)).contains(":v:");
  }

  @Test
  void cacheNamesAreEscapedSoOneIsNeverAPrefixPatternOfAnother() {
    assertThat(KeyLayout.escapeCacheName("users")).isEqualTo("users");
    assertThat(KeyLayout.escapeCacheName("a:b")).isEqualTo("a%3Ab");
    assertThat(KeyLayout.escapeCacheName("a*b?[c]{d} é%")).isEqualTo("a%2Ab%3F%5Bc%5D%7Bd%7D%20%C3%A9%25");
    String pattern = new String(new KeyLayout("tc", "a").scanPattern(), UTF_8);
    assertThat(pattern).isEqualTo("tc:a:*");
    assertThat(new String(new KeyLayout("tc", "a:b").keys("k", 0).value(), UTF_8)).doesNotStartWith("tc:a:");
    Set<String> segments = new HashSet<>();
    for (String name : List.of("a", "a:b", "a%3Ab", "A", "a b", "a_b")) {
      segments.add(KeyLayout.escapeCacheName(name));
    }
    assertThat(segments).hasSize(6);
  }

  @Test
  void prefixAndNameAreValidated() {
    assertThat(KeyLayout.validatePrefix("my-app.v2_x")).isEqualTo("my-app.v2_x");
    for (String bad : List.of("", "a:b", "a{b", "a*", "a b", "x".repeat(65), "é")) {
      assertThatThrownBy(() -> KeyLayout.validatePrefix(bad)).isInstanceOf(IllegalArgumentException.class);
    }
    assertThatThrownBy(() -> KeyLayout.escapeCacheName("")).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> KeyLayout.escapeCacheName(":".repeat(100)))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("too long");
  }
}
