package io.tieredcache.redis.bus;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.lettuce.core.RedisClient;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The contract on Redis Streams, and what streams add: replay, bounded length, trimming. */
class StreamBusIT extends InvalidationBusContract {

  static final Duration TIMEOUT = StreamBusOptions.DEFAULT_SILENCE_TIMEOUT;

  @Override
  RedisInvalidationBus newBus(RedisClient client, String name) {
    return StreamInvalidationBus.create(client, StreamBusOptions.builder().streamKey(name).build());
  }

  @Override
  RedisInvalidationBus newBus(String uri, String name) {
    return StreamInvalidationBus.create(uri, StreamBusOptions.builder().streamKey(name).build());
  }

  @Override
  String receivingRole() {
    return "read";
  }

  @Override
  String sendingRole() {
    return "append";
  }

  @Override
  boolean replays() {
    return true;
  }

  @Override
  Duration silenceTimeout() {
    return TIMEOUT;
  }

  @Override
  void pauseHeartbeats(Node node) {
    // streams have none
  }

  Node node(StreamBusOptions options) {
    return node(client -> StreamInvalidationBus.create(client, options.mutate().streamKey(name).build()));
  }

  static StreamInvalidationBus streams(Node node) {
    return (StreamInvalidationBus) node.bus;
  }

  @Test
  void startsWithNewMessagesOnly() {
    Node a = node();
    a.publish("c", "old");
    Node b = node();
    RecordingListener rb = b.listen("c");
    a.publish("c", "new");
    await().atMost(WAIT).until(() -> rb.keys.contains("new"));
    assertThat(rb.keys).containsExactly("new");
    assertThat(rb.notices).isEmpty();
  }

  @Test
  void trimmingKeepsTheStreamBounded() {
    StreamBusOptions small = StreamBusOptions.builder().maxLength(100).readBatch(50).build();
    Node a = node(small);
    Node b = node(small);
    RecordingListener rb = b.listen("c");
    for (int i = 0; i < 1_000; i++) {
      a.publish("c", "k" + i); // one entry each: every publish waits for the previous one
    }
    await().atMost(WAIT).until(() -> rb.keys.contains("k999"));
    long length = (Long) admin.command("XLEN", name);
    System.out.printf("[StreamBusIT] XLEN after 1000 appends with MAXLEN ~ 100: %d%n", length);
    assertThat(length).isBetween(100L, 200L); // approximate trimming drops whole nodes of 100
    // Nothing is lost silently: either every key arrived, or the reader fell further behind than
    // the stream keeps (a loaded machine) and was told so.
    if (rb.keys.size() < 1_000) {
      await().atMost(WAIT).until(() -> rb.notices.contains("lost:trimmed"));
    } else {
      assertThat(rb.notices).doesNotContain("lost:trimmed", "lost:gap");
    }
  }

  @Test
  void nodeWhoseLastEntryWasTrimmedAwayIsToldOfTheLoss() {
    StreamBusOptions small = StreamBusOptions.builder().maxLength(100).readBatch(50).build();
    Node a = node(small);
    Node b = node(small);
    RecordingListener rb = b.listen("c");
    a.publish("c", "before");
    await().atMost(WAIT).until(() -> rb.keys.contains("before"));

    streams(b).pauseReading(true);
    await().atMost(TIMEOUT.plus(MARGIN)).until(() -> rb.notices.contains("deaf:silence"));
    for (int i = 0; i < 400; i++) {
      a.publish("c", "missed" + i);
    }
    streams(b).pauseReading(false);

    a.publish("c", "after");
    await().atMost(WAIT).until(() -> rb.keys.contains("after"));
    await().atMost(WAIT).until(() -> rb.notices.size() == 3);
    // trimmed while deaf: hearing again cannot say that nothing was missed
    assertThat(rb.notices).containsExactly("deaf:silence", "lost:trimmed", "hearing:false");
    assertThat(b.bus.stats().trims()).isEqualTo(1);
  }

  @Test
  void streamDeletedWhileConnectedIsNoticed() {
    Node a = node();
    Node b = node();
    RecordingListener rb = b.listen("c");
    a.publish("c", "before");
    await().atMost(WAIT).until(() -> rb.keys.contains("before"));
    assertThat(admin.command("DEL", name)).isEqualTo(1L);
    await().atMost(Duration.ofSeconds(3)).until(() -> rb.notices.contains("lost:trimmed"));
    awaitWorking(a, rb, "c");
  }

  @Test
  void aPausedReaderIsDeafOnceThenReplaysEverything() {
    Node a = node();
    Node b = node();
    RecordingListener rb = b.listen("c");
    a.publish("c", "before");
    await().atMost(WAIT).until(() -> rb.keys.contains("before"));

    long pausedAt = System.nanoTime();
    streams(b).pauseReading(true);
    a.publish("c", "during");
    // the read in flight when reading pauses still completes, up to one block timeout later
    await().atMost(TIMEOUT.plus(StreamBusOptions.DEFAULT_BLOCK_TIMEOUT).plus(MARGIN))
        .until(() -> rb.notices.contains("deaf:silence"));
    System.out.printf("[StreamBusIT] stalled reader deaf after %d ms (timeout %d ms)%n",
        (rb.healthArrivals.get(0) - pausedAt) / 1_000_000, TIMEOUT.toMillis());
    await().during(TIMEOUT.multipliedBy(2)).atMost(TIMEOUT.multipliedBy(3))
        .until(() -> rb.notices.equals(List.of("deaf:silence"))); // once, not every timeout
    streams(b).pauseReading(false);

    await().atMost(WAIT).until(() -> rb.notices.size() == 2);
    assertThat(rb.notices).containsExactly("deaf:silence", "hearing:true");
    assertThat(rb.keys).containsExactly("before", "during");
    assertThat(rb.deafSince.get(0)).isLessThan(rb.healthArrivals.get(0) - TIMEOUT.toNanos());
    assertThat(b.bus.stats().silences()).isEqualTo(1);
  }

  @Test
  void unreadableEntryIsALoss() {
    Node b = node();
    RecordingListener rb = b.listen("c");
    admin.command("XADD", name, "*", "m", "not a bus message");
    admin.command("XADD", name, "*", "other", "field");
    await().atMost(WAIT).until(() -> rb.notices.size() == 2);
    assertThat(rb.notices).containsExactly("lost:unreadable", "lost:unreadable");
    assertThat(b.bus.stats().unreadable()).isEqualTo(2);
  }
}
