package io.tieredcache.benchmarks;

import java.util.Arrays;
import java.util.List;
import java.util.Locale;

/** Medians of per-round figures, as the round-based harnesses report them. */
final class Medians {

  private Medians() {}

  /** The median of {@code values} (the mean of the middle two for an even count). */
  static double of(double[] values) {
    double[] sorted = values.clone();
    Arrays.sort(sorted);
    int n = sorted.length;
    return n % 2 == 1 ? sorted[n / 2] : (sorted[n / 2 - 1] + sorted[n / 2]) / 2;
  }

  /** The median of {@code values}. */
  static double of(List<Double> values) {
    return of(values.stream().mapToDouble(Double::doubleValue).toArray());
  }

  /** {@code "median (min..max)"}, three decimals each. */
  static String withRange(double[] values) {
    double min = Arrays.stream(values).min().orElse(Double.NaN);
    double max = Arrays.stream(values).max().orElse(Double.NaN);
    return String.format(Locale.ROOT, "%.3f (%.3f..%.3f)", of(values), min, max);
  }
}
