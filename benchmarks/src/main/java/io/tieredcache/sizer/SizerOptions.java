package io.tieredcache.sizer;

import io.tieredcache.TieredCacheBuilder;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.TreeSet;

/** The tier sizer's command line, parsed and checked; {@link #usage()} describes it. */
final class SizerOptions {

  Path trace;
  InputFormat format;
  String generate;
  int nodes = 1;
  Routing routing;
  long routingSeed = 1;
  Path out;
  long[] l1Sizes;
  long[] l2Sizes;
  long l1TtlNanos = TieredCacheBuilder.DEFAULT_EXPIRE_AFTER_WRITE.toNanos();
  long l2TtlNanos = TieredCacheBuilder.DEFAULT_REMOTE_EXPIRE_AFTER_WRITE.toNanos();
  double t1Us = CostModel.DEFAULT_T1_US;
  double t2Us = CostModel.DEFAULT_T2_US;
  double tDbUs = CostModel.DEFAULT_TDB_US;
  double targetLatencyUs = Double.NaN;
  double targetDbLoads = Double.NaN;
  double sampleRate = 0.01;
  boolean exact;
  long exactLimit = 2_000_000;
  long minSampledEntries = 2_000;
  int threads = Runtime.getRuntime().availableProcessors();
  double valueBytes = Double.NaN;
  double keyBytes = MemoryModel.DEFAULT_KEY_BYTES;
  long nanosPerTimeUnit = 1_000_000;
  double rps = 10_000;
  boolean checkExact;
  boolean quiet;

  static String usage() {
    return """
        tier-sizer: replays a trace through N nodes' L1 (Caffeine) and a shared L2 (LRU, as Redis
        with allkeys-lru) and writes, for every pair of sizes on a grid, the hit ratios, database
        loads, mean latency and memory, with a recommendation.

        java -jar benchmarks/target/tier-sizer.jar (--trace FILE [--format F] | --generate SPEC) --out DIR [options]

          --trace FILE              a trace; --format recorder|csv|arc|lirs|twitter (default: recorder
                                    if the file is one, else csv)
          --generate SPEC           a synthetic trace instead, e.g.
                                    zipf:alpha=0.99,keys=1000000,requests=10000000,seed=1
                                    (also hotspot:..., loop:...; see SIZER.md)
          --out DIR                 where curve.csv, curves.png, curves.svg and summary.txt go
          --nodes N                 application nodes, each with its own L1 (default 1)
          --routing R               random|trace|key: which node serves a request (default: trace if
                                    the trace has a node column, else random)
          --l1-sizes LIST           L1 entries per node, e.g. 1000,10k,100k or 1k..1m:20 (20 sizes,
                                    log-spaced); default: 20 sizes from the trace's footprint
          --l2-sizes LIST           L2 entries; default: 10 sizes from the trace's footprint
          --l1-ttl D, --l2-ttl D    TTLs (e.g. 5m, 90s, 1h, 0 for none); default 5m and 1h, the
                                    library's defaults
          --t1-us, --t2-us, --tdb-us   latency of an L1 hit, an L2 hit, a database load, in
                                    microseconds (defaults 0.1, 250, 2000)
          --target-latency-us X     recommend the cheapest pair whose mean latency is at most X
          --target-db-loads X       ... and whose database loads per second are at most X
          --value-bytes B           mean value size (default: from the trace, else 256)
          --key-bytes B             mean key size (default 24)
          --sample-rate R           SHARDS base sampling rate for large traces (default 0.01)
          --min-sampled-entries N   sample less where a miniature cache would hold fewer (default 2000)
          --exact                   replay every key (no sampling); --exact-limit N: traces up to N
                                    records are always replayed exactly (default 2000000)
          --check-exact             also replay exactly; write curve-exact.csv and accuracy.txt
          --threads N               replays run in parallel (default: the number of cores)
          --time-unit U             CSV timestamps in s|ms|us|ns (default ms)
          --rps N                   requests a second, for traces without times (ARC, LIRS; default 10000)
          --seed N                  seed of random routing (default 1)
          --quiet                   no progress bar
        """;
  }

  static SizerOptions parse(String[] args) {
    SizerOptions o = new SizerOptions();
    for (int i = 0; i < args.length; i++) {
      String name = args[i];
      if (name.equals("--exact")) {
        o.exact = true;
        continue;
      }
      if (name.equals("--check-exact")) {
        o.checkExact = true;
        continue;
      }
      if (name.equals("--quiet")) {
        o.quiet = true;
        continue;
      }
      if (i + 1 >= args.length) {
        throw new IllegalArgumentException("missing value after " + name);
      }
      String value = args[++i];
      switch (name) {
        case "--trace" -> o.trace = Path.of(value);
        case "--format" -> o.format = InputFormat.parse(value);
        case "--generate" -> o.generate = value;
        case "--nodes" -> o.nodes = (int) positive(name, value);
        case "--routing" -> o.routing = Routing.parse(value);
        case "--seed" -> o.routingSeed = Long.parseLong(value);
        case "--out" -> o.out = Path.of(value);
        case "--l1-sizes" -> o.l1Sizes = sizes(value, true);
        case "--l2-sizes" -> o.l2Sizes = sizes(value, false);
        case "--l1-ttl" -> o.l1TtlNanos = duration(value);
        case "--l2-ttl" -> o.l2TtlNanos = duration(value);
        case "--t1-us" -> o.t1Us = nonNegative(name, value);
        case "--t2-us" -> o.t2Us = nonNegative(name, value);
        case "--tdb-us" -> o.tDbUs = nonNegative(name, value);
        case "--target-latency-us" -> o.targetLatencyUs = positive(name, value);
        case "--target-db-loads" -> o.targetDbLoads = nonNegative(name, value);
        case "--value-bytes" -> o.valueBytes = nonNegative(name, value);
        case "--key-bytes" -> o.keyBytes = nonNegative(name, value);
        case "--sample-rate" -> {
          o.sampleRate = positive(name, value);
          if (o.sampleRate > 1) {
            throw new IllegalArgumentException("--sample-rate must be in (0, 1]");
          }
        }
        case "--exact-limit" -> o.exactLimit = (long) nonNegative(name, value);
        case "--min-sampled-entries" -> o.minSampledEntries = (long) nonNegative(name, value);
        case "--threads" -> o.threads = (int) positive(name, value);
        case "--time-unit" -> o.nanosPerTimeUnit = switch (value) {
          case "s" -> 1_000_000_000L;
          case "ms" -> 1_000_000L;
          case "us" -> 1_000L;
          case "ns" -> 1L;
          default -> throw new IllegalArgumentException("--time-unit must be s, ms, us or ns");
        };
        case "--rps" -> o.rps = positive(name, value);
        default -> throw new IllegalArgumentException("unknown option " + name);
      }
    }
    if ((o.trace == null) == (o.generate == null)) {
      throw new IllegalArgumentException("give exactly one of --trace FILE and --generate SPEC");
    }
    if (o.out == null) {
      throw new IllegalArgumentException("--out DIR is required");
    }
    if (o.nodes > Short.MAX_VALUE) {
      throw new IllegalArgumentException("--nodes is at most " + Short.MAX_VALUE);
    }
    return o;
  }

  private static double positive(String name, String value) {
    double number = number(name, value);
    if (!(number > 0)) {
      throw new IllegalArgumentException(name + " must be positive, was " + value);
    }
    return number;
  }

  private static double nonNegative(String name, String value) {
    double number = number(name, value);
    if (!(number >= 0)) {
      throw new IllegalArgumentException(name + " must not be negative, was " + value);
    }
    return number;
  }

  private static double number(String name, String value) {
    try {
      return Double.parseDouble(value.replace("_", ""));
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException(name + " expects a number, was " + value);
    }
  }

  /** {@code 1000,10k,2m} or {@code FROM..TO:COUNT} (log-spaced, rounded to 2 significant digits). */
  static long[] sizes(String text, boolean zeroAllowed) {
    TreeSet<Long> sizes = new TreeSet<>();
    for (String part : text.split(",")) {
      String p = part.trim();
      if (p.isEmpty()) {
        continue;
      }
      int range = p.indexOf("..");
      if (range >= 0) {
        int colon = p.indexOf(':', range);
        long from = count(p.substring(0, range));
        long to = count(colon < 0 ? p.substring(range + 2) : p.substring(range + 2, colon));
        int steps = colon < 0 ? 10 : (int) count(p.substring(colon + 1));
        for (long size : logSpaced(from, to, steps)) {
          sizes.add(size);
        }
      } else {
        sizes.add(count(p));
      }
    }
    if (sizes.isEmpty() || sizes.first() < 0 || (!zeroAllowed && sizes.first() == 0)) {
      throw new IllegalArgumentException("bad size list: " + text);
    }
    return sizes.stream().mapToLong(Long::longValue).toArray();
  }

  static long count(String text) {
    String t = text.trim().toLowerCase(Locale.ROOT).replace("_", "");
    double factor = 1;
    if (t.endsWith("k")) {
      factor = 1e3;
    } else if (t.endsWith("m")) {
      factor = 1e6;
    } else if (t.endsWith("g")) {
      factor = 1e9;
    }
    if (factor != 1) {
      t = t.substring(0, t.length() - 1);
    }
    return Math.round(Double.parseDouble(t) * factor);
  }

  /** {@code steps} sizes from {@code from} to {@code to}, evenly spaced on a log scale, rounded, distinct. */
  static List<Long> logSpaced(long from, long to, int steps) {
    if (from <= 0 || to < from || steps < 1) {
      throw new IllegalArgumentException("bad size range " + from + ".." + to + ":" + steps);
    }
    TreeSet<Long> sizes = new TreeSet<>();
    for (int i = 0; i < steps; i++) {
      double value = steps == 1 ? from : from * Math.pow((double) to / from, (double) i / (steps - 1));
      sizes.add(round2(value));
    }
    return new ArrayList<>(sizes);
  }

  /** Rounds to two significant digits (1234 to 1200), at least 1. */
  static long round2(double value) {
    if (value < 100) {
      return Math.max(1, Math.round(value));
    }
    double scale = Math.pow(10, Math.floor(Math.log10(value)) - 1);
    return Math.round(Math.round(value / scale) * scale);
  }

  /** {@code 90s}, {@code 5m}, {@code 1h}, {@code 250ms}, {@code 0} (none), or an ISO-8601 duration. */
  static long duration(String text) {
    String t = text.trim().toLowerCase(Locale.ROOT);
    if (t.equals("0") || t.equals("none")) {
      return 0;
    }
    if (t.startsWith("p")) {
      return Duration.parse(text.trim()).toNanos();
    }
    if (t.endsWith("ms")) {
      return Duration.ofMillis(Long.parseLong(t.substring(0, t.length() - 2))).toNanos();
    }
    long amount = Long.parseLong(t.substring(0, t.length() - 1));
    return switch (t.charAt(t.length() - 1)) {
      case 's' -> Duration.ofSeconds(amount).toNanos();
      case 'm' -> Duration.ofMinutes(amount).toNanos();
      case 'h' -> Duration.ofHours(amount).toNanos();
      case 'd' -> Duration.ofDays(amount).toNanos();
      default -> throw new IllegalArgumentException("bad duration " + text + " (use e.g. 90s, 5m, 1h, 0)");
    };
  }
}
