package io.tieredcache.sizer;

import io.tieredcache.trace.AccessTraceReader;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;

/**
 * The tier sizer's command line: reads or generates a trace, replays it over a grid of L1 and L2
 * sizes, and writes {@code curve.csv}, {@code curves.png}, {@code curves.svg} and
 * {@code summary.txt} into the output folder. Run without arguments for its options; SIZER.md
 * explains the model.
 */
public final class TierSizer {

  private TierSizer() {}

  public static void main(String[] args) {
    System.setProperty("java.awt.headless", "true");
    if (args.length == 0 || List.of(args).contains("--help") || List.of(args).contains("-h")) {
      System.out.print(SizerOptions.usage());
      return;
    }
    try {
      run(SizerOptions.parse(args), System.out, System.err);
    } catch (IllegalArgumentException e) {
      System.err.println("tier-sizer: " + e.getMessage());
      System.err.println("run with --help for the options");
      System.exit(2);
    } catch (IOException e) {
      System.err.println("tier-sizer: " + e);
      System.exit(1);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      System.exit(130);
    }
  }

  /** Runs the sizer; returns the recommendation. Progress goes to {@code err} unless {@code --quiet}. */
  static Recommendation run(SizerOptions o, PrintStream out, PrintStream err) throws IOException, InterruptedException {
    long started = System.nanoTime();
    Trace trace = load(o);
    double loadSeconds = (System.nanoTime() - started) / 1e9;
    TraceStats stats = TraceStats.of(trace);
    if (stats.reads() == 0) {
      throw new IllegalArgumentException("the trace has no reads");
    }
    long[] l1Sizes = o.l1Sizes != null ? o.l1Sizes : SizerRun.defaultL1Sizes(stats.footprint());
    long[] l2Sizes = o.l2Sizes != null ? o.l2Sizes : SizerRun.defaultL2Sizes(stats.footprint());
    double valueBytes = !Double.isNaN(o.valueBytes) ? o.valueBytes
        : !Double.isNaN(stats.meanValueBytes()) ? stats.meanValueBytes() : MemoryModel.DEFAULT_VALUE_BYTES;
    CostModel cost = new CostModel(o.t1Us, o.t2Us, o.tDbUs, new MemoryModel(valueBytes, o.keyBytes), o.nodes,
        stats.readsPerSecond());
    boolean exact = o.exact || trace.length() <= o.exactLimit;
    PrintStream progress = o.quiet ? null : err;
    if (!o.quiet) {
      err.printf(Locale.ROOT, "tier-sizer: %,d records (%,d distinct keys) loaded in %.1f s; %d x %d grid, %s%n",
          trace.length(), stats.distinctKeys(), loadSeconds, l1Sizes.length, l2Sizes.length,
          exact ? "exact replay" : "sampled replay (base rate " + o.sampleRate + ")");
    }
    SizerRun.Outcome outcome = SizerRun.run(trace, o, l1Sizes, l2Sizes, cost, exact, progress);
    Accuracy accuracy = null;
    if (o.checkExact && !exact) {
      SizerRun.Outcome reference = SizerRun.run(trace, o, l1Sizes, l2Sizes, cost, true, progress);
      accuracy = Accuracy.compare(outcome.points(), reference.points());
      Files.createDirectories(o.out);
      CurveCsv.write(reference.points(), o.out.resolve("curve-exact.csv"));
      Files.writeString(o.out.resolve("accuracy.txt"), String.format(Locale.ROOT,
          "sampled replay %.1f s, exact replay %.1f s, %d pairs (base rate %s, min sampled entries %d)%n%s",
          outcome.seconds(), reference.seconds(), outcome.points().size(), o.sampleRate, o.minSampledEntries,
          accuracy.describe()), StandardCharsets.UTF_8);
    }
    Recommendation recommendation = Recommendation.of(outcome.points(), o.targetLatencyUs, o.targetDbLoads);
    Files.createDirectories(o.out);
    CurveCsv.write(outcome.points(), o.out.resolve("curve.csv"));
    List<ChartData.Panel> panels = ChartData.of(outcome, recommendation);
    String title = String.format(Locale.ROOT, "%s; %d node(s); t1=%.2f µs, t2=%.0f µs, tdb=%.0f µs",
        trace.description(), o.nodes, cost.t1Us(), cost.t2Us(), cost.tDbUs());
    PngCharts.write(panels, title, o.out.resolve("curves.png"));
    SvgCharts.write(panels, title, o.out.resolve("curves.svg"));
    String summary = Summary.of(trace, stats, o, cost, outcome, recommendation, accuracy);
    Files.writeString(o.out.resolve("summary.txt"), summary, StandardCharsets.UTF_8);
    if (!o.quiet) {
      out.print(summary);
      out.printf(Locale.ROOT, "%nWrote %s (curve.csv, curves.png, curves.svg, summary.txt) in %.1f s%n",
          o.out, (System.nanoTime() - started) / 1e9);
    }
    return recommendation;
  }

  static Trace load(SizerOptions o) throws IOException {
    if (o.generate != null) {
      return TraceGenerator.generate(o.generate);
    }
    if (!Files.isRegularFile(o.trace)) {
      throw new IllegalArgumentException("no such trace file: " + o.trace);
    }
    InputFormat format = o.format != null ? o.format
        : AccessTraceReader.looksLikeTrace(o.trace) ? InputFormat.RECORDER : InputFormat.CSV;
    return format.read(o.trace, new InputFormat.ReadOptions(o.nanosPerTimeUnit, o.rps));
  }
}
