package io.tieredcache.redis.bus;

import static io.tieredcache.redis.bus.SequenceTracker.Verdict.FIRST;
import static io.tieredcache.redis.bus.SequenceTracker.Verdict.GAP;
import static io.tieredcache.redis.bus.SequenceTracker.Verdict.IN_ORDER;
import static io.tieredcache.redis.bus.SequenceTracker.Verdict.MISSED_WHILE_DEAF;
import static io.tieredcache.redis.bus.SequenceTracker.Verdict.REPEAT;
import static org.assertj.core.api.Assertions.assertThat;

import io.tieredcache.redis.bus.SequenceTracker.Verdict;
import org.junit.jupiter.api.Test;

class SequenceTrackerTest {

  static final long INC = 99;
  final SequenceTracker tracker = new SequenceTracker();

  /** A numbered message, nothing failed at its origin, this node never deaf. */
  Verdict numbered(String origin, long sequence) {
    return tracker.numbered(origin, INC, sequence, 0, 0, 0);
  }

  /** A heartbeat, hello or bye, nothing failed at its origin, this node never deaf. */
  Verdict latest(String origin, long sequence) {
    return tracker.latest(origin, INC, sequence, 0, 0, 0);
  }

  @Test
  void firstMessageOfAnOriginWithNothingFailedIsTheBaseline() {
    assertThat(numbered("a", 57)).isEqualTo(FIRST);
    assertThat(numbered("a", 58)).isEqualTo(IN_ORDER);
    assertThat(latest("b", 12)).isEqualTo(FIRST);
    assertThat(tracker.last("a")).isEqualTo(58);
  }

  @Test
  void firstContactAfterAFailedNumberIsALoss() {
    // this node cannot know whether it was listening when number 3 failed: the origin may have
    // changed data after this node subscribed, and nobody was told
    assertThat(tracker.numbered("a", INC, 5, 3, 0, 0)).isEqualTo(GAP);
    assertThat(tracker.latest("b", INC, 5, 5, 0, 0)).isEqualTo(GAP);
    assertThat(tracker.numbered("a", INC, 6, 3, 0, 0)).isEqualTo(IN_ORDER); // compared from then on
  }

  @Test
  void skippedNumberThatFailedIsAGapReportedOnce() {
    numbered("a", 1);
    assertThat(tracker.numbered("a", INC, 3, 2, 0, 0)).isEqualTo(GAP);
    assertThat(tracker.numbered("a", INC, 4, 2, 0, 0)).isEqualTo(IN_ORDER);
  }

  @Test
  void lossRightAfterANodeStarts() {
    assertThat(latest("a", 0)).isEqualTo(FIRST); // its hello
    // message 1 never arrived (its publish failed); message 2 says so
    assertThat(tracker.numbered("a", INC, 2, 1, 0, 0)).isEqualTo(GAP);
  }

  @Test
  void skippedNumbersThatRedisAcceptedWhileThisNodeWasDeafAreCovered() {
    tracker.numbered("a", INC, 1, 0, 0, 0);
    // this node was deaf once since (deafSpells 0 -> 1); 2..4 reached Redis: it missed them then
    assertThat(tracker.numbered("a", INC, 5, 0, 1, 0)).isEqualTo(MISSED_WHILE_DEAF);
    assertThat(tracker.numbered("a", INC, 6, 0, 1, 0)).isEqualTo(IN_ORDER);
  }

  @Test
  void skippedNumbersAreALossWhenOneFailedEvenAfterDeafness() {
    tracker.numbered("a", INC, 1, 0, 0, 0);
    assertThat(tracker.latest("a", INC, 4, 3, 1, 0)).isEqualTo(GAP);
  }

  @Test
  void skippedAcceptedNumbersWithoutAnyDeafnessAreALoss() {
    // nothing explains why this node missed numbers Redis accepted: safe side
    tracker.numbered("a", INC, 1, 0, 3, 0);
    assertThat(tracker.numbered("a", INC, 3, 0, 3, 0)).isEqualTo(GAP);
  }

  @Test
  void deafnessBeforeTheLastInOrderMessageExplainsNothingAfterIt() {
    tracker.numbered("a", INC, 1, 0, 0, 0);
    assertThat(tracker.numbered("a", INC, 2, 0, 1, 0)).isEqualTo(IN_ORDER); // heard after the spell
    assertThat(tracker.numbered("a", INC, 4, 0, 1, 0)).isEqualTo(GAP);
  }

  @Test
  void resentNumbersAreRepeats() {
    numbered("a", 5);
    assertThat(numbered("a", 5)).isEqualTo(REPEAT);
    assertThat(numbered("a", 2)).isEqualTo(REPEAT);
    assertThat(numbered("a", 6)).isEqualTo(IN_ORDER);
  }

  @Test
  void heartbeatCarryingTheLastNumberIsFine_aHigherOneRevealsALostLastMessage() {
    numbered("a", 4);
    assertThat(latest("a", 4)).isEqualTo(IN_ORDER);
    assertThat(tracker.latest("a", INC, 5, 5, 0, 0)).isEqualTo(GAP);
    assertThat(tracker.latest("a", INC, 5, 5, 0, 0)).isEqualTo(IN_ORDER);
    assertThat(tracker.numbered("a", INC, 6, 5, 0, 0)).isEqualTo(IN_ORDER);
  }

  @Test
  void byeRevealsALostLastMessage() {
    numbered("a", 7);
    assertThat(tracker.latest("a", INC, 8, 8, 0, 0)).isEqualTo(GAP);
    tracker.forget("a");
    assertThat(tracker.size()).isZero();
  }

  @Test
  void helloOfAFreshNodeStartsAtZero() {
    assertThat(latest("a", 0)).isEqualTo(FIRST);
    assertThat(numbered("a", 1)).isEqualTo(IN_ORDER);
  }

  @Test
  void newIncarnationUnderTheSameIdStartsOver() {
    numbered("a", 500);
    assertThat(tracker.latest("a", INC + 1, 0, 0, 0, 0)).isEqualTo(FIRST);
    assertThat(tracker.numbered("a", INC + 1, 1, 0, 0, 0)).isEqualTo(IN_ORDER);
  }

  @Test
  void forgottenOriginStartsOver() {
    numbered("a", 10);
    tracker.forget("a");
    assertThat(tracker.size()).isZero();
    assertThat(numbered("a", 20)).isEqualTo(FIRST);
  }

  @Test
  void silentOriginsAreReportedOnceUntilHeardAgain() {
    long timeout = 100;
    tracker.latest("a", INC, 0, 0, 0, 0);
    tracker.latest("b", INC, 0, 0, 0, 50);
    assertThat(tracker.markSilent(100, timeout, 0, 10_000)).isZero();
    assertThat(tracker.markSilent(120, timeout, 0, 10_000)).isEqualTo(1); // a
    assertThat(tracker.markSilent(140, timeout, 0, 10_000)).isZero(); // a already reported
    assertThat(tracker.markSilent(160, timeout, 0, 10_000)).isEqualTo(1); // b
    tracker.latest("a", INC, 0, 0, 0, 200);
    assertThat(tracker.markSilent(250, timeout, 0, 10_000)).isZero();
    assertThat(tracker.markSilent(301, timeout, 0, 10_000)).isEqualTo(1); // a again
  }

  @Test
  void silenceCountsFromWhenThisNodeCameBack() {
    tracker.latest("a", INC, 0, 0, 0, 0);
    assertThat(tracker.markSilent(500, 100, 450, 10_000)).isZero();
    assertThat(tracker.markSilent(551, 100, 450, 10_000)).isEqualTo(1);
  }

  @Test
  void longSilentOriginsExpire() {
    tracker.latest("a", INC, 0, 0, 0, 0);
    tracker.latest("b", INC, 0, 0, 0, 900);
    tracker.expire(1_000, 500);
    assertThat(tracker.size()).isEqualTo(1);
    assertThat(tracker.last("a")).isEqualTo(-1);
    tracker.markSilent(2_000, 100, 0, 500);
    assertThat(tracker.size()).isZero();
  }
}
