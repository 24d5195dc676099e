package io.tieredcache.redis.bus;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * The wire format of a {@link BusMessage}, shared by both transports (a pub/sub payload, or the
 * value of the single field {@code m} of a stream entry).
 *
 * <pre>
 * byte    'T'          magic
 * byte    2            format version
 * byte    type tag     'K' keys, 'A' all, 'H' heartbeat, 'I' hello, 'B' bye
 * string  origin
 * int64   incarnation  8 bytes, big-endian
 * varint  sequence
 * varint  lastFailed   at most sequence
 * string  cache        (empty for control messages)
 * then, for 'K':  varint key count, then each key as a string
 *       for 'A':  int64 epoch (8 bytes, big-endian)
 *       others:   nothing
 *
 * varint: unsigned LEB128 (7 bits a byte, low bits first)
 * string: varint byte length, then the UTF-16 code units of the Java string, each encoded on its own
 *         in 1 to 3 bytes as UTF-8 does (CESU-8)
 * </pre>
 *
 * <p>Version 2 added {@code lastFailed} and the epoch of "all". Encoding every UTF-16 unit on its own
 * keeps any Java string exact, unpaired surrogates included (plain UTF-8 would replace them), while
 * ASCII and most text stay readable in {@code MONITOR}. A payload that does not follow this format,
 * another version included, is rejected with {@link MalformedMessageException}; the receiver treats
 * it as a possible loss ({@code "unreadable"}).
 */
final class MessageCodec {

  static final byte MAGIC = 'T';
  static final byte VERSION = 2;

  /** Bytes a string of {@code length} chars can take at most, its length prefix included. */
  static long maxEncodedSize(String s) {
    return 5L + 3L * s.length();
  }

  private MessageCodec() {}

  static byte[] encode(BusMessage message) {
    Writer out = new Writer(64 + estimate(message));
    out.writeByte(MAGIC);
    out.writeByte(VERSION);
    out.writeByte(message.type().tag);
    out.writeString(message.origin());
    out.writeLong(message.incarnation());
    out.writeVarLong(message.sequence());
    out.writeVarLong(message.lastFailed());
    out.writeString(message.cache());
    if (message.type() == BusMessage.Type.KEYS) {
      out.writeVarLong(message.keys().size());
      for (String key : message.keys()) {
        out.writeString(key);
      }
    } else if (message.type() == BusMessage.Type.ALL) {
      out.writeLong(message.epoch());
    }
    return out.toByteArray();
  }

  static BusMessage decode(byte[] payload) {
    Reader in = new Reader(payload);
    if (in.readByte() != MAGIC) {
      throw new MalformedMessageException("not a bus message (bad magic)");
    }
    int version = in.readByte();
    if (version != VERSION) {
      throw new MalformedMessageException("unsupported format version " + version);
    }
    byte tag = in.readByte();
    BusMessage.Type type = BusMessage.Type.ofTag(tag);
    if (type == null) {
      throw new MalformedMessageException("unknown message type " + tag);
    }
    String origin = in.readString();
    long incarnation = in.readLong();
    long sequence = in.readVarLong();
    long lastFailed = in.readVarLong();
    String cache = in.readString();
    List<String> keys = List.of();
    long epoch = 0;
    if (type == BusMessage.Type.KEYS) {
      long count = in.readVarLong();
      if (count > in.remaining()) { // every key takes at least one byte
        throw new MalformedMessageException("key count " + count + " exceeds the payload");
      }
      keys = new ArrayList<>((int) count);
      for (long i = 0; i < count; i++) {
        keys.add(in.readString());
      }
    } else if (type == BusMessage.Type.ALL) {
      epoch = in.readLong();
    }
    if (in.remaining() != 0) {
      throw new MalformedMessageException(in.remaining() + " trailing bytes");
    }
    try {
      return new BusMessage(type, origin, incarnation, sequence, lastFailed, cache, keys, epoch);
    } catch (IllegalArgumentException e) {
      throw new MalformedMessageException(e.getMessage());
    }
  }

  private static int estimate(BusMessage message) {
    long size = maxEncodedSize(message.origin()) + maxEncodedSize(message.cache());
    for (String key : message.keys()) {
      size += key.length() + 5L; // ASCII guess; the buffer grows if needed
    }
    return (int) Math.min(size, 1 << 20);
  }

  /** A payload that is not a bus message of a version this code reads. */
  static final class MalformedMessageException extends RuntimeException {
    MalformedMessageException(String message) {
      super(message);
    }
  }

  private static final class Writer {
    private byte[] buf;
    private int size;

    Writer(int capacity) {
      buf = new byte[Math.max(16, capacity)];
    }

    void ensure(int extra) {
      if (size + extra > buf.length) {
        buf = Arrays.copyOf(buf, Math.max(buf.length * 2, size + extra));
      }
    }

    void writeByte(int b) {
      ensure(1);
      buf[size++] = (byte) b;
    }

    void writeLong(long value) {
      ensure(8);
      for (int shift = 56; shift >= 0; shift -= 8) {
        buf[size++] = (byte) (value >>> shift);
      }
    }

    void writeVarLong(long value) {
      ensure(10);
      long v = value;
      while ((v & ~0x7FL) != 0) {
        buf[size++] = (byte) ((v & 0x7F) | 0x80);
        v >>>= 7;
      }
      buf[size++] = (byte) v;
    }

    void writeString(String s) {
      int length = 0;
      for (int i = 0; i < s.length(); i++) {
        char c = s.charAt(i);
        length += c < 0x80 ? 1 : c < 0x800 ? 2 : 3;
      }
      writeVarLong(length);
      ensure(length);
      for (int i = 0; i < s.length(); i++) {
        char c = s.charAt(i);
        if (c < 0x80) {
          buf[size++] = (byte) c;
        } else if (c < 0x800) {
          buf[size++] = (byte) (0xC0 | (c >> 6));
          buf[size++] = (byte) (0x80 | (c & 0x3F));
        } else {
          buf[size++] = (byte) (0xE0 | (c >> 12));
          buf[size++] = (byte) (0x80 | ((c >> 6) & 0x3F));
          buf[size++] = (byte) (0x80 | (c & 0x3F));
        }
      }
    }

    byte[] toByteArray() {
      return Arrays.copyOf(buf, size);
    }
  }

  private static final class Reader {
    private final byte[] buf;
    private int pos;

    Reader(byte[] buf) {
      this.buf = buf;
    }

    int remaining() {
      return buf.length - pos;
    }

    byte readByte() {
      if (pos >= buf.length) {
        throw new MalformedMessageException("truncated message");
      }
      return buf[pos++];
    }

    long readLong() {
      long value = 0;
      for (int i = 0; i < 8; i++) {
        value = (value << 8) | (readByte() & 0xFF);
      }
      return value;
    }

    long readVarLong() {
      long value = 0;
      for (int shift = 0; shift < 64; shift += 7) {
        byte b = readByte();
        value |= (long) (b & 0x7F) << shift;
        if ((b & 0x80) == 0) {
          if (value < 0) {
            throw new MalformedMessageException("number out of range");
          }
          return value;
        }
      }
      throw new MalformedMessageException("number too long");
    }

    String readString() {
      long length = readVarLong();
      if (length > remaining()) {
        throw new MalformedMessageException("string of " + length + " bytes exceeds the payload");
      }
      int end = pos + (int) length;
      char[] chars = new char[(int) length];
      int n = 0;
      while (pos < end) {
        int b = buf[pos++] & 0xFF;
        if (b < 0x80) {
          chars[n++] = (char) b;
        } else if ((b & 0xE0) == 0xC0) {
          chars[n++] = (char) (((b & 0x1F) << 6) | continuation(end));
        } else if ((b & 0xF0) == 0xE0) {
          int c1 = continuation(end);
          chars[n++] = (char) (((b & 0x0F) << 12) | (c1 << 6) | continuation(end));
        } else {
          throw new MalformedMessageException("invalid string byte " + b);
        }
      }
      return new String(chars, 0, n);
    }

    private int continuation(int end) {
      if (pos >= end) {
        throw new MalformedMessageException("truncated character");
      }
      int b = buf[pos++] & 0xFF;
      if ((b & 0xC0) != 0x80) {
        throw new MalformedMessageException("invalid continuation byte " + b);
      }
      return b & 0x3F;
    }
  }
}
