package io.tieredcache.redis.bus;

import static org.assertj.core.api.Assertions.assertThat;

import io.tieredcache.redis.bus.BusMessage.Type;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

/** What a node tells others about its own failed publishes, with a transport that Redis never answers. */
class OutboxTest {

  /** Every payload handed to the transport, with the future the test completes for Redis. */
  record Sent(BusMessage message, CompletableFuture<Object> reply) {}

  final List<Sent> sent = new ArrayList<>();
  final BusCounters counters = new BusCounters();
  final Outbox outbox = new Outbox("me", 1, "test", 1_000, counters);

  OutboxTest() {
    outbox.transport(payload -> {
      Sent s = new Sent(MessageCodec.decode(payload), new CompletableFuture<>());
      synchronized (sent) {
        sent.add(s);
      }
      return s.reply;
    });
  }

  BusMessage last() {
    synchronized (sent) {
      return sent.get(sent.size() - 1).message();
    }
  }

  @Test
  void numbersStartAfterTheHelloAndNothingHasFailed() {
    outbox.sendControl(Type.HELLO);
    outbox.publish("c", List.of("k"));
    outbox.publishAll("d", 12);
    assertThat(sent).extracting(s -> s.message().type()).containsExactly(Type.HELLO, Type.KEYS, Type.ALL);
    assertThat(sent).extracting(s -> s.message().sequence()).containsExactly(0L, 1L, 2L);
    assertThat(sent).extracting(s -> s.message().lastFailed()).containsOnly(0L);
    assertThat(sent.get(2).message().epoch()).isEqualTo(12);
  }

  @Test
  void aFailedPublishIsNamedInEveryLaterMessage() {
    CompletableFuture<Void> first = outbox.publish("c", List.of("k1"));
    sent.get(0).reply().completeExceptionally(new IllegalStateException("Redis went away"));
    assertThat(first).isCompletedExceptionally();
    outbox.publish("c", List.of("k2"));
    assertThat(last().sequence()).isEqualTo(2);
    assertThat(last().lastFailed()).isEqualTo(1);
    outbox.sendControl(Type.HEARTBEAT);
    assertThat(last().lastFailed()).isEqualTo(1);
    assertThat(counters.publishFailures.sum()).isEqualTo(1);
  }

  @Test
  void whatAReplacedConnectionNeverAcknowledgedCountsAsFailed() {
    outbox.publish("c", List.of("k1"));
    sent.get(0).reply().complete(1L);
    outbox.publish("c", List.of("k2")); // never answered: the connection dropped under it
    outbox.connectionReplaced();
    outbox.sendControl(Type.HEARTBEAT);
    assertThat(last().sequence()).isEqualTo(2);
    assertThat(last().lastFailed()).isEqualTo(2);
  }

  @Test
  void aReplacedConnectionThatAcknowledgedEverythingChangesNothing() {
    outbox.publish("c", List.of("k1"));
    sent.get(0).reply().complete(1L);
    outbox.connectionReplaced();
    outbox.sendControl(Type.HEARTBEAT);
    assertThat(last().lastFailed()).isZero();
  }

  @Test
  void tooManyWaitingKeysUseUpANumberThatOthersSeeAsFailed() {
    outbox.publish("c", List.of("k0")); // number 1, in flight
    List<String> many = IntStream.rangeClosed(0, Coalescer.MAX_PENDING_KEYS).mapToObj(i -> "p" + i).toList();
    CompletableFuture<Void> overflowing = outbox.publish("c", many);
    sent.get(0).reply().complete(1L);
    assertThat(overflowing).isCompletedExceptionally();
    assertThat(sent).hasSize(1); // nothing sent for them

    outbox.sendControl(Type.HEARTBEAT);
    assertThat(last().sequence()).isEqualTo(2);
    assertThat(last().lastFailed()).isEqualTo(2);
  }

  @Test
  void aLostMessageOfTheTestHookCountsAsFailed() {
    outbox.loseNextMessages(1);
    assertThat(outbox.publish("c", List.of("k1"))).isCompleted();
    assertThat(sent).isEmpty();
    outbox.publish("c", List.of("k2"));
    assertThat(last().sequence()).isEqualTo(2);
    assertThat(last().lastFailed()).isEqualTo(1);
  }
}
