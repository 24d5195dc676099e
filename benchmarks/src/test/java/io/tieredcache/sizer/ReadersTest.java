package io.tieredcache.sizer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.tieredcache.trace.AccessRecorder;
import io.tieredcache.trace.AccessRecorder.Operation;
import io.tieredcache.trace.AccessRecorder.Tier;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ReadersTest {

  @TempDir
  Path dir;

  private Path file(String name, String text) throws IOException {
    Path file = dir.resolve(name);
    Files.writeString(file, text);
    return file;
  }

  @Test
  void csvReadsEveryColumnAndSkipsAHeader() throws IOException {
    Path csv = file("t.csv", """
        timestamp,key,size,op,ttl,node
        1000,user:1,120,get,,2
        1001.5,user:2,,put,60,0
        1002,user:1,,delete
        1003,user:3
        # a comment
        1004,x,,invalidate_all
        """);
    Trace trace = InputFormat.CSV.read(csv, InputFormat.ReadOptions.DEFAULT);
    assertThat(trace.length()).isEqualTo(5);
    assertThat(trace.time(0)).isEqualTo(1_000_000_000L);
    assertThat(trace.time(1)).isEqualTo(1_001_500_000L);
    assertThat(trace.key(0)).isEqualTo(trace.key(2)).isNotEqualTo(trace.key(1));
    assertThat(trace.key(0)).isEqualTo(Keys.ofText("user:1", 0, 6));
    assertThat(new byte[] {trace.op(0), trace.op(1), trace.op(2), trace.op(3), trace.op(4)})
        .containsExactly(Trace.GET, Trace.PUT, Trace.INVALIDATE, Trace.GET, Trace.INVALIDATE_ALL);
    assertThat(trace.size(0)).isEqualTo(120);
    assertThat(trace.size(1)).isEqualTo(Trace.NO_SIZE);
    assertThat(trace.ttlSeconds(1)).isEqualTo(60);
    assertThat(trace.node(0)).isEqualTo((short) 2);
    assertThat(trace.node(3)).isEqualTo(Trace.NO_NODE);
    assertThat(trace.sampleRate()).isEqualTo(1.0);
  }

  @Test
  void csvRejectsAnUnknownOperationWithItsLine() throws IOException {
    Path csv = file("bad.csv", "1,a,1,frobnicate\n");
    assertThatThrownBy(() -> InputFormat.CSV.read(csv, InputFormat.ReadOptions.DEFAULT))
        .isInstanceOf(IOException.class).hasMessageContaining(":1:").hasMessageContaining("frobnicate");
  }

  @Test
  void arcExpandsEachLineIntoItsBlocks() throws IOException {
    Path arc = file("t.arc", "100 3 0 1\n7 1 0 2\n");
    Trace trace = InputFormat.ARC.read(arc, new InputFormat.ReadOptions(1, 1000));
    assertThat(trace.length()).isEqualTo(4);
    assertThat(new long[] {trace.key(0), trace.key(1), trace.key(2), trace.key(3)}).containsExactly(100, 101, 102, 7);
    assertThat(trace.time(3)).isEqualTo(3_000_000L); // 1000 a second
  }

  @Test
  void lirsReadsOneBlockPerLineAndSkipsTheEndMarker() throws IOException {
    Path lirs = file("t.lirs", "5\n6\n5\n*\n");
    Trace trace = InputFormat.LIRS.read(lirs, InputFormat.ReadOptions.DEFAULT);
    assertThat(trace.length()).isEqualTo(3);
    assertThat(trace.key(2)).isEqualTo(5);
  }

  @Test
  void twitterMapsOperationsClientsAndTtls() throws IOException {
    Path tw = file("t.twitter", """
        0,keyA,10,100,7,get,0
        0,keyA,10,100,7,set,3600
        1,keyB,10,50,8,gets,0
        2,keyA,10,0,9,delete,0
        3,keyC,10,0,9,touch,0
        """);
    Trace trace = InputFormat.TWITTER.read(tw, InputFormat.ReadOptions.DEFAULT);
    assertThat(trace.length()).isEqualTo(4); // touch is skipped
    assertThat(new byte[] {trace.op(0), trace.op(1), trace.op(2), trace.op(3)})
        .containsExactly(Trace.GET, Trace.PUT, Trace.GET, Trace.INVALIDATE);
    assertThat(trace.time(2)).isEqualTo(1_000_000_000L);
    assertThat(trace.node(1)).isEqualTo((short) 7);
    assertThat(trace.ttlSeconds(1)).isEqualTo(3600);
    assertThat(trace.size(2)).isEqualTo(50);
  }

  @Test
  void recorderFilesKeepKeysOperationsSizesNodeAndSampleRate() throws IOException {
    Path recorded = dir.resolve("r.trace");
    try (AccessRecorder recorder = AccessRecorder.toFile(recorded).node(3).sampleRate(1.0)
        .valueSize((String v) -> v.length()).build()) {
      recorder.record(Operation.GET, "a", "xyz", Tier.LOADER);
      recorder.record(Operation.GET_ALL_MEMBER, "a", "xyz", Tier.L1);
      recorder.record(Operation.PUT, "b", "hello", Tier.NONE);
      recorder.record(Operation.INVALIDATE, "a", null, Tier.NONE);
      recorder.recordInvalidateAll();
    }
    SizerOptions o = SizerOptions.parse(new String[] {"--trace", recorded.toString(), "--out", dir.toString()});
    Trace trace = TierSizer.load(o); // the format is found from the file's magic
    assertThat(trace.length()).isEqualTo(5);
    assertThat(new byte[] {trace.op(0), trace.op(1), trace.op(2), trace.op(3), trace.op(4)})
        .containsExactly(Trace.GET, Trace.GET, Trace.PUT, Trace.INVALIDATE, Trace.INVALIDATE_ALL);
    assertThat(trace.key(0)).isEqualTo(AccessRecorder.hash("a"));
    assertThat(trace.size(0)).isEqualTo(3);
    assertThat(trace.size(2)).isEqualTo(5);
    assertThat(trace.node(0)).isEqualTo((short) 3);
    assertThat(trace.time(4)).isGreaterThanOrEqualTo(trace.time(0));
  }

  @Test
  void aRecordedSampleRateIsKept() throws IOException {
    Path recorded = dir.resolve("s.trace");
    try (AccessRecorder recorder = AccessRecorder.toFile(recorded).sampleRate(0.25).build()) {
      for (int i = 0; i < 100; i++) {
        recorder.record(Operation.GET, i, null, Tier.L1);
      }
    }
    Trace trace = InputFormat.RECORDER.read(recorded, InputFormat.ReadOptions.DEFAULT);
    assertThat(trace.sampleRate()).isEqualTo(0.25);
    assertThat(TraceStats.of(trace).footprint()).isEqualTo(Math.round(trace.length() / 0.25));
  }
}
