package io.tieredcache.redis;

import io.tieredcache.spi.RemoteEntry;
import java.nio.ByteBuffer;
import java.util.Objects;
import java.util.zip.DataFormatException;

/**
 * The versioned binary form of one stored entry (documented on {@link RedisTier}).
 *
 * <pre>
 * offset size
 *  0      2   magic 0xE7 0x1C
 *  2      1   format version (1)
 *  3      1   flags: bit 0 absent marker, bit 1 payload deflated; other bits must be 0
 *  4      8   written at, epoch millis
 * 12      8   soft expiry, epoch millis (0 = none)
 * 20      8   load duration, nanos (0 = unknown)
 * 28      -   payload: the codec's bytes; empty for an absent marker; when deflated,
 *             a 4-byte uncompressed length followed by the deflate stream
 * </pre>
 *
 * All numbers are big-endian. A reader refuses (as a decode error) an unknown magic, version or flag.
 */
final class Envelope<V> {

  static final int HEADER_BYTES = 28;
  static final byte MAGIC_0 = (byte) 0xE7;
  static final byte MAGIC_1 = (byte) 0x1C;
  static final byte VERSION = 1;
  static final int FLAG_ABSENT = 1;
  static final int FLAG_DEFLATED = 2;
  private static final int KNOWN_FLAGS = FLAG_ABSENT | FLAG_DEFLATED;
  /** Refuses to inflate beyond this many bytes per allowed stored byte: a guard against zip bombs. */
  private static final long MAX_INFLATE_RATIO = 64;

  private final ValueCodec<V> codec;
  private final int compressAbove;
  private final int maxInflatedBytes;

  /**
   * @param compressAbove deflate payloads longer than this many bytes; {@code 0} = never
   * @param maxValueBytes the stored-size limit, which also bounds how far a payload may inflate
   */
  Envelope(ValueCodec<V> codec, int compressAbove, int maxValueBytes) {
    this.codec = Objects.requireNonNull(codec, "codec");
    this.compressAbove = compressAbove;
    this.maxInflatedBytes = (int) Math.min(Integer.MAX_VALUE - 16L, Math.max(maxValueBytes * MAX_INFLATE_RATIO, 64L << 20));
  }

  /** The stored bytes of {@code entry} (a value or an absent marker). */
  byte[] encode(RemoteEntry<V> entry) throws EncodeException {
    if (entry.kind() == RemoteEntry.Kind.ABSENT) {
      return header(new byte[HEADER_BYTES], FLAG_ABSENT, entry);
    }
    if (entry.kind() != RemoteEntry.Kind.VALUE) {
      throw new EncodeException("a " + entry.kind() + " entry cannot be stored", null);
    }
    byte[] payload;
    try {
      payload = codec.encode(entry.value());
    } catch (RuntimeException | StackOverflowError e) {
      throw new EncodeException("the codec could not encode a " + entry.value().getClass().getName(), e);
    }
    if (payload == null) {
      throw new EncodeException("the codec returned null for a " + entry.value().getClass().getName(), null);
    }
    if (compressAbove > 0 && payload.length > compressAbove) {
      byte[] deflated = Deflate.compress(payload);
      if (deflated.length + 4 < payload.length) {
        byte[] out = new byte[HEADER_BYTES + 4 + deflated.length];
        ByteBuffer.wrap(out, HEADER_BYTES, 4).putInt(payload.length);
        System.arraycopy(deflated, 0, out, HEADER_BYTES + 4, deflated.length);
        return header(out, FLAG_DEFLATED, entry);
      }
    }
    byte[] out = new byte[HEADER_BYTES + payload.length];
    System.arraycopy(payload, 0, out, HEADER_BYTES, payload.length);
    return header(out, 0, entry);
  }

  /** The entry stored as {@code bytes}, with a TTL of 0 (unknown on reads). */
  RemoteEntry<V> decode(byte[] bytes) throws DecodeException {
    if (bytes.length < HEADER_BYTES || bytes[0] != MAGIC_0 || bytes[1] != MAGIC_1) {
      throw new DecodeException("not a tiered-cache entry (" + bytes.length + " bytes, unknown magic)", null);
    }
    if (bytes[2] != VERSION) {
      throw new DecodeException("unsupported entry format version " + (bytes[2] & 0xff), null);
    }
    int flags = bytes[3] & 0xff;
    if ((flags & ~KNOWN_FLAGS) != 0 || flags == (FLAG_ABSENT | FLAG_DEFLATED)) {
      throw new DecodeException("unsupported entry flags 0x" + Integer.toHexString(flags), null);
    }
    var header = ByteBuffer.wrap(bytes);
    long writtenAt = header.getLong(4);
    long softExpiresAt = header.getLong(12);
    long loadNanos = header.getLong(20);
    if ((flags & FLAG_ABSENT) != 0) {
      if (bytes.length != HEADER_BYTES) {
        throw new DecodeException("an absent marker carries a payload", null);
      }
      return RemoteEntry.absent(0, writtenAt);
    }
    byte[] payload = bytes;
    int offset = HEADER_BYTES;
    int length = bytes.length - HEADER_BYTES;
    if ((flags & FLAG_DEFLATED) != 0) {
      if (length < 4) {
        throw new DecodeException("a deflated payload lacks its length", null);
      }
      int inflated = header.getInt(HEADER_BYTES);
      if (inflated < 0 || inflated > maxInflatedBytes) {
        throw new DecodeException("a deflated payload claims " + inflated + " bytes, over the limit of "
            + maxInflatedBytes, null);
      }
      try {
        payload = Deflate.decompress(bytes, HEADER_BYTES + 4, length - 4, inflated);
      } catch (DataFormatException e) {
        throw new DecodeException("a deflated payload is corrupt", e);
      }
      offset = 0;
      length = payload.length;
    }
    V value;
    try {
      value = codec.decode(payload, offset, length);
    } catch (RuntimeException | StackOverflowError e) {
      throw new DecodeException("the codec could not decode the payload (" + length + " bytes)", e);
    }
    if (value == null) {
      throw new DecodeException("the codec decoded null", null);
    }
    return RemoteEntry.value(value, 0, writtenAt, softExpiresAt, loadNanos);
  }

  private static byte[] header(byte[] out, int flags, RemoteEntry<?> entry) {
    out[0] = MAGIC_0;
    out[1] = MAGIC_1;
    out[2] = VERSION;
    out[3] = (byte) flags;
    ByteBuffer.wrap(out)
        .putLong(4, entry.writtenAtMillis())
        .putLong(12, entry.softExpiresAtMillis())
        .putLong(20, entry.loadNanos());
    return out;
  }

  /** A value that could not be turned into bytes. */
  static final class EncodeException extends Exception {
    EncodeException(String message, Throwable cause) {
      super(message, cause);
    }
  }

  /** Stored bytes that could not be turned into a value. */
  static final class DecodeException extends Exception {
    DecodeException(String message, Throwable cause) {
      super(message, cause);
    }
  }
}
