package io.tieredcache.redis;

import io.lettuce.core.SetArgs;
import io.tieredcache.spi.Lease;
import io.tieredcache.spi.RemoteEntry;
import io.tieredcache.spi.RemoteErrorKind;
import io.tieredcache.spi.WriteResult;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.function.Function;

/**
 * The application's writes: each deletes the key's lease first, so a load that began before the
 * write can no longer fill; outcomes are reported key by key.
 */
final class Writes<K, V> {

  /** How many times one write follows an epoch that keeps moving before it leaves the keys to repair. */
  static final int MAX_EPOCH_CHASES = 3;

  private final Keyspace<K, V> ks;
  /** Set only while values are read from replicas; see {@link #fenced}. */
  private final ReplicaFence fence;

  Writes(Keyspace<K, V> ks, ReplicaFence fence) {
    this.ks = ks;
    this.fence = fence;
  }

  /**
   * Each entry is written with {@code SET .. PX ttl} right after deleting the key's lease (so
   * an older load can no longer fill it); an entry that is too big, a miss or a non-positive TTL
   * deletes the key instead, so no older value outlives the write.
   */
  CompletableFuture<WriteResult<K>> putAll(Map<? extends K, RemoteEntry<V>> entries) {
    Map<K, String> encoded = ks.encodeAll(entries.keySet());
    if (encoded.isEmpty()) {
      return CompletableFuture.completedFuture(WriteResult.applied());
    }
    Map<K, RuntimeException> refused = new HashMap<>();
    Set<K> skipped = new HashSet<>();
    Map<K, byte[]> bytesOf = new HashMap<>();
    for (K key : encoded.keySet()) {
      RemoteEntry<V> entry = entries.get(key);
      if (entry == null || !entry.isHit() || entry.ttlMillis() <= 0) {
        continue; // deleted below
      }
      try {
        byte[] bytes = ks.envelope.encode(entry);
        if (bytes.length > ks.maxValueBytes) {
          ks.calls.report(RemoteErrorKind.ENCODE, ks.oversized(encoded.get(key), bytes.length));
          skipped.add(key);
        } else {
          bytesOf.put(key, bytes);
        }
      } catch (Envelope.EncodeException failure) {
        refused.put(key, new IllegalArgumentException("cache '" + ks.cacheName + "': cannot store the value of key '"
            + Keyspace.abbreviate(encoded.get(key)) + "' in Redis: " + failure.getMessage()
            + (failure.getCause() == null ? "" : ": " + failure.getCause()), failure.getCause()));
      }
    }
    return ks.withEpochOrUnapplied(encoded.keySet(), current -> {
      List<K> order = new ArrayList<>(encoded.keySet());
      var commands = new ArrayList<Function<RedisCalls.Batch, CompletableFuture<?>>>(order.size());
      for (K key : order) {
        KeyLayout.Keys both = ks.layout.keys(encoded.get(key), current);
        byte[] bytes = bytesOf.get(key);
        if (bytes == null) {
          commands.add(batch -> batch.add(batch.redis().unlink(both.value(), both.lease())));
        } else {
          long ttl = entries.get(key).ttlMillis();
          commands.add(batch -> {
            // Lease first: a fill that runs between the two commands finds no lease and is refused.
            CompletableFuture<Long> lease = batch.add(batch.redis().unlink(both.lease()));
            CompletableFuture<String> set = batch.add(batch.redis().set(both.value(), bytes, SetArgs.Builder.px(ttl)));
            return lease.thenCombine(set, (l, s) -> s);
          });
        }
      }
      return ks.calls.pipeline(commands).thenApply(replies -> {
        Set<K> unapplied = ks.unappliedOf(order, replies);
        return new WriteResult<>(unapplied, refused, skipped);
      }).thenCompose(result -> chaseEpoch(current, encoded, result, 0))
          .thenCompose(result -> fenced(current, encoded, result));
    });
  }

  CompletableFuture<WriteResult<K>> invalidate(Collection<? extends K> keys) {
    Map<K, String> encoded = ks.encodeAll(keys);
    if (encoded.isEmpty()) {
      return CompletableFuture.completedFuture(WriteResult.applied());
    }
    return ks.withEpochOrUnapplied(encoded.keySet(), current -> {
      List<K> order = new ArrayList<>(encoded.keySet());
      var commands = new ArrayList<Function<RedisCalls.Batch, CompletableFuture<?>>>(order.size());
      for (K key : order) {
        KeyLayout.Keys both = ks.layout.keys(encoded.get(key), current);
        commands.add(batch -> batch.add(batch.redis().unlink(both.value(), both.lease())));
      }
      return ks.calls.pipeline(commands).thenApply(replies -> WriteResult.<K>unapplied(ks.unappliedOf(order, replies)))
          .thenCompose(result -> chaseEpoch(current, encoded, result, 0))
          .thenCompose(result -> fenced(current, encoded, result));
    });
  }

  /**
   * A write lands in the epoch this node knows. If another node moved the epoch meanwhile (an
   * {@code invalidateAll} this node has not heard of yet), a node that already knows the new epoch
   * may load the key before this write's change reached the store and fill that older value in the
   * new epoch, which this write never touched: it would stay there, stale, until its TTL. So after
   * writing, the epoch is read again from Redis; if it moved past {@code writtenIn}, the keys are
   * deleted in the new epoch too (value and lease, so a fill under way there is fenced), and the
   * epoch is read again, at most {@value #MAX_EPOCH_CHASES} times. Keys whose outcome stays unknown
   * (the epoch cannot be read, or keeps moving) are reported unapplied: the cache repairs them.
   * Costs one {@code GET} of the epoch key per write call.
   */
  private CompletableFuture<WriteResult<K>> chaseEpoch(long writtenIn, Map<K, String> encoded, WriteResult<K> result,
      int chases) {
    Set<K> written = new HashSet<>(encoded.keySet());
    written.removeAll(result.unapplied());
    if (written.isEmpty()) {
      return CompletableFuture.completedFuture(result);
    }
    return ks.epoch.readNow().handle((now, failure) -> now).thenCompose(now -> {
      if (now != null && now <= writtenIn) {
        return CompletableFuture.completedFuture(result);
      }
      if (now == null || chases >= MAX_EPOCH_CHASES) {
        return CompletableFuture.completedFuture(withUnapplied(result, written));
      }
      List<K> order = new ArrayList<>(written);
      var commands = new ArrayList<Function<RedisCalls.Batch, CompletableFuture<?>>>(order.size());
      for (K key : order) {
        KeyLayout.Keys both = ks.layout.keys(encoded.get(key), now);
        commands.add(batch -> batch.add(batch.redis().unlink(both.value(), both.lease())));
      }
      return ks.calls.pipeline(commands)
          .thenApply(replies -> withUnapplied(result, ks.unappliedOf(order, replies)))
          .thenCompose(next -> chaseEpoch(now, encoded, next, chases + 1));
    });
  }

  /**
   * While values are read from replicas, a write is done only once every replica has it: the
   * caller publishes its invalidation next, and a node that hears it may read the key again from a
   * replica. Keys whose replicas do not confirm ({@link ReplicaFence}) are reported unapplied, so
   * the cache repairs them: it deletes and announces them again until their replicas confirm.
   * A key's slot does not depend on the epoch, so the keys of {@code epoch} stand for every epoch
   * the write touched.
   */
  private CompletableFuture<WriteResult<K>> fenced(long epoch, Map<K, String> encoded, WriteResult<K> result) {
    if (fence == null) {
      return CompletableFuture.completedFuture(result);
    }
    Map<K, byte[]> written = new HashMap<>();
    encoded.forEach((key, text) -> {
      if (!result.unapplied().contains(key)) { // refused and skipped keys were deleted: fenced too
        written.put(key, ks.layout.keys(text, epoch).value());
      }
    });
    return fence.unconfirmed(written).thenApply(unconfirmed -> withUnapplied(result, unconfirmed));
  }

  private static <K> WriteResult<K> withUnapplied(WriteResult<K> result, Set<K> more) {
    if (more.isEmpty()) {
      return result;
    }
    Set<K> unapplied = new HashSet<>(result.unapplied());
    unapplied.addAll(more);
    return new WriteResult<>(unapplied, result.refused(), result.skipped());
  }

}
