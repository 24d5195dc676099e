package io.tieredcache.examples.quickstart;

import static org.assertj.core.api.Assertions.assertThat;

import io.tieredcache.TieredCache;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/** Runs the README's usage example, and checks the README still shows exactly these lines. */
class ReadmeExampleTest {

  record User(long id, String name) {}

  /** Stands in for a database. */
  static final class UserRepository {
    final AtomicInteger queries = new AtomicInteger();

    User find(long id) {
      queries.incrementAndGet();
      return id < 0 ? null : new User(id, "user-" + id);
    }

    Map<Long, User> findAll(java.util.Set<? extends Long> ids) {
      queries.incrementAndGet();
      Map<Long, User> found = new java.util.HashMap<>();
      ids.forEach(id -> found.put(id, new User(id, "user-" + id)));
      return found;
    }
  }

  @Test
  void theReadmeExampleRuns() throws IOException {
    UserRepository userRepository = new UserRepository();
    // README-EXAMPLE-START
    TieredCache<Long, User> users = TieredCache.builder("users")
        .maximumSize(10_000)                        // L1 entries
        .expireAfterWrite(Duration.ofMinutes(5))    // hard TTL: the staleness bound
        .refreshAfterWrite(Duration.ofMinutes(1))   // soft TTL: refresh in the background
        .build(id -> userRepository.find(id));      // the loader: null means "no such user"

    User alice = users.get(42L);                    // miss: one query, then cached
    User again = users.get(42L);                    // L1 hit: no query
    Map<Long, User> some = users.getAll(List.of(1L, 2L, 42L),
        ids -> userRepository.findAll(ids));        // one query for 1 and 2 together
    users.put(42L, new User(42L, "alice"));         // write-through: every tier, every node
    users.invalidate(42L);                          // gone from every tier and every node
    System.out.println(users.stats());              // hits, misses, loads per tier
    // README-EXAMPLE-END

    assertThat(alice).isSameAs(again);
    assertThat(some).containsOnlyKeys(1L, 2L, 42L);
    assertThat(userRepository.queries).hasValue(2);
    assertThat(users.getIfPresent(42L)).isNull();

    String readme = Files.readString(readmePath());
    assertThat(readme).as("README.md shows the example this test runs").contains(exampleLines());
  }

  private static Path readmePath() {
    Path dir = Path.of("").toAbsolutePath();
    while (dir != null && !Files.exists(dir.resolve("README.md"))) {
      dir = dir.getParent();
    }
    if (dir == null) {
      throw new IllegalStateException("README.md not found above " + Path.of("").toAbsolutePath());
    }
    return dir.resolve("README.md");
  }

  /** The lines between the markers in this file, with the test's indentation removed. */
  private static String exampleLines() throws IOException {
    Path self = Path.of("src/test/java/io/tieredcache/examples/quickstart/ReadmeExampleTest.java");
    List<String> lines = Files.readAllLines(self);
    int start = -1;
    int end = -1;
    for (int i = 0; i < lines.size(); i++) {
      if (lines.get(i).trim().equals("// README-EXAMPLE-START")) {
        start = i + 1;
      } else if (lines.get(i).trim().equals("// README-EXAMPLE-END")) {
        end = i;
      }
    }
    StringBuilder example = new StringBuilder();
    for (String line : lines.subList(start, end)) {
      example.append(line.length() >= 4 ? line.substring(4) : line.strip()).append('\n');
    }
    return example.toString();
  }
}
