package io.tieredcache.redis;

import static org.assertj.core.api.Assertions.assertThat;

import io.lettuce.core.codec.ByteArrayCodec;
import io.lettuce.core.output.ValueOutput;
import io.lettuce.core.protocol.AsyncCommand;
import io.lettuce.core.protocol.Command;
import io.lettuce.core.protocol.CommandType;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** A call's commands are all cancelled when it times out, however many and whenever added. */
class BatchTest {

  private static AsyncCommand<byte[], byte[], byte[]> command() {
    return new AsyncCommand<>(new Command<>(CommandType.GET, new ValueOutput<>(ByteArrayCodec.INSTANCE)));
  }

  @Test
  void cancelReachesTheOnlyCommandAndEveryLaterOne() {
    for (int count : new int[] {1, 2, 5}) {
      var batch = new RedisCalls.Batch();
      List<AsyncCommand<byte[], byte[], byte[]>> commands = new ArrayList<>();
      for (int i = 0; i < count; i++) {
        commands.add(command());
        batch.add(commands.get(i));
      }
      batch.cancel();
      assertThat(commands).as("%d commands", count).allMatch(CompletableFuture::isCancelled);
    }
  }

  @Test
  void aCommandAddedAfterTheCancelIsCancelledAtOnce() {
    var batch = new RedisCalls.Batch();
    var before = command();
    batch.add(before);
    batch.cancel();
    var first = command();
    var second = command();
    batch.add(first);
    batch.add(second);
    assertThat(List.of(before, first, second)).allMatch(CompletableFuture::isCancelled);
  }

  @Test
  void finishedCommandsKeepTheirResult() {
    var batch = new RedisCalls.Batch();
    var done = command();
    done.complete();
    batch.add(done);
    batch.cancel();
    assertThat(done.isCancelled()).isFalse();
  }

  /** Adds on two threads racing a cancel on a third, released together: no command escapes. */
  @Test
  void noCommandEscapesACancelThatRacesItsAdd() throws Exception {
    for (int round = 0; round < 2_000; round++) {
      var batch = new RedisCalls.Batch();
      var commands = List.of(command(), command(), command(), command());
      var start = new CountDownLatch(1);
      var adders = List.of(
          CompletableFuture.runAsync(() -> addAll(batch, commands.subList(0, 2), start)),
          CompletableFuture.runAsync(() -> addAll(batch, commands.subList(2, 4), start)));
      start.countDown();
      batch.cancel();
      CompletableFuture.allOf(adders.toArray(CompletableFuture[]::new)).get(10, TimeUnit.SECONDS);
      assertThat(commands).as("round %d", round).allMatch(CompletableFuture::isCancelled);
    }
  }

  private static void addAll(RedisCalls.Batch batch, List<AsyncCommand<byte[], byte[], byte[]>> commands,
      CountDownLatch start) {
    try {
      start.await(10, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return;
    }
    commands.forEach(batch::add);
  }
}
