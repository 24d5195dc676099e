package io.tieredcache.trace;

import java.io.DataInput;
import java.io.EOFException;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;

/**
 * The constants and primitive encodings of the trace file; the layout itself is documented in the
 * {@linkplain io.tieredcache.trace package description}.
 */
final class TraceFormat {

  static final byte[] MAGIC = "TCTRACE".getBytes(StandardCharsets.US_ASCII);
  static final int VERSION = 1;
  /** The operation code of the closing record. */
  static final int END = 15;

  private TraceFormat() {}

  static int kind(int operation, int tier) {
    return (operation << 4) | tier;
  }

  static void writeVarLong(OutputStream out, long value) throws IOException {
    long v = value;
    while ((v & ~0x7FL) != 0) {
      out.write((int) ((v & 0x7F) | 0x80));
      v >>>= 7;
    }
    out.write((int) v);
  }

  static long readVarLong(DataInput in) throws IOException {
    long result = 0;
    for (int shift = 0; shift < 64; shift += 7) {
      int b = in.readUnsignedByte();
      result |= (long) (b & 0x7F) << shift;
      if ((b & 0x80) == 0) {
        return result;
      }
    }
    throw new EOFException("malformed variable-length number");
  }

  static long zigZag(long value) {
    return (value << 1) ^ (value >> 63);
  }

  static long unZigZag(long value) {
    return (value >>> 1) ^ -(value & 1);
  }

  static void writeLong(OutputStream out, long value) throws IOException {
    for (int shift = 56; shift >= 0; shift -= 8) {
      out.write((int) (value >>> shift));
    }
  }
}
