package io.tieredcache.sizer;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The command line from a CSV trace to the files it promises. */
class TierSizerCliTest {

  @TempDir
  Path dir;

  @Test
  void writesCurveCsvChartsAndSummaryFromACsvTrace() throws Exception {
    Trace generated = TraceGenerator.generate("zipf:alpha=0.9,keys=5000,requests=60000,seed=2,writes=0.05");
    StringBuilder csv = new StringBuilder("timestamp,key,size,op,ttl,node\n");
    for (int i = 0; i < generated.length(); i++) {
      csv.append(generated.time(i) / 1_000_000).append(",k").append(generated.key(i)).append(",300,")
          .append(generated.op(i) == Trace.PUT ? "put" : "get").append(",,").append(i % 3).append('\n');
    }
    Path trace = dir.resolve("trace.csv");
    Files.writeString(trace, csv);
    Path out = dir.resolve("out");
    ByteArrayOutputStream console = new ByteArrayOutputStream();
    SizerOptions o = SizerOptions.parse(new String[] {"--trace", trace.toString(), "--format", "csv",
        "--nodes", "3", "--out", out.toString(), "--l1-sizes", "100,500,2000", "--l2-sizes", "500,2k,5k",
        "--target-latency-us", "400"});
    Recommendation recommendation = TierSizer.run(o, new PrintStream(console, true, StandardCharsets.UTF_8),
        new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8));

    List<String> lines = Files.readAllLines(out.resolve("curve.csv"));
    assertThat(lines.get(0)).isEqualTo("l1_entries,l2_entries,l1_hit_ratio,l2_hit_ratio,overall_hit_ratio,"
        + "db_loads_per_1k_requests,mean_latency_us,memory_bytes");
    assertThat(lines).hasSize(1 + 9);
    for (String line : lines.subList(1, lines.size())) {
      String[] f = line.split(",");
      assertThat(f).hasSize(8);
      double l1 = Double.parseDouble(f[2]);
      double l2 = Double.parseDouble(f[3]);
      double overall = Double.parseDouble(f[4]);
      assertThat(l1).isBetween(0.0, 1.0);
      assertThat(l2).isBetween(0.0, 1.0);
      assertThat(overall).isBetween(0.0, 1.0).isCloseTo(l1 + l2, org.assertj.core.data.Offset.offset(2e-6));
      assertThat(Double.parseDouble(f[5])).isCloseTo((1 - overall) * 1000, org.assertj.core.data.Offset.offset(1e-2));
      assertThat(Long.parseLong(f[7])).isPositive();
    }
    byte[] png = Files.readAllBytes(out.resolve("curves.png"));
    assertThat(png).startsWith((byte) 0x89, (byte) 'P', (byte) 'N', (byte) 'G');
    assertThat(Files.readString(out.resolve("curves.svg"))).startsWith("<svg").contains("Pareto frontier").endsWith("</svg>\n");
    String summary = Files.readString(out.resolve("summary.txt"));
    assertThat(summary).contains("RECOMMENDED: L1 maximumSize").contains("mean latency at most 400.0 µs");
    assertThat(recommendation.chosen()).isNotNull();
    assertThat(recommendation.chosen().meanLatencyUs()).isLessThanOrEqualTo(400);
    assertThat(console.toString(StandardCharsets.UTF_8)).contains("RECOMMENDED");
  }
}
