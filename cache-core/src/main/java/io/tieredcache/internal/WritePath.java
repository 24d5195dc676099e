package io.tieredcache.internal;

import io.tieredcache.CacheWriteException;
import io.tieredcache.spi.RemoteEntry;
import io.tieredcache.spi.WriteResult;
import java.lang.System.Logger.Level;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * Writes and invalidations: the remote tier first, then this node's L1 (fencing loads in flight),
 * then the other nodes through the bus. A remote write whose outcome is unknown goes to the
 * {@link RemoteRepair} list; a value the remote tier refuses (it cannot be encoded) is invalidated
 * everywhere instead and reported to the caller; the rest of the batch is applied as usual.
 */
final class WritePath<K, V> implements RemoteRepair.Attempt<K> {

  private static final System.Logger LOG = System.getLogger(io.tieredcache.TieredCache.class.getName());

  private final CacheContext<K, V> ctx;

  WritePath(CacheContext<K, V> ctx) {
    this.ctx = ctx;
  }

  void putAll(Map<? extends K, ? extends V> entries) {
    Objects.requireNonNull(entries, "entries");
    Map<K, V> values = new LinkedHashMap<>();
    entries.forEach((key, value) -> {
      Objects.requireNonNull(key, "key");
      Objects.requireNonNull(value, () -> "value for key '" + key + "'");
      values.put(key, value);
    });
    if (values.isEmpty()) {
      return;
    }
    ctx.checkOpen();
    AccessRecording.puts(ctx, values);
    long writtenAt = System.currentTimeMillis();
    long now = ctx.ticker.read();
    WriteResult<K> result = WriteResult.applied();
    if (ctx.remote != null) {
      Map<K, RemoteEntry<V>> toStore = new LinkedHashMap<>();
      values.forEach((key, value) -> toStore.put(key, ctx.ttls.toRemote(value, writtenAt, 0)));
      result = writeRemotely(ctx.remote.putAll(toStore), toStore.keySet());
      Set<K> notStored = new HashSet<>(result.unapplied());
      notStored.addAll(result.refused().keySet());
      notStored.addAll(result.skipped());
      ctx.stats.l2Puts.add(values.size() - notStored.size());
    }
    for (Map.Entry<K, V> next : values.entrySet()) {
      if (result.refused().containsKey(next.getKey())) {
        ctx.flights.drop(next.getKey());
      } else {
        ctx.flights.write(next.getKey(), ctx.ttls.entry(next.getValue(), writtenAt, now, 0));
      }
    }
    publish(values.keySet());
    if (!result.refused().isEmpty()) {
      throw new CacheWriteException(ctx.name, result.refused());
    }
  }

  void invalidate(Set<K> doomed) {
    if (doomed.isEmpty()) {
      return;
    }
    ctx.checkOpen();
    AccessRecording.invalidations(ctx, doomed);
    if (ctx.remote != null) {
      writeRemotely(ctx.remote.invalidate(doomed), doomed);
    }
    for (K key : doomed) {
      ctx.flights.drop(key);
    }
    publish(doomed);
  }

  void invalidateAll() {
    ctx.checkOpen();
    AccessRecording.invalidateAll(ctx);
    long epoch = 0;
    if (ctx.remote != null) {
      Long moved = ctx.awaitRemote(ctx.remote.invalidateAll(), 1);
      if (moved == null) {
        ctx.repair.addEverything();
      } else {
        epoch = moved;
      }
    }
    ctx.flights.dropAll();
    publishAll(epoch);
  }

  /** Waits for a remote write; keys whose outcome is unknown go to the repair list. */
  private WriteResult<K> writeRemotely(java.util.concurrent.CompletableFuture<WriteResult<K>> write, Collection<K> keys) {
    WriteResult<K> result = ctx.awaitRemote(write, keys.size());
    if (result == null) {
      result = WriteResult.unapplied(new HashSet<>(keys));
    }
    ctx.repair.add(result.unapplied());
    return result;
  }

  private void publish(Collection<K> keys) {
    if (ctx.bus == null || keys.isEmpty()) {
      return;
    }
    List<String> encoded = new ArrayList<>(keys.size());
    for (K key : keys) {
      encoded.add(ctx.keyCodec.encode(key));
    }
    try {
      ctx.bus.publish(ctx.name, encoded);
    } catch (RuntimeException e) {
      LOG.log(Level.WARNING, "cache ''{0}'': the bus refused an invalidation; other nodes will notice the loss: {1}",
          ctx.name, e);
    }
  }

  private void publishAll(long epoch) {
    if (ctx.bus == null) {
      return;
    }
    try {
      ctx.bus.publishAll(ctx.name, epoch);
    } catch (RuntimeException e) {
      LOG.log(Level.WARNING, "cache ''{0}'': the bus refused an invalidation; other nodes will notice the loss: {1}",
          ctx.name, e);
    }
  }

  // ------------------------------------------------------------------------------ repairs

  @Override
  public Set<K> keys(List<K> keys) {
    WriteResult<K> result = ctx.awaitRemote(ctx.remote.invalidate(keys), keys.size());
    Set<K> still = result == null ? new HashSet<>(keys) : new HashSet<>(result.unapplied());
    List<K> repaired = new ArrayList<>(keys.size());
    for (K key : keys) {
      if (!still.contains(key)) {
        repaired.add(key);
      }
    }
    publish(repaired);
    return still;
  }

  @Override
  public boolean everything() {
    Long epoch = ctx.awaitRemote(ctx.remote.invalidateAll(), 1);
    if (epoch == null) {
      return false;
    }
    publishAll(epoch);
    return true;
  }
}
