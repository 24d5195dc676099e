package io.tieredcache;

import static org.assertj.core.api.Assertions.assertThat;

import io.tieredcache.trace.AccessRecorder;
import io.tieredcache.trace.AccessRecorder.Tier;
import io.tieredcache.trace.AccessTraceReader;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The recorder names the remote tier when it answered, on every read path. */
class RecordingWithARemoteTierTest {

  @TempDir
  Path dir;

  private final InMemoryRemoteTier<String, String> shared = new InMemoryRemoteTier<>();

  private TieredCache<String, String> node(String id, AccessRecorder recorder) {
    TieredCacheBuilder<String, String> builder = TieredCache.builder("users").keyCodec(KeyCodec.strings())
        .remoteTier(context -> shared);
    if (recorder != null) {
      builder.recordAccesses(recorder);
    }
    return builder.build(key -> key + "@" + id);
  }

  @Test
  void readsAnsweredByTheRemoteTierAreRecordedAsL2() throws Exception {
    Path file = dir.resolve("b.trace");
    try (AccessRecorder recorder = AccessRecorder.toFile(file).node(2).build();
        TieredCache<String, String> a = node("a", null);
        TieredCache<String, String> b = node("b", recorder)) {
      a.get("k");
      a.get("n");
      a.get("p");
      b.get("k");                                           // L2
      b.get("k");                                           // L1
      b.getAsync("n").get();                                // L2
      b.getAll(List.of("p", "q"), keys -> {                 // p: L2, q: loader
        Map<String, String> loaded = new HashMap<>();
        keys.forEach(key -> loaded.put(key, key + "@b"));
        return loaded;
      });
      b.getIfPresent("k");                                  // L1
      b.getIfPresentAsync("n").get();                       // L1 (filled by getAsync)
      a.get("r");
      b.getIfPresentAsync("r").get();                       // L2
      b.getIfPresentAsync("none").get();                    // nothing
    }
    List<Tier> tiers = new ArrayList<>();
    try (AccessTraceReader reader = AccessTraceReader.open(file)) {
      while (reader.next()) {
        tiers.add(reader.tier());
      }
      assertThat(reader.node()).isEqualTo(2);
    }
    assertThat(tiers).containsExactly(Tier.L2, Tier.L1, Tier.L2, Tier.L2, Tier.LOADER, Tier.L1, Tier.L1, Tier.L2,
        Tier.NONE);
  }
}
