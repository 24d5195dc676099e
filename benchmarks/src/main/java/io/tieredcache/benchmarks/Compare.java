package io.tieredcache.benchmarks;

import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import org.openjdk.jmh.results.Result;
import org.openjdk.jmh.results.RunResult;
import org.openjdk.jmh.runner.Runner;
import org.openjdk.jmh.runner.options.CommandLineOptions;

/**
 * Runs JMH with the usual command-line options, then prints each {@link CacheType}'s score as a
 * ratio to the {@link CacheType#Caffeine} baseline of the same benchmark method in the same run.
 *
 * <pre>{@code java -cp benchmarks/target/benchmarks.jar io.tieredcache.benchmarks.Compare L1HitBenchmark -prof gc}</pre>
 *
 * <p>The ratio's error is the scores' relative errors (JMH's 99.9% intervals) added in quadrature:
 * a rough bound, meant to show when a difference is within the noise.
 */
public final class Compare {

  private static final String PARAM = "cacheType";
  private static final String BASELINE = CacheType.Caffeine.name();
  private static final String ALLOCATION = "gc.alloc.rate.norm";

  private Compare() {}

  /**
   * Runs the benchmarks {@code args} select and prints the ratios.
   *
   * @param args JMH command-line options
   * @throws Exception if the options are wrong or a benchmark fails
   */
  public static void main(String[] args) throws Exception {
    Collection<RunResult> results = new Runner(new CommandLineOptions(args)).run();
    List<RunResult> sorted = new ArrayList<>(results);
    sorted.sort(Comparator.comparing((RunResult r) -> r.getParams().getBenchmark())
        .thenComparingInt(r -> r.getParams().getThreads())
        .thenComparing(r -> String.valueOf(r.getParams().getParam(PARAM))));

    System.out.println();
    System.out.println("Ratios to " + BASELINE + " (same benchmark, same run):");
    System.out.printf(Locale.ROOT, "%-40s %3s %-24s %22s %16s %10s%n",
        "benchmark", "thr", PARAM, "score ± error", "ratio", "B/op");
    for (RunResult run : sorted) {
      String type = run.getParams().getParam(PARAM);
      if (type == null) {
        continue;
      }
      Result<?> score = run.getPrimaryResult();
      RunResult baseline = sorted.stream()
          .filter(other -> other.getParams().getBenchmark().equals(run.getParams().getBenchmark())
              && other.getParams().getThreads() == run.getParams().getThreads()
              && BASELINE.equals(other.getParams().getParam(PARAM)))
          .findFirst()
          .orElse(null);
      String ratio = baseline == null ? "-" : ratio(score, baseline.getPrimaryResult());
      Result<?> allocation = run.getSecondaryResults().get(ALLOCATION);
      String benchmark = run.getParams().getBenchmark();
      System.out.printf(Locale.ROOT, "%-40s %3d %-24s %22s %16s %10s%n",
          benchmark.substring(benchmark.lastIndexOf('.', benchmark.lastIndexOf('.') - 1) + 1),
          run.getParams().getThreads(), type,
          String.format(Locale.ROOT, "%.2f ± %.2f %s", score.getScore(), score.getScoreError(),
              score.getScoreUnit()),
          ratio,
          allocation == null ? "-" : String.format(Locale.ROOT, "%.3f", allocation.getScore()));
    }
  }

  private static String ratio(Result<?> score, Result<?> baseline) {
    double ratio = score.getScore() / baseline.getScore();
    double error = ratio * Math.hypot(
        relativeError(score), relativeError(baseline));
    return Double.isNaN(error)
        ? String.format(Locale.ROOT, "%.3f", ratio)
        : String.format(Locale.ROOT, "%.3f ± %.3f", ratio, error);
  }

  private static double relativeError(Result<?> result) {
    return result.getScoreError() / result.getScore();
  }
}
