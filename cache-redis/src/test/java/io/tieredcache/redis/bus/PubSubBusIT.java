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
  /** Scheduling slack on a busy machine, on top of what the bus documents. */
  static final Duration MARGIN = Duration.ofMillis(500);

  @Override
  RedisInvalidationBus newBus(RedisClient client, String name) {
    return PubSubInvalidationBus.create(client, PubSubBusOptions.builder().channel(name).build());
  }

  @Override
  RedisInvalidationBus newBus(String uri, String name) {
    return PubSubInvalidationBus.create(uri, PubSubBusOptions.builder().channel(name).build());
  }

  @Override
  void killReceivingConnection(Node node) {
    assertThat(admin.killClients("pubsub")).isPositive();
  }

  @Override
  boolean replaysAfterShortDisconnect() {
    return false;
  }

  @Override
  String restartFlushReason() {
    return "disconnect";
  }

  static PubSubInvalidationBus pubsub(Node node) {
    return (PubSubInvalidationBus) node.bus;
  }

  @Test
  void lostMessageShowsAsAGapWithTheNextOne() {
    Node a = node();
    Node b = node();
    Recorder rb = b.listen("c");
    a.publish("c", "first");
    await().atMost(WAIT).until(() -> rb.keys.contains("first"));

    pubsub(a).loseNextMessages(1);
    a.publish("c", "lost");
    a.publish("c", "next");
    await().atMost(WAIT).until(() -> rb.keys.contains("next"));
    assertThat(rb.keys).containsExactly("first", "next");
    assertThat(rb.flushes).containsExactly("gap");
    assertThat(b.bus.stats().gaps()).isEqualTo(1);
  }

  @Test
  void lostLastMessageIsCaughtByTheNextHeartbeat() {
    Node a = node();
    Node b = node();
    Recorder rb = b.listen("c");
    a.publish("c", "first");
    await().atMost(WAIT).until(() -> rb.keys.contains("first"));

    pubsub(a).loseNextMessages(1);
    long start = System.nanoTime();
    a.publish("c", "lost"); // nothing follows it but heartbeats
    await().atMost(INTERVAL.plus(MARGIN)).until(() -> rb.flushes.contains("gap"));
    System.out.printf("[PubSubBusIT] lost last message detected after %d ms%n",
        (System.nanoTime() - start) / 1_000_000);
    assertThat(rb.keys).containsExactly("first");
    assertThat(b.bus.stats().gaps()).isEqualTo(1);
  }

  @Test
  void stalledRedisMakesEveryNodeFlushWithinTheTimeout() {
    Node a = node();
    Node b = node();
    Recorder ra = a.listen("c");
    Recorder rb = b.listen("c");
    long start = System.nanoTime();
    admin.pauseClients(Duration.ofMillis(1_500)); // nobody's PUBLISH runs, heartbeats included
    await().atMost(TIMEOUT.plus(MARGIN)).until(() -> ra.flushes.contains("silence") && rb.flushes.contains("silence"));
    System.out.printf("[PubSubBusIT] silence detected after %d ms (timeout %d ms)%n",
        (System.nanoTime() - start) / 1_000_000, TIMEOUT.toMillis());
    assertThat(b.bus.stats().silences()).isPositive();
    assertThat(admin.ping()).isEqualTo("PONG"); // waits for the pause to end
    awaitWorking(a, rb, "c");
  }

  @Test
  void aNodeThatStopsHeartbeatingMakesOthersFlushOnce() {
    Node a = node();
    Node b = node();
    Recorder ra = a.listen("c");
    Recorder rb = b.listen("c");
    a.publish("c", "k");
    await().atMost(WAIT).until(() -> rb.keys.contains("k"));

    pubsub(a).pauseHeartbeats(true); // as if a's publishes no longer reached Redis
    await().atMost(TIMEOUT.plus(MARGIN)).until(() -> rb.flushes.contains("silence"));
    // once per silent node, not every timeout
    await().during(TIMEOUT.multipliedBy(2)).atMost(TIMEOUT.multipliedBy(3))
        .until(() -> rb.flushes.equals(List.of("silence")));
    assertThat(ra.flushes).isEmpty(); // a still hears b, and its subscription is fine

    pubsub(a).pauseHeartbeats(false);
    a.publish("c", "back");
    await().atMost(WAIT).until(() -> rb.keys.contains("back"));
    assertThat(rb.flushes).containsExactly("silence");
  }

  @Test
  void aNodeThatClosesCleanlyCausesNoFlush() {
    Node a = node();
    Node b = node();
    Recorder rb = b.listen("c");
    a.publish("c", "k");
    await().atMost(WAIT).until(() -> rb.keys.contains("k"));
    a.close();
    await().during(TIMEOUT.plus(MARGIN)).atMost(TIMEOUT.multipliedBy(3)).until(rb.flushes::isEmpty);
  }

  @Test
  void unreadablePayloadMakesListenersFlush() {
    Node b = node();
    Recorder rb = b.listen("c");
    admin.command("PUBLISH", name, "not a bus message");
    await().atMost(WAIT).until(() -> rb.flushes.contains("unreadable"));
    assertThat(b.bus.stats().unreadable()).isEqualTo(1);
  }
}
