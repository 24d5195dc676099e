package io.tieredcache.trace;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

class RecordBufferTest {

  @Test
  void aFullRingRefusesAtOnceAndAcceptsAgainOncePolled() {
    RecordBuffer buffer = new RecordBuffer(4);
    for (int i = 0; i < 4; i++) {
      assertThat(buffer.offer(i, 10 + i, 20 + i)).isTrue();
    }
    assertThat(buffer.offer(99, 99, 99)).isFalse();
    assertThat(buffer.poll()).isTrue();
    assertThat(buffer.polledTime).isZero();
    assertThat(buffer.polledHash).isEqualTo(10);
    assertThat(buffer.polledMeta).isEqualTo(20);
    assertThat(buffer.offer(4, 14, 24)).isTrue();
    List<Long> times = new ArrayList<>();
    while (buffer.poll()) {
      times.add(buffer.polledTime);
    }
    assertThat(times).containsExactly(1L, 2L, 3L, 4L);
  }

  @Test
  void manyProducersLoseNothingThatWasAccepted() throws Exception {
    RecordBuffer buffer = new RecordBuffer(1 << 10);
    int threads = 4;
    int perThread = 50_000;
    long[] accepted = new long[threads];
    List<Thread> producers = new ArrayList<>();
    for (int t = 0; t < threads; t++) {
      int id = t;
      producers.add(new Thread(() -> {
        for (int i = 0; i < perThread; i++) {
          if (buffer.offer(i, id, (long) id * perThread + i)) {
            accepted[id]++;
          }
        }
      }));
    }
    producers.forEach(Thread::start);
    Set<Long> seen = new HashSet<>();
    while (producers.stream().anyMatch(Thread::isAlive)) {
      while (buffer.poll()) {
        assertThat(seen.add(buffer.polledMeta)).isTrue();
      }
    }
    for (Thread producer : producers) {
      producer.join();
    }
    while (buffer.poll()) {
      assertThat(seen.add(buffer.polledMeta)).isTrue();
    }
    long total = 0;
    for (long count : accepted) {
      total += count;
    }
    assertThat(seen).hasSize((int) total);
  }
}
