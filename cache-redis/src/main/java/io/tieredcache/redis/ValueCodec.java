package io.tieredcache.redis;

import java.util.Arrays;

/**
 * Turns cache values into the bytes stored in Redis and back. The {@link RedisTier} wraps these
 * bytes in its own versioned envelope (timestamps, absent marker, compression), so a codec deals
 * with the value alone. The default is {@link JacksonValueCodec}.
 *
 * <p>Implementations must be thread-safe. Either method may throw any {@link RuntimeException}: a
 * failure to decode is treated as a miss (the entry is deleted and counted), a failure to encode
 * is reported to the writer. A decoder reads bytes that any node with access to the Redis could
 * have written: never deserialize class names taken from the data.
 *
 * @param <V> value type
 */
public interface ValueCodec<V> {

  /** The bytes of {@code value} (never {@code null}). */
  byte[] encode(V value);

  /** The value whose bytes are {@code bytes}. */
  V decode(byte[] bytes);

  /**
   * The value whose bytes are {@code length} bytes of {@code bytes} from {@code offset}. Override
   * to avoid the copy the default makes.
   */
  default V decode(byte[] bytes, int offset, int length) {
    return decode(offset == 0 && length == bytes.length ? bytes : Arrays.copyOfRange(bytes, offset, offset + length));
  }
}
