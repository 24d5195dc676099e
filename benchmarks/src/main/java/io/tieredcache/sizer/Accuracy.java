package io.tieredcache.sizer;

import java.util.List;
import java.util.Locale;

/**
 * How far a sampled grid is from the exact one: mean and largest absolute errors of the three hit
 * ratios over every pair of sizes.
 */
record Accuracy(double l1Mae, double l2Mae, double overallMae, double l1Max, double l2Max, double overallMax) {

  static Accuracy compare(List<CurvePoint> sampled, List<CurvePoint> exact) {
    if (sampled.size() != exact.size()) {
      throw new IllegalArgumentException("grids differ");
    }
    double l1 = 0;
    double l2 = 0;
    double all = 0;
    double l1Max = 0;
    double l2Max = 0;
    double allMax = 0;
    for (int i = 0; i < sampled.size(); i++) {
      double d1 = Math.abs(sampled.get(i).l1HitRatio() - exact.get(i).l1HitRatio());
      double d2 = Math.abs(sampled.get(i).l2HitRatio() - exact.get(i).l2HitRatio());
      double d = Math.abs(sampled.get(i).overallHitRatio() - exact.get(i).overallHitRatio());
      l1 += d1;
      l2 += d2;
      all += d;
      l1Max = Math.max(l1Max, d1);
      l2Max = Math.max(l2Max, d2);
      allMax = Math.max(allMax, d);
    }
    int n = sampled.size();
    return new Accuracy(l1 / n, l2 / n, all / n, l1Max, l2Max, allMax);
  }

  String describe() {
    return String.format(Locale.ROOT, "mean absolute error: l1_hit_ratio %.4f, l2_hit_ratio %.4f, "
        + "overall_hit_ratio %.4f%nlargest absolute error: l1 %.4f, l2 %.4f, overall %.4f%n",
        l1Mae, l2Mae, overallMae, l1Max, l2Max, overallMax);
  }
}
