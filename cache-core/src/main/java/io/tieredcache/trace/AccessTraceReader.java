package io.tieredcache.trace;

import java.io.BufferedInputStream;
import java.io.Closeable;
import java.io.DataInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;

/**
 * Reads a file written by {@link AccessRecorder}, one record at a time and without allocating
 * per record:
 *
 * <pre>{@code
 * try (AccessTraceReader trace = AccessTraceReader.open(path)) {
 *   while (trace.next()) {
 *     use(trace.timeNanos(), trace.keyHash(), trace.operation(), trace.tier(), trace.valueSize());
 *   }
 * }
 * }</pre>
 *
 * A file whose writer died reads up to its last whole record; {@link #isComplete()} then says
 * {@code false}. Not thread-safe.
 */
public final class AccessTraceReader implements Closeable {

  private final DataInputStream in;
  private final long startEpochMillis;
  private final double sampleRate;
  private final int node;
  private long time;
  private long keyHash;
  private AccessRecorder.Operation operation;
  private AccessRecorder.Tier tier;
  private int valueSize;
  private boolean ended;
  private boolean complete;
  private long recordedCount = -1;
  private long droppedCount = -1;

  private AccessTraceReader(DataInputStream in) throws IOException {
    this.in = in;
    byte[] magic = new byte[TraceFormat.MAGIC.length];
    in.readFully(magic);
    int version = in.readUnsignedByte();
    if (!Arrays.equals(magic, TraceFormat.MAGIC) || version != TraceFormat.VERSION) {
      throw new IOException("not an access trace of version " + TraceFormat.VERSION);
    }
    this.startEpochMillis = in.readLong();
    this.sampleRate = Double.longBitsToDouble(in.readLong());
    this.node = (int) in.readLong();
  }

  /** Opens a trace file and reads its header. */
  public static AccessTraceReader open(Path file) throws IOException {
    DataInputStream in = new DataInputStream(new BufferedInputStream(Files.newInputStream(file), 1 << 16));
    try {
      return new AccessTraceReader(in);
    } catch (IOException | RuntimeException e) {
      in.close();
      throw e;
    }
  }

  /** Whether {@code file} starts like an access trace (its magic bytes). */
  public static boolean looksLikeTrace(Path file) throws IOException {
    try (var in = Files.newInputStream(file)) {
      byte[] magic = in.readNBytes(TraceFormat.MAGIC.length);
      return Arrays.equals(magic, TraceFormat.MAGIC);
    }
  }

  /** Advances to the next record; {@code false} at the end of the trace (or of a cut-off file). */
  public boolean next() throws IOException {
    if (ended) {
      return false;
    }
    try {
      int kind = in.read();
      if (kind < 0) {
        ended = true;
        return false;
      }
      int code = kind >>> 4;
      if (code == TraceFormat.END) {
        recordedCount = TraceFormat.readVarLong(in);
        droppedCount = TraceFormat.readVarLong(in);
        ended = true;
        complete = true;
        return false;
      }
      AccessRecorder.Operation op = AccessRecorder.Operation.of(code);
      AccessRecorder.Tier answeredBy = AccessRecorder.Tier.of(kind & 0xF);
      long t = time + TraceFormat.unZigZag(TraceFormat.readVarLong(in));
      long hash = op == AccessRecorder.Operation.INVALIDATE_ALL ? 0 : in.readLong();
      int size = (int) (TraceFormat.readVarLong(in) - 1);
      time = t;
      keyHash = hash;
      operation = op;
      tier = answeredBy;
      valueSize = size;
      return true;
    } catch (EOFException cutOff) {
      ended = true;
      return false;
    }
  }

  /** Nanoseconds from the recorder's start to this record (not always increasing across threads). */
  public long timeNanos() {
    return time;
  }

  /** The key's {@link AccessRecorder#hash(Object)}; {@code 0} for {@code INVALIDATE_ALL}. */
  public long keyHash() {
    return keyHash;
  }

  /** What was done. */
  public AccessRecorder.Operation operation() {
    return operation;
  }

  /** Which tier answered a read; {@link AccessRecorder.Tier#NONE} for other operations. */
  public AccessRecorder.Tier tier() {
    return tier;
  }

  /** The value's size in bytes, or {@link AccessRecorder#UNKNOWN_SIZE}. */
  public int valueSize() {
    return valueSize;
  }

  /** The node that recorded this file. */
  public int node() {
    return node;
  }

  /** The recorder's sample rate: the share of keys this file holds. */
  public double sampleRate() {
    return sampleRate;
  }

  /** Wall-clock time (epoch millis) at which the recorder started; {@link #timeNanos()} counts from it. */
  public long startEpochMillis() {
    return startEpochMillis;
  }

  /** Whether the file ended with its closing record (its recorder was closed). */
  public boolean isComplete() {
    return complete;
  }

  /** Records written, from the closing record; {@code -1} until it is read or if there is none. */
  public long recordedCount() {
    return recordedCount;
  }

  /** Records dropped by the recorder, from the closing record; {@code -1} until it is read or if there is none. */
  public long droppedCount() {
    return droppedCount;
  }

  @Override
  public void close() throws IOException {
    in.close();
  }
}
