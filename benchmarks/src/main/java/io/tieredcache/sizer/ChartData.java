package io.tieredcache.sizer;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;

/**
 * The two pictures of a run, as data both renderers draw ({@link PngCharts} with JFreeChart,
 * {@link SvgCharts} by hand): hit ratio against size per tier, and mean latency against memory
 * with the frontier and the recommendation.
 */
final class ChartData {

  /** One line or set of markers. Colors are {@code #rrggbb}. */
  record Series(String name, String color, double[] x, double[] y, boolean line, double markerSize) {}

  /** One chart with a log x axis and a linear y axis. */
  record Panel(String title, String xLabel, String yLabel, List<Series> series) {}

  private static final String[] L2_COLORS = {"#1b9e77", "#d95f02", "#7570b3", "#e7298a"};

  private ChartData() {}

  static List<Panel> of(SizerRun.Outcome outcome, Recommendation recommendation) {
    return List.of(hitRatios(outcome, recommendation), costs(outcome, recommendation));
  }

  private static Panel hitRatios(SizerRun.Outcome outcome, Recommendation recommendation) {
    List<Series> series = new ArrayList<>();
    long[] l1 = outcome.l1Sizes();
    double[] x = new double[l1.length];
    double[] y = new double[l1.length];
    int k = 0;
    for (int i = 0; i < l1.length; i++) {
      if (l1[i] > 0) {
        x[k] = l1[i];
        y[k++] = outcome.replays().get(i).l1HitRatio();
      }
    }
    series.add(new Series("L1 hit ratio (x: L1 entries per node)", "#377eb8", trim(x, k), trim(y, k), true, 4));
    LinkedHashSet<Integer> picks = new LinkedHashSet<>();
    picks.add(0);
    if (recommendation.chosen() != null) {
      for (int i = 0; i < l1.length; i++) {
        if (l1[i] == recommendation.chosen().l1Entries()) {
          picks.add(i);
        }
      }
    }
    picks.add(l1.length / 2);
    picks.add(l1.length - 1);
    long[] l2 = outcome.l2Sizes();
    int color = 0;
    for (int i : picks) {
      if (color == L2_COLORS.length) {
        break;
      }
      double[] lx = new double[l2.length];
      double[] ly = new double[l2.length];
      for (int j = 0; j < l2.length; j++) {
        lx[j] = l2[j];
        ly[j] = outcome.replays().get(i).l2LocalHitRatio(j);
      }
      series.add(new Series(String.format(Locale.ROOT, "L2 hit ratio of L1 misses, L1 = %s (x: L2 entries)",
          count(l1[i])), L2_COLORS[color++], lx, ly, true, 3));
    }
    return new Panel("Hit ratio by size", "entries (log scale)", "hit ratio", series);
  }

  private static Panel costs(SizerRun.Outcome outcome, Recommendation recommendation) {
    List<CurvePoint> points = outcome.points();
    double[] x = new double[points.size()];
    double[] y = new double[points.size()];
    for (int i = 0; i < points.size(); i++) {
      x[i] = mib(points.get(i).memoryBytes());
      y[i] = points.get(i).meanLatencyUs();
    }
    List<Series> series = new ArrayList<>();
    series.add(new Series("every pair of sizes", "#999999", x, y, false, 3));
    List<CurvePoint> frontier = recommendation.frontier();
    double[] fx = new double[frontier.size()];
    double[] fy = new double[frontier.size()];
    for (int i = 0; i < frontier.size(); i++) {
      fx[i] = mib(frontier.get(i).memoryBytes());
      fy[i] = frontier.get(i).meanLatencyUs();
    }
    series.add(new Series("Pareto frontier", "#377eb8", fx, fy, true, 4));
    CurvePoint chosen = recommendation.chosen();
    if (chosen != null) {
      series.add(new Series(String.format(Locale.ROOT, "recommended: L1 %s x nodes, L2 %s",
          count(chosen.l1Entries()), count(chosen.l2Entries())), "#e41a1c",
          new double[] {mib(chosen.memoryBytes())}, new double[] {chosen.meanLatencyUs()}, false, 9));
    }
    return new Panel("Mean read latency by memory", "memory, MiB (log scale): L1 x nodes + Redis",
        "mean latency, µs", series);
  }

  static double mib(long bytes) {
    return bytes / (1024.0 * 1024.0);
  }

  /** 1200 as 1.2k, 3000000 as 3M. */
  static String count(long n) {
    if (n >= 1_000_000 && n % 100_000 == 0) {
      return trimZero(n / 1e6) + "M";
    }
    if (n >= 1_000 && n % 100 == 0) {
      return trimZero(n / 1e3) + "k";
    }
    return Long.toString(n);
  }

  private static String trimZero(double value) {
    String text = String.format(Locale.ROOT, "%.1f", value);
    return text.endsWith(".0") ? text.substring(0, text.length() - 2) : text;
  }

  private static double[] trim(double[] values, int length) {
    return java.util.Arrays.copyOf(values, length);
  }
}
