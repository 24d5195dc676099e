package io.tieredcache.sizer;

import java.util.Locale;

/** The recommendation in plain words: {@code summary.txt}, also printed on the console. */
final class Summary {

  private Summary() {}

  static String of(Trace trace, TraceStats stats, SizerOptions o, CostModel cost, SizerRun.Outcome outcome,
      Recommendation recommendation, Accuracy accuracy) {
    StringBuilder s = new StringBuilder();
    s.append("Tier sizing for ").append(trace.description()).append('\n');
    s.append(String.format(Locale.ROOT, "Trace: %,d reads and %,d writes/invalidations over %.1f s; %,d distinct keys",
        stats.reads(), stats.writes(), stats.durationSeconds(), stats.distinctKeys()));
    if (stats.sampleRate() < 1) {
      s.append(String.format(Locale.ROOT, " (recorded at sample rate %s: about %,d keys in the real traffic)",
          stats.sampleRate(), stats.footprint()));
    }
    s.append(String.format(Locale.ROOT, ".%nReal read rate: %,.0f reads/s. Nodes: %d, each with its own L1.%n",
        stats.readsPerSecond(), o.nodes));
    s.append(String.format(Locale.ROOT, "Assumed latencies: L1 hit %.2f µs, L2 hit %.0f µs, database load %.0f µs.%n",
        cost.t1Us(), cost.t2Us(), cost.tDbUs()));
    s.append(String.format(Locale.ROOT, "Assumed bytes per entry: %.0f in each L1 (heap), %.0f in Redis "
        + "(value %.0f bytes%s).%n", cost.memory().l1EntryBytes(), cost.memory().l2EntryBytes(),
        cost.memory().valueBytes(), Double.isNaN(stats.meanValueBytes()) && Double.isNaN(o.valueBytes)
            ? ", assumed: the trace records no sizes" : ""));
    s.append(String.format(Locale.ROOT, "Computed %d x %d pairs of sizes in %.1f s by %s replay.%n%n",
        outcome.l1Sizes().length, outcome.l2Sizes().length, outcome.seconds(),
        outcome.exact() ? "exact" : "sampled (SHARDS-style miniature)"));
    CurvePoint c = recommendation.chosen();
    if (c == null) {
      s.append("No pair on the grid meets ").append(recommendation.reason().replace("the cheapest pair in memory with ", ""))
          .append(". Try larger sizes (--l1-sizes, --l2-sizes) or a looser target.\n");
    } else {
      s.append(String.format(Locale.ROOT, "RECOMMENDED: L1 maximumSize %,d entries on each of the %d node(s), "
          + "and Redis sized for %,d entries (about %s of maxmemory for this cache).%n", c.l1Entries(), o.nodes,
          c.l2Entries(), bytes(Math.round(c.l2Entries() * cost.memory().l2EntryBytes()))));
      s.append("Why: ").append(recommendation.reason()).append(".\n");
      s.append(String.format(Locale.ROOT, "With it, L1 answers %.1f%% of reads, Redis %.1f%% and the database "
          + "%.1f%%: %.1f database loads per 1000 reads (about %,.1f a second); mean read latency %.1f µs; "
          + "memory %s in all (L1 %s per node, Redis %s).%n",
          c.l1HitRatio() * 100, c.l2HitRatio() * 100, (1 - c.overallHitRatio()) * 100, c.dbLoadsPer1k(),
          c.dbLoadsPerSecond(), c.meanLatencyUs(), bytes(c.memoryBytes()),
          bytes(Math.round(c.l1Entries() * cost.memory().l1EntryBytes())),
          bytes(Math.round(c.l2Entries() * cost.memory().l2EntryBytes()))));
    }
    s.append(String.format(Locale.ROOT, "%nPareto frontier (no pair is both cheaper and faster), %d pairs:%n",
        recommendation.frontier().size()));
    s.append("  l1_entries  l2_entries   overall_hit  db_loads/1k  latency_us      memory\n");
    for (CurvePoint p : recommendation.frontier()) {
      s.append(String.format(Locale.ROOT, "  %10d  %10d  %12.4f  %11.2f  %10.1f  %10s%s%n", p.l1Entries(),
          p.l2Entries(), p.overallHitRatio(), p.dbLoadsPer1k(), p.meanLatencyUs(), bytes(p.memoryBytes()),
          p == c ? "  <- recommended" : ""));
    }
    if (accuracy != null) {
      s.append("\nSampled against exact replay of the same grid:\n").append(accuracy.describe());
    }
    s.append("\nModel: each node's L1 is a real Caffeine W-TinyLFU cache replayed in trace time; L2 is LRU "
        + "(Redis allkeys-lru approximates it) over the merged L1 misses, writes and invalidations. "
        + "See benchmarks/SIZER.md.\n");
    return s.toString();
  }

  static String bytes(long bytes) {
    if (bytes >= 1L << 30) {
      return String.format(Locale.ROOT, "%.1f GiB", bytes / (double) (1L << 30));
    }
    if (bytes >= 1L << 20) {
      return String.format(Locale.ROOT, "%.1f MiB", bytes / (double) (1L << 20));
    }
    if (bytes >= 1L << 10) {
      return String.format(Locale.ROOT, "%.1f KiB", bytes / 1024.0);
    }
    return bytes + " B";
  }
}
