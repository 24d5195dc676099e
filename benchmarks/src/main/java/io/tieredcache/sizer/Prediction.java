package io.tieredcache.sizer;

/**
 * The sizer's prediction for one pair of sizes, for code outside this package that checks the
 * model against a real run (the {@code SizerCheckBenchmark} and the Redis LRU test).
 *
 * @param l1HitRatio share of all reads L1 answers
 * @param l2HitRatio share of all reads L2 answers
 */
public record Prediction(double l1HitRatio, double l2HitRatio) {

  /** Replays {@code trace} exactly on {@code nodes} nodes (random routing) at these sizes, with no TTLs. */
  public static Prediction exact(Trace trace, int nodes, long l1Entries, long l2Entries) {
    Replay replay = new Replay(new Replay.Setup(trace, nodes, Routing.RANDOM, 1, 0, 0, new long[] {l2Entries}));
    Replay.Result result = replay.run(l1Entries, 1, 1, null);
    double h1 = result.l1HitRatio();
    return new Prediction(h1, (1 - h1) * result.l2LocalHitRatio(0));
  }

  /** The LRU hit ratio of {@code trace}'s reads (writes fill, invalidations delete) at each size. */
  public static double[] lruHitRatios(Trace trace, long[] sizes) {
    LruStack stack = new LruStack(1 << 16, 0);
    long reads = 0;
    long[] hits = new long[sizes.length];
    for (int i = 0; i < trace.length(); i++) {
      switch (trace.op(i)) {
        case Trace.GET -> {
          reads++;
          long distance = stack.read(trace.key(i), trace.time(i));
          for (int j = 0; j < sizes.length; j++) {
            if (distance <= sizes[j]) {
              hits[j]++;
            }
          }
        }
        case Trace.PUT -> stack.write(trace.key(i), trace.time(i));
        case Trace.INVALIDATE -> stack.delete(trace.key(i));
        default -> stack.clear();
      }
    }
    double[] ratios = new double[sizes.length];
    for (int j = 0; j < sizes.length; j++) {
      ratios[j] = reads == 0 ? 0 : (double) hits[j] / reads;
    }
    return ratios;
  }
}
