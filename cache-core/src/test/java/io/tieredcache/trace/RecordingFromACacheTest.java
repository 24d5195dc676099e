package io.tieredcache.trace;

import static org.assertj.core.api.Assertions.assertThat;

import io.tieredcache.TieredCache;
import io.tieredcache.trace.AccessRecorder.Operation;
import io.tieredcache.trace.AccessRecorder.Tier;
import io.tieredcache.trace.AccessRecorderTest.Row;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class RecordingFromACacheTest {

  @TempDir
  Path dir;

  @Test
  void aCacheWithoutARemoteTierRecordsWhatAnsweredEachAccess() throws Exception {
    Path file = dir.resolve("cache.trace");
    try (AccessRecorder recorder = AccessRecorder.toFile(file).valueSize((String v) -> v.length()).build();
        TieredCache<String, String> cache = TieredCache.builder("recorded")
            .recordAccesses(recorder)
            .build(key -> key.equals("missing") ? null : "v-" + key)) {
      cache.get("a");                                     // loader
      cache.get("a");                                     // L1
      cache.getAll(List.of("a", "b"), keys -> {           // a: L1, b: loader
        Map<String, String> loaded = new HashMap<>();
        keys.forEach(key -> loaded.put(key, "v-" + key));
        return loaded;
      });
      cache.getIfPresent("zzz");                          // nothing
      cache.getAsync("c").get();                          // loader
      cache.put("d", "hello");
      cache.get("d");                                     // L1
      cache.invalidate("d");
      cache.invalidateAll();
    }
    List<Row> rows = AccessRecorderTest.readAll(file);
    assertThat(rows).extracting(Row::operation).containsExactly(
        Operation.GET, Operation.GET, Operation.GET_ALL_MEMBER, Operation.GET_ALL_MEMBER, Operation.GET,
        Operation.GET, Operation.PUT, Operation.GET, Operation.INVALIDATE, Operation.INVALIDATE_ALL);
    assertThat(rows).extracting(Row::tier).containsExactly(
        Tier.LOADER, Tier.L1, Tier.L1, Tier.LOADER, Tier.NONE, Tier.LOADER, Tier.NONE, Tier.L1, Tier.NONE,
        Tier.NONE);
    assertThat(rows).extracting(Row::keyHash).startsWith(
        AccessRecorder.hash("a"), AccessRecorder.hash("a"), AccessRecorder.hash("a"), AccessRecorder.hash("b"),
        AccessRecorder.hash("zzz"), AccessRecorder.hash("c"), AccessRecorder.hash("d"));
    assertThat(rows).extracting(Row::size).startsWith(3, 3, 3, 3, 0, 3, 5, 5);
  }

  @Test
  void aCacheWithoutARecorderRecordsNothingAndStillWorks() {
    try (TieredCache<String, String> cache = TieredCache.builder("plain").build(key -> "v")) {
      assertThat(cache.get("x")).isEqualTo("v");
      assertThat(cache.get("x")).isEqualTo("v");
    }
  }
}
