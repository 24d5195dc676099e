package io.tieredcache.internal;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import java.util.concurrent.TimeUnit;

/**
 * Runs Caffeine's read path on a private cache once per JVM, before the first L1 is used, so that
 * the JIT's profile of it holds hits as well as misses.
 *
 * <p>Why: HotSpot compiles a method with the profile gathered by its first few thousand calls and
 * keeps that profile for every later compilation that inlines it. A cache starts empty, so when
 * the first Caffeine cache of a JVM is an L1 filling up, Caffeine's lookup is profiled on misses
 * alone; its hit branch (the expiry check and the read buffer) then counts as cold, and every hit
 * afterwards calls those parts out of line: about 55 instructions more per hit (333 instead of
 * 277 on JDK 17, {@code benchmarks/hit-cost.sh}), for the life of the JVM. A few thousand hits and
 * misses on a small cache of the same shape, here, give the compiler the profile of a cache in
 * service. It costs the first cache of a JVM about 30 to 45 ms, mostly in the interpreter, once;
 * in a JVM where Caffeine has already run, the profile is already there and this adds little.
 */
final class CaffeineHitPrimer {

  /**
   * Enough calls for the lookup to be profiled and compiled on its own (past HotSpot's tier-4
   * threshold of 5,000 calls); 1,500 were measured not to be enough.
   */
  static final int LOOKUPS = 6_000;
  private static final int CAPACITY = 64;
  /** Filled past half the capacity: below it Caffeine skips the read buffer, which a cache in service uses. */
  private static final int FILLED = 48;
  /** Keys read: {@value #FILLED} present and the rest absent, so the profile has both branches. */
  private static final int READ = 60;

  private static volatile boolean primed;

  private CaffeineHitPrimer() {}

  /** Primes once per JVM; later calls return at once. */
  static void primeOnce() {
    if (primed) {
      return;
    }
    synchronized (CaffeineHitPrimer.class) {
      if (!primed) {
        prime();
        primed = true;
      }
    }
  }

  /** Reads a private cache built as an L1 is built; returns the hits, so the reads are not dead code. */
  static int prime() {
    Cache<Integer, Object> cache = Caffeine.newBuilder()
        .maximumSize(CAPACITY)
        .expireAfterWrite(1, TimeUnit.HOURS)
        .ticker(CoarseTicker.INSTANCE)
        // Maintenance on this thread: the read buffer is drained as soon as it fills, so the reads
        // go on adding to it (as in a cache in service) instead of finding it full.
        .executor(Runnable::run)
        .build();
    Object value = new Object();
    for (int i = 0; i < FILLED; i++) {
      cache.put(i, value);
    }
    cache.cleanUp(); // applies the writes now, so the reads go through the read buffer
    int hits = 0;
    for (int i = 0; i < LOOKUPS; i++) {
      if (cache.getIfPresent(i % READ) != null) {
        hits++;
      }
    }
    cache.invalidateAll();
    return hits;
  }
}
