package io.tieredcache.redis.bus;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.tieredcache.redis.bus.BusMessage.Type;
import io.tieredcache.spi.InvalidationBus.Subscription;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;

/** What listeners are told, driven message by message on the calling thread (no Redis). */
class ReceiverTest {

  static final String ME = "me";
  static final long MY_INCARNATION = 1;
  static final long OTHER = 2;

  final ListenerRegistry registry = new ListenerRegistry();
  final BusCounters counters = new BusCounters();
  final Receiver receiver = new Receiver(ME, MY_INCARNATION, "test", registry, counters);

  RecordingListener listen(String cache) {
    RecordingListener listener = new RecordingListener();
    receiver.subscribed(registry.add(cache, listener));
    return listener;
  }

  void hear(BusMessage message) {
    receiver.payload(MessageCodec.encode(message), System.nanoTime());
  }

  static BusMessage keys(String origin, long sequence, long lastFailed, String cache, String... keys) {
    return BusMessage.keys(origin, OTHER, sequence, lastFailed, cache, List.of(keys));
  }

  static BusMessage control(Type type, String origin, long latest, long lastFailed) {
    return BusMessage.control(type, origin, OTHER, latest, lastFailed);
  }

  // ---------------------------------------------------------------- deaf and hearing

  @Test
  void deafIsToldOncePerOutageWithTheFirstReasonAndMoment() {
    RecordingListener users = listen("users");
    receiver.deaf("disconnect", 5);
    receiver.deaf("silence", 9);
    receiver.deaf("disconnect", 12);
    assertThat(users.notices).containsExactly("deaf:disconnect");
    assertThat(users.deafSince).containsExactly(5L);

    receiver.hearing(false);
    receiver.hearing(false);
    assertThat(users.notices).containsExactly("deaf:disconnect", "hearing:false");

    receiver.deaf("silence", 30); // a new outage
    assertThat(users.notices).containsExactly("deaf:disconnect", "hearing:false", "deaf:silence");
    assertThat(users.deafSince).containsExactly(5L, 30L);
    assertThat(counters.deafSpells.sum()).isEqualTo(2);
  }

  @Test
  void hearingWithoutDeafnessIsNotTold() {
    RecordingListener users = listen("users");
    receiver.hearing(true);
    assertThat(users.notices).isEmpty();
  }

  @Test
  void aLossWhileDeafMakesTheHearingSayThatSomethingWasMissed() {
    RecordingListener users = listen("users");
    receiver.deaf("disconnect", 5);
    receiver.lost("trimmed");
    receiver.hearing(true);
    assertThat(users.notices).containsExactly("deaf:disconnect", "lost:trimmed", "hearing:false");

    receiver.deaf("disconnect", 8);
    receiver.hearing(true); // replayed everything this time
    assertThat(users.notices).endsWith("deaf:disconnect", "hearing:true");
  }

  @Test
  void aListenerThatSubscribesWhileDeafIsToldAtOnce() {
    RecordingListener early = listen("early");
    receiver.deaf("silence", 42);
    RecordingListener late = listen("late");
    assertThat(late.notices).containsExactly("deaf:silence");
    assertThat(late.deafSince).containsExactly(42L);

    receiver.hearing(false);
    RecordingListener afterwards = listen("afterwards");
    assertThat(early.notices).containsExactly("deaf:silence", "hearing:false");
    assertThat(late.notices).containsExactly("deaf:silence", "hearing:false");
    assertThat(afterwards.notices).isEmpty();
  }

  @Test
  void aSecondListenerForOneCacheIsRejected() {
    listen("users");
    assertThatThrownBy(() -> registry.add("users", new RecordingListener()))
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("'users'")
        .hasMessageContaining("already subscribed");
  }

  @Test
  void aClosedSubscriptionFreesItsName() {
    RecordingListener first = new RecordingListener();
    Subscription subscription = registry.add("users", first);
    subscription.close();
    RecordingListener second = listen("users");
    hear(keys("a", 1, 0, "users", "k"));
    assertThat(first.keys).isEmpty();
    assertThat(second.keys).containsExactly("k");
  }

  // ---------------------------------------------------------------- messages

  @Test
  void keysAndAllReachOnlyTheirCache() {
    RecordingListener users = listen("users");
    RecordingListener orders = listen("orders");
    hear(control(Type.HELLO, "a", 0, 0));
    hear(keys("a", 1, 0, "users", "u1", "u2"));
    hear(BusMessage.all("a", OTHER, 2, 0, "orders", 17));
    assertThat(users.keys).containsExactly("u1", "u2");
    assertThat(users.notices).isEmpty();
    assertThat(orders.keys).isEmpty();
    assertThat(orders.notices).containsExactly("all:17");
    assertThat(counters.received.sum()).isEqualTo(2);
  }

  @Test
  void ownMessagesAreDropped() {
    RecordingListener users = listen("users");
    hear(BusMessage.keys(ME, MY_INCARNATION, 1, 0, "users", List.of("mine")));
    assertThat(users.keys).isEmpty();
    hear(BusMessage.keys(ME, MY_INCARNATION + 1, 1, 0, "users", List.of("same id, other bus")));
    assertThat(users.keys).containsExactly("same id, other bus");
  }

  @Test
  void aByeAfterALostLastMessageIsALoss() {
    RecordingListener users = listen("users");
    hear(control(Type.HELLO, "a", 0, 0));
    hear(keys("a", 1, 0, "users", "k1"));
    // number 2 failed; then the node closed cleanly, saying its last number was 2
    hear(control(Type.BYE, "a", 2, 2));
    assertThat(users.notices).containsExactly("lost:gap");
    assertThat(counters.gaps.sum()).isEqualTo(1);

    // forgotten after comparing: its next incarnation starts cleanly
    hear(BusMessage.control(Type.HELLO, "a", OTHER + 1, 0, 0));
    assertThat(users.notices).containsExactly("lost:gap");
  }

  @Test
  void aCleanByeIsNothing() {
    RecordingListener users = listen("users");
    hear(keys("a", 1, 0, "users", "k1"));
    hear(control(Type.BYE, "a", 1, 0));
    assertThat(users.notices).isEmpty();
  }

  @Test
  void firstContactAfterAFailedPublishIsALoss() {
    RecordingListener users = listen("users");
    // this node never heard a's hello; a's number 1 failed, then it published number 2
    hear(keys("a", 2, 1, "users", "k2"));
    assertThat(users.notices).containsExactly("lost:gap");
    assertThat(users.keys).containsExactly("k2");
  }

  @Test
  void firstContactWithNothingFailedIsNoLoss() {
    RecordingListener users = listen("users");
    hear(control(Type.HEARTBEAT, "a", 41, 0)); // a started long before this node
    hear(keys("a", 42, 0, "users", "k"));
    assertThat(users.notices).isEmpty();
  }

  @Test
  void numbersMissedWhileDeafAreNotToldTwice() {
    RecordingListener users = listen("users");
    hear(keys("a", 1, 0, "users", "k1"));
    receiver.deaf("disconnect", 10);
    receiver.hearing(false);
    // 2 and 3 reached Redis while this node was not subscribed: onDeaf covered them
    hear(control(Type.HEARTBEAT, "a", 3, 0));
    assertThat(users.notices).containsExactly("deaf:disconnect", "hearing:false");
    assertThat(counters.missedWhileDeaf.sum()).isEqualTo(1);
    assertThat(counters.gaps.sum()).isZero();
  }

  @Test
  void numbersThatFailedWhileThisNodeWasDeafAreStillALoss() {
    RecordingListener users = listen("users");
    hear(keys("a", 1, 0, "users", "k1"));
    receiver.deaf("disconnect", 10);
    receiver.hearing(false);
    hear(control(Type.HEARTBEAT, "a", 3, 3)); // number 3 failed: maybe after this node heard again
    assertThat(users.notices).containsExactly("deaf:disconnect", "hearing:false", "lost:gap");
  }

  @Test
  void unreadablePayloadIsALoss() {
    RecordingListener users = listen("users");
    receiver.payload("not a bus message".getBytes(StandardCharsets.UTF_8), 0);
    assertThat(users.notices).containsExactly("lost:unreadable");
    assertThat(counters.unreadable.sum()).isEqualTo(1);
  }

  // ---------------------------------------------------------------- silent nodes

  @Test
  void silentNodesAreALossOncePerNodeAndOnlyWhileThisNodeHears() {
    RecordingListener users = listen("users");
    receiver.payload(MessageCodec.encode(control(Type.HELLO, "a", 0, 0)), 0);
    receiver.payload(MessageCodec.encode(control(Type.HELLO, "b", 0, 0)), 0);
    receiver.deaf("silence", 0);
    receiver.checkOrigins(1_000, 100, 0, 10_000);
    assertThat(users.notices).containsExactly("deaf:silence");

    receiver.hearing(false);
    receiver.checkOrigins(1_050, 100, 1_000, 10_000);
    receiver.checkOrigins(1_101, 100, 1_000, 10_000);
    receiver.checkOrigins(1_500, 100, 1_000, 10_000);
    assertThat(users.notices).containsExactly("deaf:silence", "hearing:false", "lost:silence", "lost:silence");
    assertThat(counters.silentNodes.sum()).isEqualTo(2);
  }
}
