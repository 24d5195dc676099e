package io.tieredcache.redis;

import io.lettuce.core.KeyValue;
import io.tieredcache.spi.PendingFill;
import io.tieredcache.spi.RemoteEntry;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.function.Function;

/**
 * The tier's reads: {@code GET}, {@code MGET} per 256 keys, and the poll of other nodes' fills.
 * Entries are decoded by the caller's thread, never by Lettuce's event loop.
 */
final class Reads<K, V> {

  private final Keyspace<K, V> ks;
  /** Where {@code GET} and {@code MGET} of values go: {@code ks.calls}, or the replica reads' calls. */
  private final RedisCalls valueCalls;

  Reads(Keyspace<K, V> ks, RedisCalls valueCalls) {
    this.ks = ks;
    this.valueCalls = valueCalls;
  }

  CompletableFuture<RemoteEntry<V>> get(K key) {
    String encoded = ks.encode(key);
    return ks.inEpoch(current -> read(encoded, current),
        () -> CompletableFuture.completedFuture(RemoteEntry.<V>unavailable()));
  }

  private CompletableFuture<RemoteEntry<V>> read(String encodedKey, long inEpoch) {
    byte[] valueKey = ks.layout.valueKey(encodedKey, inEpoch);
    return valueCalls.call(batch -> batch.add(batch.redis().get(valueKey)), (bytes, failure) -> {
      if (failure != null) {
        ks.calls.report(failure);
        return RemoteEntry.<V>unavailable();
      }
      return bytes == null ? RemoteEntry.<V>miss() : ks.deferred(valueKey, bytes);
    });
  }

  CompletableFuture<Map<K, RemoteEntry<V>>> getAll(Collection<? extends K> keys) {
    Map<K, String> encoded = ks.encodeAll(keys);
    if (encoded.isEmpty()) {
      return CompletableFuture.completedFuture(new HashMap<>());
    }
    return ks.withEpoch(encoded.keySet(), RemoteEntry.<V>unavailable(), current -> {
      List<K> order = new ArrayList<>(encoded.keySet());
      var parts = new ArrayList<CompletableFuture<Map<K, RemoteEntry<V>>>>();
      for (int from = 0; from < order.size(); from += RedisCalls.BATCH_SIZE) {
        parts.add(mget(order.subList(from, Math.min(order.size(), from + RedisCalls.BATCH_SIZE)), encoded, current));
      }
      return CompletableFuture.allOf(parts.toArray(CompletableFuture<?>[]::new)).thenApply(done -> {
        Map<K, RemoteEntry<V>> found = new HashMap<>();
        parts.forEach(part -> found.putAll(part.join()));
        return found;
      });
    });
  }

  private CompletableFuture<Map<K, RemoteEntry<V>>> mget(List<K> part, Map<K, String> encoded, long inEpoch) {
    byte[][] valueKeys = new byte[part.size()][];
    for (int i = 0; i < part.size(); i++) {
      valueKeys[i] = ks.layout.valueKey(encoded.get(part.get(i)), inEpoch);
    }
    return valueCalls.call(batch -> batch.add(batch.redis().mget(valueKeys)), (values, failure) -> {
      Map<K, RemoteEntry<V>> found = new HashMap<>();
      if (failure != null) {
        ks.calls.report(failure);
        part.forEach(key -> found.put(key, RemoteEntry.unavailable()));
        return found;
      }
      for (int i = 0; i < part.size(); i++) {
        KeyValue<byte[], byte[]> stored = i < values.size() ? values.get(i) : null;
        found.put(part.get(i), stored == null || !stored.hasValue() ? RemoteEntry.miss()
            : ks.deferred(valueKeys[i], stored.getValue()));
      }
      return found;
    });
  }

  /**
   * Per key, pipelined: {@code EXISTS lease} then {@code GET value} (Redis runs them in this
   * order, so a fill between the two is seen as filled, never as abandoned).
   */
  CompletableFuture<Map<K, PendingFill<V>>> pollFills(Collection<? extends K> keys) {
    Map<K, String> encoded = ks.encodeAll(keys);
    if (encoded.isEmpty()) {
      return CompletableFuture.completedFuture(new HashMap<>());
    }
    return ks.withEpoch(encoded.keySet(), PendingFill.<V>unknown(), current -> {
      List<K> order = new ArrayList<>(encoded.keySet());
      var commands = new ArrayList<Function<RedisCalls.Batch, CompletableFuture<?>>>(order.size());
      List<byte[]> valueKeys = new ArrayList<>(order.size());
      for (K key : order) {
        KeyLayout.Keys both = ks.layout.keys(encoded.get(key), current);
        valueKeys.add(both.value());
        commands.add(batch -> {
          CompletableFuture<Long> leaseExists = batch.add(batch.redis().exists(both.lease()));
          CompletableFuture<byte[]> value = batch.add(batch.redis().get(both.value()));
          return leaseExists.thenCombine(value, (exists, bytes) -> new Object[] {exists, bytes});
        });
      }
      return ks.calls.pipeline(commands).thenApply(replies -> {
        Map<K, PendingFill<V>> result = new HashMap<>();
        Throwable failed = null;
        for (int i = 0; i < order.size(); i++) {
          RedisCalls.Reply reply = replies.get(i);
          if (!reply.ok()) {
            failed = failed == null ? reply.failure() : failed;
            result.put(order.get(i), PendingFill.unknown());
            continue;
          }
          Object[] pair = (Object[]) reply.value();
          byte[] bytes = (byte[]) pair[1];
          result.put(order.get(i), bytes != null ? PendingFill.filled(ks.deferred(valueKeys.get(i), bytes))
              : ((Long) pair[0]) > 0 ? PendingFill.loading() : PendingFill.abandoned());
        }
        ks.reportCommandFailure(failed, replies);
        return result;
      });
    });
  }

}
