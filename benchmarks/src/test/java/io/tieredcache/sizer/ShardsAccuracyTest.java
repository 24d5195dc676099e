package io.tieredcache.sizer;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** Sampled (SHARDS-style miniature) replays against exact replays of the same smallish trace. */
class ShardsAccuracyTest {

  @Test
  void sampledCurvesStayCloseToExactOnes() throws Exception {
    Trace trace = TraceGenerator.generate("zipf:alpha=0.9,keys=50000,requests=400000,seed=5,writes=0.02");
    SizerOptions o = SizerOptions.parse(new String[] {"--generate", "x", "--out", "unused", "--nodes", "2",
        "--sample-rate", "0.1", "--min-sampled-entries", "0", "--threads", "2"});
    long[] l1 = {3_000, 6_000, 12_000};
    long[] l2 = {4_000, 10_000, 25_000, 50_000};
    CostModel cost = new CostModel(0.1, 250, 2000, new MemoryModel(100, 10), 2, 10_000);
    SizerRun.Outcome exact = SizerRun.run(trace, o, l1, l2, cost, true, null);
    SizerRun.Outcome sampled = SizerRun.run(trace, o, l1, l2, cost, false, null);
    assertThat(sampled.replays()).allSatisfy(r -> assertThat(r.l1Rate()).isEqualTo(0.1));
    Accuracy accuracy = Accuracy.compare(sampled.points(), exact.points());
    assertThat(accuracy.l1Mae()).as(accuracy.describe()).isLessThan(0.02);
    assertThat(accuracy.l2Mae()).as(accuracy.describe()).isLessThan(0.02);
    assertThat(accuracy.overallMae()).as(accuracy.describe()).isLessThan(0.02);
  }

  @Test
  void theMinimumMiniatureSizeRaisesTheRateOfSmallCaches() throws Exception {
    Trace trace = TraceGenerator.generate("zipf:keys=1000,requests=20000,seed=1");
    SizerOptions o = SizerOptions.parse(new String[] {"--generate", "x", "--out", "unused",
        "--sample-rate", "0.01", "--min-sampled-entries", "500"});
    CostModel cost = new CostModel(0.1, 250, 2000, new MemoryModel(100, 10), 1, 100);
    SizerRun.Outcome sampled = SizerRun.run(trace, o, new long[] {100, 5_000, 100_000}, new long[] {1_000, 50_000},
        cost, false, null);
    assertThat(sampled.replays()).extracting(Replay.Result::l1Rate).containsExactly(1.0, 0.1, 0.01);
    assertThat(sampled.replays()).extracting(Replay.Result::l2Rate).containsExactly(0.5, 0.1, 0.01);
  }
}
