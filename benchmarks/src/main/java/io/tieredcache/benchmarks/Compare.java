package io.tieredcache.benchmarks;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeSet;
import org.openjdk.jmh.results.Result;
import org.openjdk.jmh.results.RunResult;
import org.openjdk.jmh.results.format.ResultFormatFactory;
import org.openjdk.jmh.results.format.ResultFormatType;
import org.openjdk.jmh.runner.Runner;
import org.openjdk.jmh.runner.options.CommandLineOptions;
import org.openjdk.jmh.runner.options.OptionsBuilder;

/**
 * Runs JMH with the usual command-line options, then prints each {@link CacheType}'s score as a
 * ratio to the {@link CacheType#Caffeine} baseline of the same benchmark method in the same round.
 * It is meant for benchmarks with a {@code cacheType} parameter.
 *
 * <p>Each round runs one cache type after the other (all of JMH's forks, iterations and selected
 * methods for one type, then the next), starting one type later each round; so every type runs
 * within a short time of its baseline, and no type is always first or last.
 *
 * <pre>{@code java -cp benchmarks/target/benchmarks.jar io.tieredcache.benchmarks.Compare [--rounds N] L1HitBenchmark -prof gc}</pre>
 *
 * <p>Three ratios are shown: of the mean scores (with the scores' relative errors, JMH's 99.9%
 * intervals, added in quadrature: a rough bound); of the best iterations (on a busy machine other
 * processes only ever add time, so the best iteration is a steadier estimate of the cost itself);
 * and, with {@code -prof io.tieredcache.benchmarks.CpuTimeProfiler}, of the CPU time per operation,
 * which leaves out the time spent waiting for a core altogether. {@code --rounds N} repeats the whole run N times and ends with the median ratios:
 * each round's baseline and peers ran minutes apart at most, so a slow spell of the machine
 * biases one round, not the median.
 */
public final class Compare {

  private static final String PARAM = "cacheType";
  private static final String BASELINE = CacheType.Caffeine.name();
  private static final String ALLOCATION = "gc.alloc.rate.norm";
  private static final String CPU = "cpu.time.norm";
  private static final String ROW = "%-44s %3s %-22s %24s %15s %7s %9s %9s %9s%n";

  private Compare() {}

  /** One line of the table: a benchmark method at a thread count, for one cache type. */
  private record Key(String benchmark, int threads, String type) {}

  /** The ratios of one key in one round. */
  private record Ratios(double mean, double best, double cpu) {}

  /**
   * Runs the benchmarks {@code args} select and prints the ratios.
   *
   * @param args {@code [--rounds N]} then JMH command-line options
   * @throws Exception if the options are wrong or a benchmark fails
   */
  public static void main(String[] args) throws Exception {
    int rounds = 1;
    String[] jmhArgs = args;
    if (args.length >= 2 && args[0].equals("--rounds")) {
      rounds = Integer.parseInt(args[1]);
      jmhArgs = Arrays.copyOfRange(args, 2, args.length);
    }
    CommandLineOptions options = new CommandLineOptions(jmhArgs);
    List<String> types = options.getParameter(PARAM).hasValue()
        ? List.copyOf(options.getParameter(PARAM).get())
        : Arrays.stream(CacheType.values()).map(Enum::name).toList();
    Map<Key, List<Ratios>> all = new LinkedHashMap<>();
    List<RunResult> everything = new ArrayList<>();
    for (int round = 1; round <= rounds; round++) {
      List<RunResult> results = new ArrayList<>();
      for (int i = 0; i < types.size(); i++) {
        String type = types.get((i + round - 1) % types.size());
        results.addAll(new Runner(new OptionsBuilder().parent(options).param(PARAM, type).build()).run());
      }
      everything.addAll(results);
      System.out.println();
      System.out.printf(Locale.ROOT, "Round %d of %d: JMH results%n", round, rounds);
      ResultFormatFactory.getInstance(ResultFormatType.TEXT, System.out).writeOut(sorted(results));
      System.out.println();
      System.out.printf(Locale.ROOT, "Round %d of %d: ratios to %s (same benchmark, same round)%n", round, rounds, BASELINE);
      printRound(results, all);
    }
    if (rounds > 1) {
      printSummary(all, rounds);
    }
    if (options.getResult().hasValue()) {
      // Each run above wrote only its own results there: replace them with all of them.
      ResultFormatFactory.getInstance(options.getResultFormat().orElse(ResultFormatType.CSV), options.getResult().get())
          .writeOut(everything);
    }
  }

  private static List<RunResult> sorted(Collection<RunResult> results) {
    List<RunResult> sorted = new ArrayList<>(results);
    sorted.sort(Comparator.comparing((RunResult r) -> keyOf(r).benchmark())
        .thenComparingInt(r -> r.getParams().getThreads())
        .thenComparing(r -> String.valueOf(r.getParams().getParam(PARAM))));
    return sorted;
  }

  private static void printRound(Collection<RunResult> results, Map<Key, List<Ratios>> all) {
    List<RunResult> sorted = sorted(results);
    sorted.removeIf(run -> run.getParams().getParam(PARAM) == null);
    System.out.printf(Locale.ROOT, ROW, "benchmark", "thr", PARAM, "mean ± error", "mean ratio", "best",
        "cpu ns/op", "cpu ratio", "B/op");
    for (RunResult run : sorted) {
      Key key = keyOf(run);
      Result<?> score = run.getPrimaryResult();
      RunResult baseline = sorted.stream()
          .filter(other -> {
            Key otherKey = keyOf(other);
            return otherKey.benchmark().equals(key.benchmark()) && otherKey.threads() == key.threads()
                && otherKey.type().equals(BASELINE);
          })
          .findFirst()
          .orElse(null);
      String meanRatio = "-";
      String bestRatio = "-";
      String cpuRatio = "-";
      if (run == baseline) {
        meanRatio = "baseline";
        bestRatio = "1";
        cpuRatio = "1";
      } else if (baseline != null) {
        Result<?> base = baseline.getPrimaryResult();
        double mean = score.getScore() / base.getScore();
        double best = score.getStatistics().getMin() / base.getStatistics().getMin();
        double cpu = secondary(run, CPU) / secondary(baseline, CPU);
        all.computeIfAbsent(key, k -> new ArrayList<>()).add(new Ratios(mean, best, cpu));
        cpuRatio = String.format(Locale.ROOT, "%.3f", cpu);
        double error = mean * Math.hypot(relativeError(score), relativeError(base));
        meanRatio = Double.isNaN(error)
            ? String.format(Locale.ROOT, "%.3f", mean)
            : String.format(Locale.ROOT, "%.3f ± %.3f", mean, error);
        bestRatio = String.format(Locale.ROOT, "%.3f", best);
      }
      System.out.printf(Locale.ROOT, ROW, key.benchmark(), key.threads(), key.type(),
          String.format(Locale.ROOT, "%.2f ± %.2f %s", score.getScore(), score.getScoreError(), score.getScoreUnit()),
          meanRatio, bestRatio, String.format(Locale.ROOT, "%.2f", secondary(run, CPU)), cpuRatio,
          String.format(Locale.ROOT, "%.3f", secondary(run, ALLOCATION)));
    }
  }

  private static void printSummary(Map<Key, List<Ratios>> all, int rounds) {
    System.out.println();
    System.out.printf(Locale.ROOT, "Over %d rounds: median ratio to %s (min..max of the rounds)%n", rounds, BASELINE);
    System.out.printf(Locale.ROOT, "%-44s %3s %-22s %22s %22s %22s%n",
        "benchmark", "thr", PARAM, "mean ratio", "best ratio", "cpu ratio");
    all.forEach((key, ratios) -> System.out.printf(Locale.ROOT, "%-44s %3d %-22s %22s %22s %22s%n",
        key.benchmark(), key.threads(), key.type(),
        Medians.withRange(ratios.stream().mapToDouble(Ratios::mean).toArray()),
        Medians.withRange(ratios.stream().mapToDouble(Ratios::best).toArray()),
        Medians.withRange(ratios.stream().mapToDouble(Ratios::cpu).toArray())));
  }


  private static Key keyOf(RunResult run) {
    String benchmark = run.getParams().getBenchmark();
    String shortName = benchmark.substring(benchmark.lastIndexOf('.', benchmark.lastIndexOf('.') - 1) + 1);
    // Other parameters (polluted=true, say) make a different benchmark: a type is only ever
    // compared with the baseline run under the same values of them.
    StringBuilder others = new StringBuilder();
    for (String name : new TreeSet<>(run.getParams().getParamsKeys())) {
      if (!name.equals(PARAM)) {
        others.append(others.length() == 0 ? " " : ",").append(name).append('=').append(run.getParams().getParam(name));
      }
    }
    return new Key(shortName + others, run.getParams().getThreads(), run.getParams().getParam(PARAM));
  }

  /** A secondary result's score, {@code NaN} if its profiler was not on. */
  private static double secondary(RunResult run, String name) {
    Result<?> result = run.getSecondaryResults().get(name);
    return result == null ? Double.NaN : result.getScore();
  }

  private static double relativeError(Result<?> result) {
    return result.getScoreError() / result.getScore();
  }
}
