package io.tieredcache.redis;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

class DeadlinesTest {

  /** A call that ends when told to, and records when and how often it was expired. */
  private static final class Call implements Deadlines.Limited {
    final long deadline;
    volatile boolean done;
    final AtomicInteger expired = new AtomicInteger();
    final AtomicLong expiredAt = new AtomicLong();
    final CountDownLatch expiry = new CountDownLatch(1);

    Call(long deadline) {
      this.deadline = deadline;
    }

    @Override
    public boolean isDone() {
      return done;
    }

    @Override
    public long deadlineNanos() {
      return deadline;
    }

    @Override
    public void expire() {
      expiredAt.set(System.nanoTime());
      expired.incrementAndGet();
      done = true;
      expiry.countDown();
    }
  }

  @Test
  void aCallStillRunningAtItsDeadlineIsExpiredOnceAndNotBefore() throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(50);
    var call = new Call(deadline);
    Deadlines.watch(call);
    assertThat(call.expiry.await(5, TimeUnit.SECONDS)).isTrue();
    assertThat(call.expiredAt.get()).isGreaterThanOrEqualTo(deadline);
    Thread.sleep(10 * Deadlines.TICK_MILLIS); // ten ticks later: still expired once only
    assertThat(call.expired).hasValue(1);
  }

  @Test
  void aCallDoneBeforeItsDeadlineIsNeverExpired() {
    var finished = new Call(System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(30));
    var running = new Call(System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(60));
    Deadlines.watch(finished);
    Deadlines.watch(running);
    finished.done = true;
    // The later deadline passing proves the watcher swept past the earlier one.
    await().atMost(Duration.ofSeconds(5)).until(() -> running.expired.get() == 1);
    assertThat(finished.expired).hasValue(0);
  }

  @Test
  void theWatcherWakesForACallWatchedAfterItWentIdle() throws InterruptedException {
    // Nothing watched for a while: the watcher parks until the next call arrives.
    var first = new Call(System.nanoTime());
    Deadlines.watch(first);
    assertThat(first.expiry.await(5, TimeUnit.SECONDS)).isTrue();
    Thread.sleep(20);
    var later = new Call(System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(10));
    Deadlines.watch(later);
    assertThat(later.expiry.await(5, TimeUnit.SECONDS)).isTrue();
  }
}
