package io.tieredcache.sizer;

import io.tieredcache.benchmarks.ZipfDistribution;
import io.tieredcache.trace.AccessRecorder;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.Set;

/**
 * Seeded synthetic traces, described by one string such as
 * {@code zipf:alpha=0.99,keys=1000000,requests=10000000,seed=1}. The same string always gives
 * the same trace.
 *
 * <ul>
 *   <li>{@code zipf}: scrambled Zipf; rank {@code k} has weight {@code 1/(k+1)^alpha}, and ranks
 *       are scattered over the key space so hot keys are not neighbours ({@code alpha}, default 0.99).
 *   <li>{@code hotspot}: a share {@code hot} of the keys (default 0.2) takes a share
 *       {@code hotRate} of the requests (default 0.8), uniform within each part.
 *   <li>{@code loop}: keys {@code 0 .. keys-1} read in order, again and again (a scan).
 * </ul>
 * Every kind takes {@code keys} (default 100000), {@code requests} (default 1000000),
 * {@code seed} (default 1), {@code rps} (requests a second, for times; default 10000),
 * {@code size} (value bytes, default 256), {@code writes} and {@code invalidates} (the shares of
 * records that are writes or invalidations of a key drawn as a read's would be; default 0).
 */
public final class TraceGenerator {

  private static final Set<String> COMMON = Set.of("keys", "requests", "seed", "rps", "size", "writes", "invalidates");

  private TraceGenerator() {}

  /** Generates the trace a spec describes. */
  public static Trace generate(String spec) {
    int colon = spec.indexOf(':');
    String kind = (colon < 0 ? spec : spec.substring(0, colon)).trim().toLowerCase(Locale.ROOT);
    Map<String, String> params = params(colon < 0 ? "" : spec.substring(colon + 1));
    Set<String> allowed = switch (kind) {
      case "zipf" -> Set.of("alpha");
      case "hotspot" -> Set.of("hot", "hotrate");
      case "loop" -> Set.of();
      default -> throw new IllegalArgumentException("unknown generator '" + kind + "': use zipf, hotspot or loop");
    };
    for (String name : params.keySet()) {
      if (!COMMON.contains(name) && !allowed.contains(name)) {
        throw new IllegalArgumentException("generator " + kind + " has no parameter '" + name + "'");
      }
    }
    int keys = (int) number(params, "keys", 100_000);
    long requests = (long) number(params, "requests", 1_000_000);
    long seed = (long) number(params, "seed", 1);
    double rps = number(params, "rps", 10_000);
    int size = (int) number(params, "size", 256);
    double writes = number(params, "writes", 0);
    double invalidates = number(params, "invalidates", 0);
    if (keys < 1 || requests < 1 || requests > Integer.MAX_VALUE - 8 || rps <= 0 || writes < 0 || invalidates < 0
        || writes + invalidates >= 1) {
      throw new IllegalArgumentException("bad generator parameters: " + spec);
    }
    Random random = new Random(seed);
    KeyDraw draw = switch (kind) {
      case "zipf" -> zipf(keys, number(params, "alpha", 0.99));
      case "hotspot" -> hotspot(keys, number(params, "hot", 0.2), number(params, "hotrate", 0.8));
      default -> loop(keys);
    };
    Trace.Builder trace = new Trace.Builder().description(spec);
    double gap = 1e9 / rps;
    for (long i = 0; i < requests; i++) {
      long rank = draw.next(random, i);
      long key = AccessRecorder.mix(rank + seed * 0x9E37_79B9L);
      double u = writes + invalidates > 0 ? random.nextDouble() : 1;
      byte op = u < writes ? Trace.PUT : u < writes + invalidates ? Trace.INVALIDATE : Trace.GET;
      trace.add((long) (i * gap), key, op, op == Trace.INVALIDATE ? Trace.NO_SIZE : size, Trace.NO_NODE, 0);
    }
    return trace.build();
  }

  /** Draws the rank of the next key. */
  private interface KeyDraw {
    long next(Random random, long index);
  }

  private static KeyDraw zipf(int keys, double alpha) {
    ZipfDistribution zipf = new ZipfDistribution(keys, alpha);
    return (random, index) -> zipf.sample(random);
  }

  private static KeyDraw hotspot(int keys, double hot, double hotRate) {
    if (!(hot > 0 && hot < 1 && hotRate >= 0 && hotRate <= 1)) {
      throw new IllegalArgumentException("hotspot needs 0 < hot < 1 and 0 <= hotRate <= 1");
    }
    int hotKeys = Math.max(1, (int) (keys * hot));
    int coldKeys = Math.max(1, keys - hotKeys);
    return (random, index) -> random.nextDouble() < hotRate
        ? random.nextInt(hotKeys) : hotKeys + random.nextInt(coldKeys);
  }

  private static KeyDraw loop(int keys) {
    return (random, index) -> index % keys;
  }

  private static Map<String, String> params(String text) {
    Map<String, String> params = new LinkedHashMap<>();
    for (String part : text.split(",")) {
      if (part.isBlank()) {
        continue;
      }
      int eq = part.indexOf('=');
      if (eq < 0) {
        throw new IllegalArgumentException("generator parameter without '=': " + part);
      }
      params.put(part.substring(0, eq).trim().toLowerCase(Locale.ROOT), part.substring(eq + 1).trim());
    }
    return params;
  }

  private static double number(Map<String, String> params, String name, double otherwise) {
    String text = params.get(name);
    if (text == null) {
      return otherwise;
    }
    try {
      return Double.parseDouble(text.replace("_", ""));
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException("generator parameter " + name + " is not a number: " + text);
    }
  }
}
