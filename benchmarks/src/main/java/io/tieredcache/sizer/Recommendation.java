package io.tieredcache.sizer;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/**
 * The Pareto frontier of the grid (no other pair is both cheaper in memory and faster) and the
 * recommended pair: the cheapest one meeting the user's targets, or without targets the cheapest
 * one within {@link #DEFAULT_SLACK} of the best mean latency on the grid.
 *
 * @param frontier the frontier, by memory ascending
 * @param chosen the recommended pair, or {@code null} if no pair meets the targets
 * @param reason why this pair, in words
 */
record Recommendation(List<CurvePoint> frontier, CurvePoint chosen, String reason) {

  /** Without a target: within 10% of the best mean latency on the grid. */
  static final double DEFAULT_SLACK = 0.10;

  static Recommendation of(List<CurvePoint> points, double targetLatencyUs, double targetDbLoadsPerSecond) {
    List<CurvePoint> frontier = frontier(points);
    boolean hasTarget = !Double.isNaN(targetLatencyUs) || !Double.isNaN(targetDbLoadsPerSecond);
    double latencyBound = targetLatencyUs;
    String reason;
    if (hasTarget) {
      List<String> wanted = new ArrayList<>();
      if (!Double.isNaN(targetLatencyUs)) {
        wanted.add(String.format(java.util.Locale.ROOT, "mean latency at most %.1f µs", targetLatencyUs));
      }
      if (!Double.isNaN(targetDbLoadsPerSecond)) {
        wanted.add(String.format(java.util.Locale.ROOT, "at most %.1f database loads a second", targetDbLoadsPerSecond));
      }
      reason = "the cheapest pair in memory with " + String.join(" and ", wanted);
    } else {
      double best = points.stream().mapToDouble(CurvePoint::meanLatencyUs).min().orElse(0);
      latencyBound = best * (1 + DEFAULT_SLACK);
      reason = String.format(java.util.Locale.ROOT, "the cheapest pair in memory within %.0f%% of the best mean "
          + "latency on the grid (%.1f µs); no target was given", DEFAULT_SLACK * 100, best);
    }
    CurvePoint chosen = null;
    for (CurvePoint p : points) {
      boolean meets = (Double.isNaN(latencyBound) || p.meanLatencyUs() <= latencyBound)
          && (Double.isNaN(targetDbLoadsPerSecond) || p.dbLoadsPerSecond() <= targetDbLoadsPerSecond);
      if (meets && (chosen == null || p.memoryBytes() < chosen.memoryBytes()
          || (p.memoryBytes() == chosen.memoryBytes() && p.meanLatencyUs() < chosen.meanLatencyUs()))) {
        chosen = p;
      }
    }
    return new Recommendation(frontier, chosen, reason);
  }

  /** Pairs not dominated in (memory, latency), by memory ascending. */
  static List<CurvePoint> frontier(List<CurvePoint> points) {
    List<CurvePoint> sorted = new ArrayList<>(points);
    sorted.sort(Comparator.comparingLong(CurvePoint::memoryBytes).thenComparingDouble(CurvePoint::meanLatencyUs));
    List<CurvePoint> frontier = new ArrayList<>();
    double bestLatency = Double.POSITIVE_INFINITY;
    for (CurvePoint p : sorted) {
      if (p.meanLatencyUs() < bestLatency) {
        frontier.add(p);
        bestLatency = p.meanLatencyUs();
      }
    }
    return frontier;
  }
}
