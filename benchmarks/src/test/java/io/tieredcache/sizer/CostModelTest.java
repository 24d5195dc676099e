package io.tieredcache.sizer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.util.List;
import org.junit.jupiter.api.Test;

class CostModelTest {

  private final CostModel cost = new CostModel(1, 100, 1000, new MemoryModel(100, 20), 4, 5_000);

  @Test
  void latencyIsT1PlusL1MissesTimesT2PlusL2MissesTimesTdb() {
    // h1 = 0.5, h2 local = 0.6: 1 + 0.5 * (100 + 0.4 * 1000)
    assertThat(cost.meanLatencyUs(0.5, 0.6)).isCloseTo(251, within(1e-9));
    assertThat(cost.meanLatencyUs(1, 0)).isCloseTo(1, within(1e-9));
    assertThat(cost.meanLatencyUs(0, 0)).isCloseTo(1101, within(1e-9));
  }

  @Test
  void memoryCountsEveryNodesL1AndRedisOnce() {
    MemoryModel m = cost.memory();
    assertThat(m.l1EntryBytes()).isEqualTo(MemoryModel.L1_OVERHEAD_BYTES + 100);
    assertThat(m.l2EntryBytes()).isEqualTo(MemoryModel.L2_OVERHEAD_BYTES + MemoryModel.L2_KEY_PREFIX_BYTES + 20
        + MemoryModel.ENVELOPE_BYTES + 100);
    assertThat(cost.memoryBytes(1000, 5000)).isEqualTo(Math.round(1000 * m.l1EntryBytes() * 4 + 5000 * m.l2EntryBytes()));
  }

  @Test
  void aPointSplitsItsReadsBetweenTheTiers() {
    CurvePoint p = CurvePoint.of(10, 20, 0.5, 0.6, cost);
    assertThat(p.l2HitRatio()).isCloseTo(0.3, within(1e-12));
    assertThat(p.overallHitRatio()).isCloseTo(0.8, within(1e-12));
    assertThat(p.dbLoadsPer1k()).isCloseTo(200, within(1e-9));
    assertThat(p.dbLoadsPerSecond()).isCloseTo(1000, within(1e-9));
    assertThat(p.meanLatencyUs()).isCloseTo(251, within(1e-9));
  }

  @Test
  void theFrontierKeepsOnlyPairsNoOtherBeatsOnBothMemoryAndLatency() {
    CurvePoint cheapSlow = point(100, 500, 0);
    CurvePoint dominated = point(200, 600, 0);
    CurvePoint middle = point(300, 300, 50);
    CurvePoint dearFast = point(900, 100, 0);
    List<CurvePoint> frontier = Recommendation.frontier(List.of(dominated, dearFast, cheapSlow, middle));
    assertThat(frontier).containsExactly(cheapSlow, middle, dearFast);
  }

  @Test
  void theRecommendationIsTheCheapestPairMeetingTheTargets() {
    List<CurvePoint> points = List.of(point(100, 500, 80), point(300, 300, 50), point(900, 100, 10));
    assertThat(Recommendation.of(points, 350, Double.NaN).chosen().memoryBytes()).isEqualTo(300);
    assertThat(Recommendation.of(points, Double.NaN, 20).chosen().memoryBytes()).isEqualTo(900);
    assertThat(Recommendation.of(points, 50, Double.NaN).chosen()).isNull();
    // No target: within 10% of the best latency (100 µs).
    assertThat(Recommendation.of(points, Double.NaN, Double.NaN).chosen().memoryBytes()).isEqualTo(900);
  }

  private static CurvePoint point(long memory, double latency, double dbLoadsPerSecond) {
    return new CurvePoint(1, 1, 0.5, 0.2, 0.7, 0.4, 300, dbLoadsPerSecond, latency, memory);
  }
}
