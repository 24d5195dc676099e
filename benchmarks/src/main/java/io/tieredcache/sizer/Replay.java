package io.tieredcache.sizer;

import java.util.Arrays;
import java.util.concurrent.atomic.LongAdder;

/**
 * One replay of a trace for one L1 size: every node's L1 (Caffeine) at that size, and the merged
 * stream of their misses, writes and invalidations through an {@link LruStack}, which gives the L2
 * hit ratio at every L2 size in the same pass.
 *
 * <p>With sampling (SHARDS), only keys whose {@linkplain Keys#sampleHash hash} is under a
 * threshold are replayed, against caches scaled down by the same rate (a miniature simulation):
 * the L1 at rate {@code l1Rate}, and the L2 at a rate {@code l2Rate <= l1Rate}, whose keys are a
 * subset of the L1's since both thresholds apply to the same hash. Ratios are taken within the
 * sample, so they need no rescaling.
 */
final class Replay {

  /** What one replay counted, in sampled records. */
  record Result(long l1Entries, double l1Rate, double l2Rate, long allReads, long requests, long l1Hits,
      long l2Reads, long[] l2Hits) {

    /**
     * The share of reads L1 answered. Sampled, it is corrected as SHARDS-adj does: the sample
     * should hold {@code allReads * l1Rate} reads; a shortfall (or excess) is almost always made of
     * the hottest keys, which L1 hits, so it is added to (or taken from) the hits.
     */
    double l1HitRatio() {
      if (l1Rate >= 1) {
        return requests == 0 ? 0 : (double) l1Hits / requests;
      }
      double expected = allReads * l1Rate;
      return expected <= 0 ? 0 : Math.max(0, Math.min(1, (l1Hits + expected - requests) / expected));
    }

    /** The share of reads L1 answered, uncorrected. */
    double rawL1HitRatio() {
      return requests == 0 ? 0 : (double) l1Hits / requests;
    }

    /** Of the reads that reached L2, the share it answered, per L2 size. */
    double l2LocalHitRatio(int l2Index) {
      return l2Reads == 0 ? 0 : (double) l2Hits[l2Index] / l2Reads;
    }
  }

  /** What every replay of one run shares. */
  record Setup(Trace trace, int nodes, Routing routing, long routingSeed, long l1TtlNanos, long l2TtlNanos,
      long[] l2Sizes) {}

  /** Entries of a cache of {@code entries} real keys, in a replay of a trace holding a share {@code rate} of them. */
  static double scaled(long entries, double rate) {
    return entries * rate;
  }

  private static final int PROGRESS_STEP = 1 << 16;

  private final Setup setup;

  Replay(Setup setup) {
    this.setup = setup;
  }

  /**
   * Replays the trace with L1s of {@code l1Entries} real keys per node. Sizes are scaled by the
   * trace's own sample rate (a recorded trace may hold a share of the keys) times the replay's.
   *
   * @param progress receives the number of records scanned, in steps
   */
  Result run(long l1Entries, double l1Rate, double l2Rate, LongAdder progress) {
    Trace trace = setup.trace();
    int nodes = setup.nodes();
    long l1Threshold = Keys.threshold(l1Rate);
    long l2Threshold = Keys.threshold(l2Rate);
    double traceRate = trace.sampleRate();
    long miniL1 = l1Entries == 0 ? 0 : Math.max(1, Math.round(scaled(l1Entries, traceRate * l1Rate)));
    double[] miniL2 = new double[setup.l2Sizes().length];
    for (int j = 0; j < miniL2.length; j++) {
      miniL2[j] = scaled(setup.l2Sizes()[j], traceRate * l2Rate);
    }
    L1Nodes l1 = new L1Nodes(nodes, miniL1, setup.l1TtlNanos(), trace.hasTtls());
    int expectedKeys = (int) Math.min(1 << 24, Math.max(1024, trace.length() * l2Rate / 4));
    LruStack l2 = new LruStack(expectedKeys, setup.l2TtlNanos());
    long allReads = 0;
    long requests = 0;
    long l1Hits = 0;
    long l2Reads = 0;
    long[] bucket = new long[miniL2.length];
    int length = trace.length();
    long step = Math.round(PROGRESS_STEP * workPerRecord(l1Rate));
    for (int i = 0; i < length; i++) {
      if ((i & (PROGRESS_STEP - 1)) == PROGRESS_STEP - 1 && progress != null) {
        progress.add(step);
      }
      byte op = trace.op(i);
      if (op == Trace.INVALIDATE_ALL) {
        l1.invalidateAll();
        l2.clear();
        continue;
      }
      if (op == Trace.GET) {
        allReads++;
      }
      long key = trace.key(i);
      long hash = Keys.sampleHash(key);
      if (!Keys.sampled(hash, l1Threshold)) {
        continue;
      }
      boolean inL2Sample = Keys.sampled(hash, l2Threshold);
      long now = trace.time(i);
      l1.advanceTo(now);
      switch (op) {
        case Trace.GET -> {
          requests++;
          if (l1.read(setup.routing().node(trace, i, nodes, setup.routingSeed()), key, trace.ttlSeconds(i))) {
            l1Hits++;
          } else if (inL2Sample) {
            l2Reads++;
            long distance = l2.read(key, now);
            if (distance != LruStack.INFINITE) {
              int j = firstAtLeast(miniL2, distance);
              if (j < bucket.length) {
                bucket[j]++;
              }
            }
          }
        }
        case Trace.PUT -> {
          l1.write(setup.routing().node(trace, i, nodes, setup.routingSeed()), key, trace.ttlSeconds(i));
          if (inL2Sample) {
            l2.write(key, now);
          }
        }
        case Trace.INVALIDATE -> {
          l1.invalidate(key);
          if (inL2Sample) {
            l2.delete(key);
          }
        }
        default -> throw new IllegalStateException("unknown op " + op);
      }
    }
    if (progress != null) {
      progress.add(Math.round((length % PROGRESS_STEP) * workPerRecord(l1Rate)));
    }
    long[] hits = new long[bucket.length];
    long sum = 0;
    for (int j = 0; j < bucket.length; j++) {
      sum += bucket[j];
      hits[j] = sum;
    }
    return new Result(l1Entries, l1Rate, l2Rate, allReads, requests, l1Hits, l2Reads, hits);
  }

  /** Relative work of one record in a replay at {@code l1Rate}: scanning is cheap, replaying is not. */
  static double workPerRecord(double l1Rate) {
    return 0.05 + l1Rate;
  }

  /** The first index whose (ascending) size holds {@code distance}; {@code sizes.length} if none. */
  private static int firstAtLeast(double[] sizes, long distance) {
    int found = Arrays.binarySearch(sizes, distance);
    if (found >= 0) {
      while (found > 0 && sizes[found - 1] >= distance) {
        found--;
      }
      return found;
    }
    return -found - 1;
  }
}
