package io.tieredcache;

import java.util.Objects;
import java.util.UUID;
import java.util.function.Function;

/**
 * Turns keys into the strings stored in a remote tier and sent on the invalidation bus, and back.
 * Needed only with a remote tier or a bus; an L1-only cache never encodes keys.
 *
 * <p>{@code decode(encode(k))} must equal {@code k}, and equal keys must encode equally.
 *
 * @param <K> key type
 */
public interface KeyCodec<K> {

  /** The string form of {@code key}; any characters are allowed. */
  String encode(K key);

  /** The key whose string form is {@code encoded}. */
  K decode(String encoded);

  /** String keys, as they are. */
  static KeyCodec<String> strings() {
    return of(Function.identity(), Function.identity());
  }

  /** Long keys in decimal. */
  static KeyCodec<Long> longs() {
    return of(String::valueOf, Long::valueOf);
  }

  /** Integer keys in decimal. */
  static KeyCodec<Integer> integers() {
    return of(String::valueOf, Integer::valueOf);
  }

  /** UUID keys in their canonical form. */
  static KeyCodec<UUID> uuids() {
    return of(UUID::toString, UUID::fromString);
  }

  /** A codec from two functions that invert each other. */
  static <K> KeyCodec<K> of(Function<? super K, String> encoder, Function<String, ? extends K> decoder) {
    Objects.requireNonNull(encoder, "encoder");
    Objects.requireNonNull(decoder, "decoder");
    return new KeyCodec<>() {
      @Override
      public String encode(K key) {
        return Objects.requireNonNull(encoder.apply(key), "key encoder returned null");
      }

      @Override
      public K decode(String encoded) {
        return decoder.apply(encoded);
      }
    };
  }
}
