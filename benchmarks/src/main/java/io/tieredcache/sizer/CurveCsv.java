package io.tieredcache.sizer;

import java.io.IOException;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;

/** Writes {@code curve.csv}: exactly {@link #HEADER}, then one row per pair of sizes. */
final class CurveCsv {

  static final String HEADER = "l1_entries,l2_entries,l1_hit_ratio,l2_hit_ratio,overall_hit_ratio,"
      + "db_loads_per_1k_requests,mean_latency_us,memory_bytes";

  private CurveCsv() {}

  static void write(List<CurvePoint> points, Path file) throws IOException {
    try (Writer out = Files.newBufferedWriter(file, StandardCharsets.UTF_8)) {
      out.write(HEADER);
      out.write('\n');
      for (CurvePoint p : points) {
        out.write(String.format(Locale.ROOT, "%d,%d,%.6f,%.6f,%.6f,%.3f,%.3f,%d\n", p.l1Entries(), p.l2Entries(),
            p.l1HitRatio(), p.l2HitRatio(), p.overallHitRatio(), p.dbLoadsPer1k(), p.meanLatencyUs(),
            p.memoryBytes()));
      }
    }
  }
}
