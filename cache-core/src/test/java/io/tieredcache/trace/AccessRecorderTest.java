package io.tieredcache.trace;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import io.tieredcache.trace.AccessRecorder.Operation;
import io.tieredcache.trace.AccessRecorder.Tier;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class AccessRecorderTest {

  @TempDir
  Path dir;

  /** One record as read back. */
  record Row(Operation operation, long keyHash, Tier tier, int size, long timeNanos) {}

  static List<Row> readAll(Path file) throws IOException {
    List<Row> rows = new ArrayList<>();
    try (AccessTraceReader reader = AccessTraceReader.open(file)) {
      while (reader.next()) {
        rows.add(new Row(reader.operation(), reader.keyHash(), reader.tier(), reader.valueSize(), reader.timeNanos()));
      }
    }
    return rows;
  }

  @Test
  void roundTripsEveryOperationTierAndSize() throws IOException {
    Path file = dir.resolve("t.trace");
    try (AccessRecorder recorder = AccessRecorder.toFile(file).node(7)
        .valueSize((String value) -> value.length()).build()) {
      recorder.record(Operation.GET, "a", "12345", Tier.L1);
      recorder.record(Operation.GET, "b", null, Tier.NONE);
      recorder.record(Operation.GET_ALL_MEMBER, "c", "xy", Tier.L2);
      recorder.record(Operation.GET, "d", "", Tier.LOADER);
      recorder.record(Operation.PUT, "e", "x".repeat(100_000), Tier.NONE);
      recorder.record(Operation.INVALIDATE, "f", null, Tier.NONE);
      recorder.recordInvalidateAll();
    }
    List<Row> rows = readAll(file);
    assertThat(rows).extracting(Row::operation).containsExactly(Operation.GET, Operation.GET,
        Operation.GET_ALL_MEMBER, Operation.GET, Operation.PUT, Operation.INVALIDATE, Operation.INVALIDATE_ALL);
    assertThat(rows).extracting(Row::tier).containsExactly(Tier.L1, Tier.NONE, Tier.L2, Tier.LOADER, Tier.NONE,
        Tier.NONE, Tier.NONE);
    assertThat(rows).extracting(Row::size).containsExactly(5, 0, 2, 0, 100_000, 0, AccessRecorder.UNKNOWN_SIZE);
    assertThat(rows).extracting(Row::keyHash).containsExactly(AccessRecorder.hash("a"), AccessRecorder.hash("b"),
        AccessRecorder.hash("c"), AccessRecorder.hash("d"), AccessRecorder.hash("e"), AccessRecorder.hash("f"), 0L);
    assertThat(rows).extracting(Row::timeNanos).isSorted();
    try (AccessTraceReader reader = AccessTraceReader.open(file)) {
      assertThat(reader.node()).isEqualTo(7);
      assertThat(reader.sampleRate()).isEqualTo(1.0);
      assertThat(reader.startEpochMillis()).isCloseTo(System.currentTimeMillis(), within(60_000L));
      while (reader.next()) {
        // to the end
      }
      assertThat(reader.isComplete()).isTrue();
      assertThat(reader.recordedCount()).isEqualTo(7);
      assertThat(reader.droppedCount()).isZero();
    }
    assertThat(AccessTraceReader.looksLikeTrace(file)).isTrue();
  }

  @Test
  void aCutOffFileReadsUpToItsLastWholeRecord() throws IOException {
    Path file = dir.resolve("cut.trace");
    try (AccessRecorder recorder = AccessRecorder.toFile(file).build()) {
      for (int i = 0; i < 100; i++) {
        recorder.record(Operation.GET, i, null, Tier.L1);
      }
    }
    byte[] bytes = Files.readAllBytes(file);
    Path cut = dir.resolve("cut2.trace");
    Files.write(cut, java.util.Arrays.copyOf(bytes, bytes.length - 12)); // the end record and part of the last
    try (AccessTraceReader reader = AccessTraceReader.open(cut)) {
      int count = 0;
      while (reader.next()) {
        count++;
      }
      assertThat(count).isEqualTo(99);
      assertThat(reader.isComplete()).isFalse();
    }
  }

  @Test
  void samplingKeepsEveryAccessOfASampledKeyAndNoneOfTheOthers() throws IOException {
    Path file = dir.resolve("sampled.trace");
    int keys = 20_000;
    double rate = 0.1;
    try (AccessRecorder recorder = AccessRecorder.toFile(file).sampleRate(rate).bufferCapacity(1 << 20).build()) {
      for (int round = 0; round < 3; round++) {
        for (long key = 0; key < keys; key++) {
          recorder.record(Operation.GET, key, null, Tier.L1);
        }
      }
      recorder.recordInvalidateAll();
      assertThat(recorder.dropped()).isZero();
    }
    Map<Long, Integer> counts = new HashMap<>();
    int invalidateAlls = 0;
    for (Row row : readAll(file)) {
      if (row.operation() == Operation.INVALIDATE_ALL) {
        invalidateAlls++;
      } else {
        counts.merge(row.keyHash(), 1, Integer::sum);
      }
    }
    assertThat(invalidateAlls).isEqualTo(1);
    assertThat(counts.values()).allMatch(count -> count == 3);
    assertThat((double) counts.size() / keys).isCloseTo(rate, within(0.01));
    AccessRecorder probe = AccessRecorder.toFile(dir.resolve("probe.trace")).sampleRate(rate).build();
    try (probe) {
      for (long key = 0; key < keys; key++) {
        assertThat(counts.containsKey(AccessRecorder.hash(key))).isEqualTo(probe.samples(key));
      }
    }
    try (AccessTraceReader reader = AccessTraceReader.open(file)) {
      assertThat(reader.sampleRate()).isEqualTo(rate);
    }
  }

  @Test
  void aFullBufferDropsAndCountsInsteadOfBlocking() throws IOException {
    Path file = dir.resolve("drops.trace");
    int total = 300_000;
    long dropped;
    try (AccessRecorder recorder = AccessRecorder.toFile(file).bufferCapacity(2).build()) {
      for (int i = 0; i < total; i++) {
        recorder.record(Operation.GET, i, null, Tier.L1);
      }
      dropped = recorder.dropped();
    }
    assertThat(dropped).isPositive();
    try (AccessTraceReader reader = AccessTraceReader.open(file)) {
      long read = 0;
      while (reader.next()) {
        read++;
      }
      assertThat(read).isEqualTo(total - dropped);
      assertThat(reader.recordedCount()).isEqualTo(read);
      assertThat(reader.droppedCount()).isEqualTo(dropped);
    }
  }

  @Test
  void thresholdsMatchTheirRates() {
    assertThat(AccessRecorder.threshold(1.0)).isEqualTo(-1L);
    assertThat(AccessRecorder.threshold(0.5)).isEqualTo(Long.MIN_VALUE);
    assertThat(AccessRecorder.threshold(0.25)).isEqualTo(1L << 62);
    assertThat(Long.compareUnsigned(AccessRecorder.threshold(0.75), 3L << 62)).isZero();
  }
}
