package io.tieredcache.sizer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

class TraceGeneratorTest {

  @Test
  void theSameSpecGivesTheSameTraceAndAnotherSeedAnotherOne() {
    Trace a = TraceGenerator.generate("zipf:alpha=0.9,keys=1000,requests=5000,seed=7,writes=0.1");
    Trace b = TraceGenerator.generate("zipf:alpha=0.9,keys=1000,requests=5000,seed=7,writes=0.1");
    Trace c = TraceGenerator.generate("zipf:alpha=0.9,keys=1000,requests=5000,seed=8,writes=0.1");
    boolean differs = false;
    for (int i = 0; i < a.length(); i++) {
      assertThat(a.key(i)).isEqualTo(b.key(i));
      assertThat(a.op(i)).isEqualTo(b.op(i));
      assertThat(a.time(i)).isEqualTo(b.time(i));
      differs |= a.key(i) != c.key(i);
    }
    assertThat(differs).isTrue();
  }

  @Test
  void zipfIsSkewedAsItsAlphaSays() {
    Trace trace = TraceGenerator.generate("zipf:alpha=1.0,keys=1000,requests=200000,seed=1");
    Map<Long, Integer> counts = counts(trace);
    int top = counts.values().stream().max(Integer::compare).orElseThrow();
    double harmonic = 0;
    for (int k = 1; k <= 1000; k++) {
      harmonic += 1.0 / k;
    }
    assertThat((double) top / trace.length()).isCloseTo(1 / harmonic, within(0.01));
    assertThat(counts.size()).isLessThanOrEqualTo(1000);
  }

  @Test
  void hotspotSendsItsShareOfRequestsToItsHotKeys() {
    Trace trace = TraceGenerator.generate("hotspot:keys=1000,hot=0.1,hotRate=0.9,requests=100000,seed=3");
    Map<Long, Integer> counts = counts(trace);
    int hottest100 = counts.values().stream().sorted((x, y) -> y - x).limit(100).mapToInt(Integer::intValue).sum();
    assertThat((double) hottest100 / trace.length()).isCloseTo(0.9, within(0.01));
  }

  @Test
  void loopReadsItsKeysInOrderAgainAndAgain() {
    Trace trace = TraceGenerator.generate("loop:keys=3,requests=7,rps=1000");
    assertThat(trace.key(0)).isEqualTo(trace.key(3)).isEqualTo(trace.key(6));
    assertThat(trace.key(1)).isNotEqualTo(trace.key(0));
    assertThat(trace.time(1)).isEqualTo(1_000_000L);
    assertThat(trace.size(0)).isEqualTo(256);
  }

  @Test
  void writesAndInvalidationsTakeTheirShares() {
    Trace trace = TraceGenerator.generate("zipf:keys=100,requests=100000,writes=0.2,invalidates=0.05");
    int writes = 0;
    int invalidations = 0;
    for (int i = 0; i < trace.length(); i++) {
      writes += trace.op(i) == Trace.PUT ? 1 : 0;
      invalidations += trace.op(i) == Trace.INVALIDATE ? 1 : 0;
    }
    assertThat(writes / 100000.0).isCloseTo(0.2, within(0.01));
    assertThat(invalidations / 100000.0).isCloseTo(0.05, within(0.01));
  }

  @Test
  void badSpecsAreRefusedWithTheReason() {
    assertThatThrownBy(() -> TraceGenerator.generate("pareto:keys=1")).hasMessageContaining("unknown generator");
    assertThatThrownBy(() -> TraceGenerator.generate("zipf:hot=0.1")).hasMessageContaining("no parameter 'hot'");
    assertThatThrownBy(() -> TraceGenerator.generate("zipf:keys=ten")).hasMessageContaining("not a number");
  }

  private static Map<Long, Integer> counts(Trace trace) {
    Map<Long, Integer> counts = new HashMap<>();
    for (int i = 0; i < trace.length(); i++) {
      counts.merge(trace.key(i), 1, Integer::sum);
    }
    return counts;
  }
}
