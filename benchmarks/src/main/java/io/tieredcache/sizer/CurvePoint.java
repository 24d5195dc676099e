package io.tieredcache.sizer;

/**
 * One pair of sizes and what it gives; one row of {@code curve.csv}.
 *
 * @param l1Entries L1 entries per node
 * @param l2Entries L2 (Redis) entries
 * @param l1HitRatio share of all reads answered by L1
 * @param l2HitRatio share of all reads answered by L2
 * @param overallHitRatio share answered by either
 * @param l2LocalHitRatio share of the reads that reached L2 which it answered
 * @param dbLoadsPer1k loader calls per 1000 reads
 * @param dbLoadsPerSecond loader calls a second at the trace's read rate
 * @param meanLatencyUs expected mean read latency
 * @param memoryBytes L1 bytes times nodes plus Redis bytes
 */
record CurvePoint(long l1Entries, long l2Entries, double l1HitRatio, double l2HitRatio, double overallHitRatio,
    double l2LocalHitRatio, double dbLoadsPer1k, double dbLoadsPerSecond, double meanLatencyUs, long memoryBytes) {

  static CurvePoint of(long l1Entries, long l2Entries, double l1HitRatio, double l2LocalHitRatio, CostModel cost) {
    double l2HitRatio = (1 - l1HitRatio) * l2LocalHitRatio;
    double overall = Math.min(1, l1HitRatio + l2HitRatio);
    return new CurvePoint(l1Entries, l2Entries, l1HitRatio, l2HitRatio, overall, l2LocalHitRatio,
        (1 - overall) * 1000, cost.dbLoadsPerSecond(overall), cost.meanLatencyUs(l1HitRatio, l2LocalHitRatio),
        cost.memoryBytes(l1Entries, l2Entries));
  }
}
