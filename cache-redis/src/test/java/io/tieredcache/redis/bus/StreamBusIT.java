package io.tieredcache.redis.bus;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.lettuce.core.RedisClient;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The contract on Redis Streams, and what streams add: replay, bounded length, trimming. */
class StreamBusIT extends InvalidationBusContract {

  @Override
  RedisInvalidationBus newBus(RedisClient client, String name) {
    return StreamInvalidationBus.create(client, StreamBusOptions.builder().streamKey(name).build());
  }

  /**
   * Short enough that a killed reader is back well within the silence timeout, counted from its
   * last completed read (up to one block timeout before the kill), even on a busy machine.
   */
  @Override
  Duration reconnectDelay() {
    return Duration.ofMillis(100);
  }

  @Override
  RedisInvalidationBus newBus(String uri, String name) {
    return StreamInvalidationBus.create(uri, StreamBusOptions.builder().streamKey(name).build());
  }

  /** Kills only this node's reader connection, found by the client name the bus gives it. */
  @Override
  void killReceivingConnection(Node node) {
    String readerName = NodeIds.clientName(node.bus.nodeId(), "read");
    String id = null;
    for (String line : ((String) admin.command("CLIENT", "LIST")).split("\n")) {
      if (line.contains(" name=" + readerName + " ")) {
        id = line.substring(3, line.indexOf(' '));
      }
    }
    assertThat(id).as("reader connection %s", readerName).isNotNull();
    assertThat(admin.command("CLIENT", "KILL", "ID", id)).isEqualTo(1L);
  }

  @Override
  boolean replaysAfterShortDisconnect() {
    return true;
  }

  @Override
  String restartFlushReason() {
    return "trimmed"; // the restarted Redis kept nothing: the stream is gone
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
    Recorder rb = b.listen("c");
    a.publish("c", "new");
    await().atMost(WAIT).until(() -> rb.keys.contains("new"));
    assertThat(rb.keys).containsExactly("new");
    assertThat(rb.flushes).isEmpty();
  }

  @Test
  void trimmingKeepsTheStreamBounded() {
    StreamBusOptions small = StreamBusOptions.builder().maxLength(100).readBatch(50).build();
    Node a = node(small);
    Node b = node(small);
    Recorder rb = b.listen("c");
    for (int i = 0; i < 1_000; i++) {
      a.publish("c", "k" + i); // one entry each: every publish waits for the previous one
    }
    await().atMost(WAIT).until(() -> rb.keys.contains("k999"));
    long length = (Long) admin.command("XLEN", name);
    System.out.printf("[StreamBusIT] XLEN after 1000 appends with MAXLEN ~ 100: %d%n", length);
    assertThat(length).isBetween(100L, 200L); // approximate trimming drops whole nodes of 100
    // Nothing is lost silently: either every key arrived, or the reader fell further behind than
    // the stream keeps (a loaded machine) and was told to flush.
    if (rb.keys.size() < 1_000) {
      await().atMost(WAIT).until(() -> rb.flushes.contains("trimmed"));
    } else {
      assertThat(rb.flushes).isEmpty();
    }
  }

  @Test
  void nodeWhoseLastEntryWasTrimmedAwayFlushes() {
    StreamBusOptions small = StreamBusOptions.builder().maxLength(100).readBatch(50).build();
    Node a = node(small);
    Node b = node(small);
    Recorder rb = b.listen("c");
    a.publish("c", "before");
    await().atMost(WAIT).until(() -> rb.keys.contains("before"));

    streams(b).pauseReading(true);
    for (int i = 0; i < 400; i++) {
      a.publish("c", "missed" + i);
    }
    streams(b).pauseReading(false);

    await().atMost(WAIT).until(() -> rb.flushes.contains("trimmed"));
    assertThat(b.bus.stats().trims()).isEqualTo(1);
    a.publish("c", "after");
    await().atMost(WAIT).until(() -> rb.keys.contains("after"));
  }

  @Test
  void streamDeletedWhileConnectedIsNoticed() {
    Node a = node();
    Node b = node();
    Recorder rb = b.listen("c");
    a.publish("c", "before");
    await().atMost(WAIT).until(() -> rb.keys.contains("before"));
    assertThat(admin.command("DEL", name)).isEqualTo(1L);
    await().atMost(Duration.ofSeconds(3)).until(() -> rb.flushes.contains("trimmed"));
    awaitWorking(a, rb, "c");
  }

  @Test
  void stalledReaderMakesItsNodeFlush() {
    Node a = node();
    Recorder ra = a.listen("c");
    long start = System.nanoTime();
    streams(a).pauseReading(true);
    Duration timeout = StreamBusOptions.DEFAULT_SILENCE_TIMEOUT;
    // the read in flight when reading pauses still completes, up to one block timeout later
    await().atMost(timeout.plus(StreamBusOptions.DEFAULT_BLOCK_TIMEOUT).plusMillis(500))
        .until(() -> ra.flushes.contains("silence"));
    System.out.printf("[StreamBusIT] stalled reader detected after %d ms (timeout %d ms)%n",
        (System.nanoTime() - start) / 1_000_000, timeout.toMillis());
    streams(a).pauseReading(false);
    assertThat(a.bus.stats().silences()).isPositive();
  }

  @Test
  void lostAppendShowsAsAGapWithTheNextOne() {
    Node a = node();
    Node b = node();
    Recorder rb = b.listen("c");
    a.publish("c", "first"); // b starts after a's hello: this gives it a's numbering
    streams(a).loseNextMessages(1);
    a.publish("c", "lost");
    a.publish("c", "next");
    await().atMost(WAIT).until(() -> rb.keys.contains("next"));
    assertThat(rb.keys).containsExactly("first", "next");
    assertThat(rb.flushes).containsExactly("gap");
  }

  @Test
  void unreadableEntryMakesListenersFlush() {
    Node b = node();
    Recorder rb = b.listen("c");
    admin.command("XADD", name, "*", "m", "not a bus message");
    admin.command("XADD", name, "*", "other", "field");
    await().atMost(WAIT).until(() -> rb.flushes.size() == 2);
    assertThat(rb.flushes).containsExactly("unreadable", "unreadable");
    assertThat(b.bus.stats().unreadable()).isEqualTo(2);
  }
}
