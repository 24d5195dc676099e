package io.tieredcache.redis;

import static java.nio.charset.StandardCharsets.UTF_8;

import io.tieredcache.KeyCodec;
import io.tieredcache.spi.RemoteEntry;
import io.tieredcache.spi.RemoteErrorKind;
import io.tieredcache.spi.WriteResult;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.function.LongFunction;
import java.util.function.Supplier;

/**
 * What the parts of one tier share: the cache's keys and epoch, its envelope and its calls, and
 * the helpers that turn keys and replies into the SPI's answers.
 */
final class Keyspace<K, V> {

  private static final int MAX_DESCRIBED_KEY = 120;

  final String cacheName;
  final KeyCodec<K> keyCodec;
  final KeyLayout layout;
  final Envelope<V> envelope;
  final RedisCalls calls;
  final Epoch epoch;
  final int maxValueBytes;

  Keyspace(String cacheName, KeyCodec<K> keyCodec, KeyLayout layout, Envelope<V> envelope, RedisCalls calls,
      Epoch epoch, int maxValueBytes) {
    this.cacheName = cacheName;
    this.keyCodec = keyCodec;
    this.layout = layout;
    this.envelope = envelope;
    this.calls = calls;
    this.epoch = epoch;
    this.maxValueBytes = maxValueBytes;
  }

  /**
   * Runs {@code op} in the current epoch, now if it is known, else once it has been read; if it
   * cannot be read, the answer is {@code ifUnknown}'s.
   */
  <T> CompletableFuture<T> inEpoch(LongFunction<CompletableFuture<T>> op, Supplier<CompletableFuture<T>> ifUnknown) {
    long known = epoch.knownOrMinusOne();
    if (known >= 0) {
      return op.apply(known);
    }
    return epoch.get().handle((current, failure) -> current)
        .thenCompose(current -> current != null ? op.apply(current) : ifUnknown.get());
  }

  /** {@link #inEpoch} for a batch: every key answers {@code ifUnknown} if the epoch cannot be read. */
  <T> CompletableFuture<Map<K, T>> withEpoch(Set<K> keys, T ifUnknown,
      LongFunction<CompletableFuture<Map<K, T>>> op) {
    return inEpoch(op, () -> {
      Map<K, T> unknown = new HashMap<>();
      keys.forEach(key -> unknown.put(key, ifUnknown));
      return CompletableFuture.completedFuture(unknown);
    });
  }

  /** {@link #inEpoch} for a write: every key is unapplied if the epoch cannot be read. */
  CompletableFuture<WriteResult<K>> withEpochOrUnapplied(Set<K> keys, LongFunction<CompletableFuture<WriteResult<K>>> op) {
    return inEpoch(op, () -> CompletableFuture.completedFuture(WriteResult.unapplied(new HashSet<>(keys))));
  }


  Set<K> unappliedOf(List<K> order, List<RedisCalls.Reply> replies) {
    Set<K> unapplied = new LinkedHashSet<>();
    Throwable failed = null;
    for (int i = 0; i < order.size(); i++) {
      if (!replies.get(i).ok()) {
        unapplied.add(order.get(i));
        failed = failed == null ? replies.get(i).failure() : failed;
      }
    }
    reportCommandFailure(failed, replies);
    return unapplied;
  }

  /**
   * Reports a failure of single commands once; a failure of a whole call was reported by
   * {@link RedisCalls#pipeline} already (then every reply of the call carries the same one).
   */
  void reportCommandFailure(Throwable failed, List<RedisCalls.Reply> replies) {
    if (failed == null) {
      return;
    }
    boolean wholeCall = replies.stream().allMatch(reply -> reply.failure() == failed);
    if (!wholeCall) {
      calls.report(failed);
    }
  }

  String encode(K key) {
    String encoded = keyCodec.encode(Objects.requireNonNull(key, "key"));
    return Objects.requireNonNull(encoded, "the key codec returned null");
  }

  Map<K, String> encodeAll(Collection<? extends K> keys) {
    Map<K, String> encoded = new LinkedHashMap<>();
    for (K key : keys) {
      if (!encoded.containsKey(key)) {
        encoded.put(key, encode(key));
      }
    }
    return encoded;
  }

  byte[] encodeForFill(String encodedKey, RemoteEntry<V> entry) {
    try {
      byte[] bytes = envelope.encode(entry);
      if (bytes.length <= maxValueBytes) {
        return bytes;
      }
      calls.report(RemoteErrorKind.ENCODE, oversized(encodedKey, bytes.length));
    } catch (Envelope.EncodeException failure) {
      calls.report(RemoteErrorKind.ENCODE, new Envelope.EncodeException("cache '" + cacheName
          + "': cannot store the loaded value of key '" + abbreviate(encodedKey) + "': "
          + failure.getMessage(), failure.getCause()));
    }
    return null;
  }

  /** An entry decoded by the thread that first looks at it; undecodable bytes are deleted and reported. */
  RemoteEntry<V> deferred(byte[] valueKey, byte[] bytes) {
    return RemoteEntry.deferred(() -> {
      try {
        return envelope.decode(bytes);
      } catch (Envelope.DecodeException e) {
        calls.report(RemoteErrorKind.DECODE, undecodable(valueKey, e));
        drop(valueKey);
        return RemoteEntry.miss();
      }
    });
  }

  /** Deletes an undecodable entry, fire-and-forget (through the breaker like every call). */
  void drop(byte[] valueKey) {
    calls.call(batch -> batch.add(batch.redis().unlink(valueKey))).whenComplete((ignored, failure) -> {
      if (failure != null) {
        calls.report(failure);
      }
    });
  }

  Envelope.DecodeException undecodable(byte[] valueKey, Envelope.DecodeException cause) {
    return new Envelope.DecodeException("cache '" + cacheName + "': deleted the undecodable entry at '"
        + abbreviate(new String(valueKey, UTF_8)) + "': " + cause.getMessage(), cause.getCause());
  }

  Envelope.EncodeException oversized(String encodedKey, int size) {
    return new Envelope.EncodeException("cache '" + cacheName + "': value of key '" + abbreviate(encodedKey)
        + "' not stored: " + size + " bytes is over maxValueBytes " + maxValueBytes, null);
  }

  static String abbreviate(String text) {
    return text.length() <= MAX_DESCRIBED_KEY ? text : text.substring(0, MAX_DESCRIBED_KEY) + "...(" + text.length() + " chars)";
  }

}
