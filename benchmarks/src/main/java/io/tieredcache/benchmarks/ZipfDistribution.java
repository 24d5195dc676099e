package io.tieredcache.benchmarks;

import java.util.Arrays;
import java.util.Random;

/**
 * Draws ranks {@code 0..n-1} where rank {@code k} (0-based) has probability proportional to
 * {@code 1 / (k + 1)^s}: a few keys are hot, most are cold, as in the key popularity of real
 * caches. Sampling inverts the cumulative distribution with a binary search; it is meant for
 * precomputing key sequences, not for a measured loop.
 */
public final class ZipfDistribution {

  private final double[] cumulative;

  /**
   * @param n number of distinct ranks, at least 1
   * @param exponent the skew {@code s}, at least 0 ({@code 0} is uniform; around 1 is typical)
   */
  public ZipfDistribution(int n, double exponent) {
    if (n < 1) {
      throw new IllegalArgumentException("n must be >= 1, was " + n);
    }
    if (!(exponent >= 0)) {
      throw new IllegalArgumentException("exponent must be >= 0, was " + exponent);
    }
    cumulative = new double[n];
    double sum = 0;
    for (int k = 0; k < n; k++) {
      sum += 1.0 / Math.pow(k + 1, exponent);
      cumulative[k] = sum;
    }
    for (int k = 0; k < n; k++) {
      cumulative[k] /= sum;
    }
    cumulative[n - 1] = 1.0;
  }

  /** The probability of {@code rank}. */
  public double probability(int rank) {
    return rank == 0 ? cumulative[0] : cumulative[rank] - cumulative[rank - 1];
  }

  /** Draws one rank in {@code [0, n)}. */
  public int sample(Random random) {
    double u = random.nextDouble();
    int found = Arrays.binarySearch(cumulative, u);
    // An exact match at k means u is the top of rank k's interval, which belongs to rank k + 1.
    int rank = found >= 0 ? found + 1 : -found - 1;
    return Math.min(rank, cumulative.length - 1);
  }

  /** Fills an array of {@code size} independent draws. */
  public int[] samples(int size, Random random) {
    int[] ranks = new int[size];
    for (int i = 0; i < size; i++) {
      ranks[i] = sample(random);
    }
    return ranks;
  }
}
