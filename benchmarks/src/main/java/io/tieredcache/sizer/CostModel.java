package io.tieredcache.sizer;

/**
 * What a pair of sizes costs: expected mean latency {@code t1 + m1 * (t2 + m2 * tDb)} (where
 * {@code m1} is the share of reads L1 misses and {@code m2} the share of those L2 misses),
 * database loads per second, and memory.
 *
 * @param t1Us an L1 hit, microseconds
 * @param t2Us an L2 lookup (a Redis round trip and a decode), microseconds; paid by every L1 miss
 * @param tDbUs a load from the system of record, microseconds; paid by every L2 miss
 * @param readsPerSecond the real read rate of the trace (its reads over its duration, scaled up by
 *     its recording sample rate)
 */
record CostModel(double t1Us, double t2Us, double tDbUs, MemoryModel memory, int nodes, double readsPerSecond) {

  /**
   * Defaults: an L1 hit is about 0.1 µs (Caffeine's {@code getIfPresent} plus our checks, as
   * {@code L1HitBenchmark} measures it, rounded up); an L2 hit on a LAN about 250 µs (a Redis round
   * trip plus decoding, on loopback {@code L2HitBenchmark} measures less); a database load 2 ms.
   * Pass your own: they are what the recommendation trades memory against.
   */
  static final double DEFAULT_T1_US = 0.1;
  static final double DEFAULT_T2_US = 250;
  static final double DEFAULT_TDB_US = 2_000;

  double meanLatencyUs(double l1HitRatio, double l2LocalHitRatio) {
    double m1 = 1 - l1HitRatio;
    double m2 = 1 - l2LocalHitRatio;
    return t1Us + m1 * (t2Us + m2 * tDbUs);
  }

  double dbLoadsPerSecond(double overallHitRatio) {
    return (1 - overallHitRatio) * readsPerSecond;
  }

  long memoryBytes(long l1EntriesPerNode, long l2Entries) {
    return Math.round(l1EntriesPerNode * memory.l1EntryBytes() * nodes + l2Entries * memory.l2EntryBytes());
  }
}
