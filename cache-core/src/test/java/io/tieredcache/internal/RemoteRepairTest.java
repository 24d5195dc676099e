package io.tieredcache.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;

/** The repair list keeps a key that fails again while a repair of it is running. */
class RemoteRepairTest {

  @Test
  void aKeyThatFailsAgainDuringItsRepairIsNotForgotten() throws Exception {
    CountDownLatch repairing = new CountDownLatch(1);
    CountDownLatch failedAgain = new CountDownLatch(1);
    AtomicInteger attempts = new AtomicInteger();
    var repair = new RemoteRepair<String>(new RemoteRepair.Attempt<>() {
      @Override
      public Set<String> keys(List<String> keys) {
        if (attempts.incrementAndGet() == 1) {
          repairing.countDown();
          await(failedAgain);
        }
        return Set.of(); // every key deleted remotely
      }

      @Override
      public boolean everything() {
        return true;
      }
    });
    repair.add(List.of("k"));
    assertThat(repairing.await(10, TimeUnit.SECONDS)).isTrue();
    repair.add(List.of("k")); // a newer write of k failed while the first repair was running
    failedAgain.countDown();
    Awaitility.await().atMost(5, TimeUnit.SECONDS).until(() -> attempts.get() >= 2);
    Awaitility.await().atMost(5, TimeUnit.SECONDS).until(repair::isEmpty);
    assertThat(attempts.get()).as("the second failure got its own repair").isGreaterThanOrEqualTo(2);
  }

  @Test
  void aKeyThatFailsAgainDuringItsRepairStaysCoveredUntilRepairedAgain() throws Exception {
    CountDownLatch repairing = new CountDownLatch(1);
    CountDownLatch failedAgain = new CountDownLatch(1);
    CompletableFuture<Boolean> coveredAfterFirstRepair = new CompletableFuture<>();
    AtomicInteger attempts = new AtomicInteger();
    java.util.concurrent.atomic.AtomicReference<RemoteRepair<String>> self = new java.util.concurrent.atomic.AtomicReference<>();
    self.set(new RemoteRepair<>(new RemoteRepair.Attempt<>() {
      @Override
      public Set<String> keys(List<String> keys) {
        int attempt = attempts.incrementAndGet();
        if (attempt == 1) {
          repairing.countDown();
          await(failedAgain);
          return Set.of();
        }
        coveredAfterFirstRepair.complete(self.get().covers("k"));
        return Set.of("k"); // still failing: stays on the list
      }

      @Override
      public boolean everything() {
        return true;
      }
    }));
    self.get().add(List.of("k"));
    assertThat(repairing.await(10, TimeUnit.SECONDS)).isTrue();
    self.get().add(List.of("k"));
    failedAgain.countDown();
    assertThat(coveredAfterFirstRepair.get(10, TimeUnit.SECONDS)).isTrue();
    assertThat(self.get().covers("k")).isTrue();
    assertThat(self.get().closeAndDrain(TimeUnit.MILLISECONDS.toNanos(100))).isEqualTo(1);
  }

  private static void await(CountDownLatch latch) {
    try {
      latch.await(10, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
