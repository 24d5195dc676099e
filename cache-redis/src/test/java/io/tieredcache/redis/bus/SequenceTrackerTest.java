package io.tieredcache.redis.bus;

import static io.tieredcache.redis.bus.SequenceTracker.Verdict.FIRST;
import static io.tieredcache.redis.bus.SequenceTracker.Verdict.GAP;
import static io.tieredcache.redis.bus.SequenceTracker.Verdict.IN_ORDER;
import static io.tieredcache.redis.bus.SequenceTracker.Verdict.REPEAT;
import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class SequenceTrackerTest {

  static final long INC = 99;
  final SequenceTracker tracker = new SequenceTracker();

  @Test
  void firstMessageOfAnOriginIsTheBaseline() {
    assertThat(tracker.numbered("a", INC, 57, 0)).isEqualTo(FIRST);
    assertThat(tracker.numbered("a", INC, 58, 0)).isEqualTo(IN_ORDER);
    assertThat(tracker.numbered("b", INC, 1, 0)).isEqualTo(FIRST);
    assertThat(tracker.last("a")).isEqualTo(58);
  }

  @Test
  void skippedNumberIsAGapReportedOnce() {
    tracker.numbered("a", INC, 1, 0);
    assertThat(tracker.numbered("a", INC, 3, 0)).isEqualTo(GAP);
    assertThat(tracker.numbered("a", INC, 4, 0)).isEqualTo(IN_ORDER);
  }

  @Test
  void resentNumbersAreRepeats() {
    tracker.numbered("a", INC, 5, 0);
    assertThat(tracker.numbered("a", INC, 5, 0)).isEqualTo(REPEAT);
    assertThat(tracker.numbered("a", INC, 2, 0)).isEqualTo(REPEAT);
    assertThat(tracker.numbered("a", INC, 6, 0)).isEqualTo(IN_ORDER);
  }

  @Test
  void heartbeatCarryingTheLastNumberIsFine_aHigherOneRevealsALostLastMessage() {
    tracker.numbered("a", INC, 4, 0);
    assertThat(tracker.latest("a", INC, 4, 0)).isEqualTo(IN_ORDER);
    assertThat(tracker.latest("a", INC, 5, 0)).isEqualTo(GAP);
    assertThat(tracker.latest("a", INC, 5, 0)).isEqualTo(IN_ORDER);
    assertThat(tracker.numbered("a", INC, 6, 0)).isEqualTo(IN_ORDER);
  }

  @Test
  void helloOfAFreshNodeStartsAtZero() {
    assertThat(tracker.latest("a", INC, 0, 0)).isEqualTo(FIRST);
    assertThat(tracker.numbered("a", INC, 1, 0)).isEqualTo(IN_ORDER);
  }

  @Test
  void newIncarnationUnderTheSameIdStartsOver() {
    tracker.numbered("a", INC, 500, 0);
    assertThat(tracker.latest("a", INC + 1, 0, 0)).isEqualTo(FIRST);
    assertThat(tracker.numbered("a", INC + 1, 1, 0)).isEqualTo(IN_ORDER);
  }

  @Test
  void forgottenOriginStartsOver() {
    tracker.numbered("a", INC, 10, 0);
    tracker.forget("a");
    assertThat(tracker.size()).isZero();
    assertThat(tracker.numbered("a", INC, 20, 0)).isEqualTo(FIRST);
  }

  @Test
  void silentOriginsAreReportedOnceUntilHeardAgain() {
    long timeout = 100;
    tracker.latest("a", INC, 0, 0);
    tracker.latest("b", INC, 0, 50);
    assertThat(tracker.markSilent(100, timeout, 0, 10_000)).isZero();
    assertThat(tracker.markSilent(120, timeout, 0, 10_000)).isEqualTo(1); // a
    assertThat(tracker.markSilent(140, timeout, 0, 10_000)).isZero(); // a already reported
    assertThat(tracker.markSilent(160, timeout, 0, 10_000)).isEqualTo(1); // b
    tracker.latest("a", INC, 0, 200);
    assertThat(tracker.markSilent(250, timeout, 0, 10_000)).isZero();
    assertThat(tracker.markSilent(301, timeout, 0, 10_000)).isEqualTo(1); // a again
  }

  @Test
  void silenceCountsFromWhenThisNodeCameBack() {
    tracker.latest("a", INC, 0, 0);
    assertThat(tracker.markSilent(500, 100, 450, 10_000)).isZero();
    assertThat(tracker.markSilent(551, 100, 450, 10_000)).isEqualTo(1);
  }

  @Test
  void longSilentOriginsExpire() {
    tracker.latest("a", INC, 0, 0);
    tracker.latest("b", INC, 0, 900);
    tracker.expire(1_000, 500);
    assertThat(tracker.size()).isEqualTo(1);
    assertThat(tracker.last("a")).isEqualTo(-1);
    tracker.markSilent(2_000, 100, 0, 500);
    assertThat(tracker.size()).isZero();
  }
}
