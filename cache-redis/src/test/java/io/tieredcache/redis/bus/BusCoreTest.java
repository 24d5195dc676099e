package io.tieredcache.redis.bus;

import static org.assertj.core.api.Assertions.assertThat;

import io.tieredcache.redis.bus.BusMessage.Type;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** What a node tells others about its own failed publishes, with a transport that Redis never answers. */
class BusCoreTest {

  /** Every payload handed to the transport, with the future the test completes for Redis. */
  record Sent(BusMessage message, CompletableFuture<Object> reply) {}

  final List<Sent> sent = new ArrayList<>();
  final BusCore core = new BusCore("me", 1_000, "test");

  BusCoreTest() {
    core.transport(payload -> {
      Sent s = new Sent(MessageCodec.decode(payload), new CompletableFuture<>());
      synchronized (sent) {
        sent.add(s);
      }
      return s.reply;
    });
  }

  @AfterEach
  void shutdown() {
    core.shutdown();
  }

  BusMessage last() {
    synchronized (sent) {
      return sent.get(sent.size() - 1).message();
    }
  }

  @Test
  void numbersStartAfterTheHelloAndNothingHasFailed() {
    core.sendControl(Type.HELLO);
    core.publish("c", List.of("k"));
    core.publishAll("d", 12);
    assertThat(sent).extracting(s -> s.message().type()).containsExactly(Type.HELLO, Type.KEYS, Type.ALL);
    assertThat(sent).extracting(s -> s.message().sequence()).containsExactly(0L, 1L, 2L);
    assertThat(sent).extracting(s -> s.message().lastFailed()).containsOnly(0L);
    assertThat(sent.get(2).message().epoch()).isEqualTo(12);
  }

  @Test
  void aFailedPublishIsNamedInEveryLaterMessage() {
    CompletableFuture<Void> first = core.publish("c", List.of("k1"));
    sent.get(0).reply().completeExceptionally(new IllegalStateException("Redis went away"));
    assertThat(first).isCompletedExceptionally();
    core.publish("c", List.of("k2"));
    assertThat(last().sequence()).isEqualTo(2);
    assertThat(last().lastFailed()).isEqualTo(1);
    core.sendControl(Type.HEARTBEAT);
    assertThat(last().lastFailed()).isEqualTo(1);
    assertThat(core.stats().publishFailures()).isEqualTo(1);
  }

  @Test
  void whatAReplacedConnectionNeverAcknowledgedCountsAsFailed() {
    core.publish("c", List.of("k1"));
    sent.get(0).reply().complete(1L);
    core.publish("c", List.of("k2")); // never answered: the connection dropped under it
    core.connectionReplaced();
    core.sendControl(Type.HEARTBEAT);
    assertThat(last().sequence()).isEqualTo(2);
    assertThat(last().lastFailed()).isEqualTo(2);
  }

  @Test
  void aReplacedConnectionThatAcknowledgedEverythingChangesNothing() {
    core.publish("c", List.of("k1"));
    sent.get(0).reply().complete(1L);
    core.connectionReplaced();
    core.sendControl(Type.HEARTBEAT);
    assertThat(last().lastFailed()).isZero();
  }

  @Test
  void tooManyWaitingKeysUseUpANumberThatOthersSeeAsFailed() {
    core.publish("c", List.of("k0")); // number 1, in flight
    List<String> many = IntStream.rangeClosed(0, Coalescer.MAX_PENDING_KEYS).mapToObj(i -> "p" + i).toList();
    CompletableFuture<Void> overflowing = core.publish("c", many);
    sent.get(0).reply().complete(1L);
    assertThat(overflowing).isCompletedExceptionally();
    assertThat(sent).hasSize(1); // nothing sent for them

    core.sendControl(Type.HEARTBEAT);
    assertThat(last().sequence()).isEqualTo(2);
    assertThat(last().lastFailed()).isEqualTo(2);
  }

  @Test
  void aLostMessageOfTheTestHookCountsAsFailed() {
    core.loseNextMessages(1);
    assertThat(core.publish("c", List.of("k1"))).isCompleted();
    assertThat(sent).isEmpty();
    core.publish("c", List.of("k2"));
    assertThat(last().sequence()).isEqualTo(2);
    assertThat(last().lastFailed()).isEqualTo(1);
  }
}
