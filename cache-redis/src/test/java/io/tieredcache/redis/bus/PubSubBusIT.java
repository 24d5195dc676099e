package io.tieredcache.redis.bus;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.lettuce.core.RedisClient;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The contract on pub/sub, and how pub/sub notices what it lost. */
class PubSubBusIT extends InvalidationBusContract {

  static final Duration TIMEOUT = PubSubBusOptions.DEFAULT_HEARTBEAT_TIMEOUT;
  static final Duration INTERVAL = PubSubBusOptions.DEFAULT_HEARTBEAT_INTERVAL;

  /** The options of every bus of this test on channel {@code name}. */
  PubSubBusOptions options(String name) {
    return PubSubBusOptions.builder().channel(name).build();
  }

  /** The command that publishes on the channel, for messages sent around the bus. */
  String publishCommand() {
    return "PUBLISH";
  }

  @Override
  RedisInvalidationBus newBus(RedisClient client, String name) {
    return PubSubInvalidationBus.create(client, options(name));
  }

  @Override
  RedisInvalidationBus newBus(String uri, String name) {
    return PubSubInvalidationBus.create(uri, options(name));
  }

  @Override
  String receivingRole() {
    return "subscribe";
  }

  @Override
  String sendingRole() {
    return "publish";
  }

  @Override
  boolean replays() {
    return false;
  }

  @Override
  Duration silenceTimeout() {
    return TIMEOUT;
  }

  @Override
  void pauseHeartbeats(Node node) {
    pubsub(node).pauseHeartbeats(true);
  }

  static PubSubInvalidationBus pubsub(Node node) {
    return (PubSubInvalidationBus) node.bus;
  }

  @Test
  void lostLastMessageIsCaughtByTheNextHeartbeat() {
    Node a = node();
    Node b = node();
    RecordingListener rb = b.listen("c");
    a.publish("c", "first");
    await().atMost(WAIT).until(() -> rb.keys.contains("first"));

    pubsub(a).loseNextMessages(1);
    long start = System.nanoTime();
    a.publish("c", "lost"); // nothing follows it but heartbeats
    await().atMost(INTERVAL.plus(MARGIN)).until(() -> rb.notices.contains("lost:gap"));
    System.out.printf("[PubSubBusIT] lost last message detected after %d ms%n",
        (System.nanoTime() - start) / 1_000_000);
    assertThat(rb.keys).containsExactly("first");
    assertThat(b.bus.stats().gaps()).isEqualTo(1);
  }

  @Test
  void aNodeThatStopsHeartbeatingIsALossOnceWhileOthersAreHeard() {
    Node a = node();
    Node b = node();
    RecordingListener ra = a.listen("c");
    RecordingListener rb = b.listen("c");
    a.publish("c", "k");
    await().atMost(WAIT).until(() -> rb.keys.contains("k"));

    pubsub(a).pauseHeartbeats(true); // as if a's publishes no longer reached Redis
    await().atMost(TIMEOUT.plus(MARGIN)).until(() -> rb.notices.contains("lost:silence"));
    // once per silent node, not every timeout; and b itself still hears (its own heartbeats)
    await().during(TIMEOUT.multipliedBy(2)).atMost(TIMEOUT.multipliedBy(3))
        .until(() -> rb.notices.equals(List.of("lost:silence")));
    assertThat(ra.notices).isEmpty(); // a still hears b, and its subscription is fine

    pubsub(a).pauseHeartbeats(false);
    a.publish("c", "back");
    await().atMost(WAIT).until(() -> rb.keys.contains("back"));
    assertThat(rb.notices).containsExactly("lost:silence");
    assertThat(b.bus.stats().silentNodes()).isEqualTo(1);
  }

  @Test
  void aSubscriptionThatHearsNothingWhileRedisAcknowledgesHeartbeatsIsReplaced() {
    Node a = node();
    Node b = node();
    RecordingListener rb = b.listen("c");
    a.publish("c", "before");
    await().atMost(WAIT).until(() -> rb.keys.contains("before"));

    pubsub(b).ignoreIncoming(true); // a subscription that is open but broken, as after a half-open TCP
    await().atMost(TIMEOUT.plus(MARGIN)).until(() -> rb.notices.contains("deaf:silence"));
    await().atMost(TIMEOUT.multipliedBy(2).plus(MARGIN)).until(() -> b.bus.stats().reconnects() >= 1);
    pubsub(b).ignoreIncoming(false);
    awaitWorking(a, rb, "c");
    assertThat(rb.notices).containsExactly("deaf:silence", "hearing:false");
  }

  @Test
  void unreadablePayloadIsALoss() {
    Node b = node();
    RecordingListener rb = b.listen("c");
    admin.command(publishCommand(), name, "not a bus message");
    await().atMost(WAIT).until(() -> rb.notices.contains("lost:unreadable"));
    assertThat(b.bus.stats().unreadable()).isEqualTo(1);
  }
}
