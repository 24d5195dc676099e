package io.tieredcache.internal;

import io.tieredcache.trace.AccessRecorder;
import io.tieredcache.trace.AccessRecorder.Operation;
import io.tieredcache.trace.AccessRecorder.Tier;
import java.util.Collection;
import java.util.Map;
import java.util.concurrent.CompletableFuture;

/**
 * Hands accesses to the cache's {@link AccessRecorder}, if it has one; every method does nothing
 * else when it has none. Kept apart so the read and write paths gain one line per place they
 * record. (The L1 hit in {@link DefaultTieredCache} calls the recorder itself.)
 */
final class AccessRecording {

  private AccessRecording() {}

  /** A read answered by {@code tier} with {@code value} (or by nothing: {@link Tier#NONE}). */
  static void read(CacheContext<?, ?> ctx, Operation operation, Object key, Object value, Tier tier) {
    AccessRecorder recorder = ctx.recorder;
    if (recorder != null) {
      recorder.record(operation, key, value, tier);
    }
  }

  /** A read answered from L1 with {@code entry}; returns it. */
  static <V> L1Entry<V> fromL1(CacheContext<?, ?> ctx, Operation operation, Object key, L1Entry<V> entry) {
    read(ctx, operation, key, entry.value, Tier.L1);
    return entry;
  }

  /** A read answered by {@code flight} (the remote tier or the loader) with {@code entry}; returns it. */
  static <V> L1Entry<V> loaded(CacheContext<?, ?> ctx, Operation operation, Object key, Flight<?, ?> flight,
      L1Entry<V> entry) {
    if (ctx.recorder != null) {
      read(ctx, operation, key, entry.value, tierOf(flight));
    }
    return entry;
  }

  /** Records an asynchronous read answered by {@code flight} once {@code result} completes; returns it. */
  static <V> CompletableFuture<V> whenLoaded(CacheContext<?, ?> ctx, Object key, Flight<?, ?> flight,
      CompletableFuture<V> result) {
    AccessRecorder recorder = ctx.recorder;
    if (recorder != null && recorder.samples(key)) {
      result.thenAccept(value -> recorder.record(Operation.GET, key, value, tierOf(flight)));
    }
    return result;
  }

  static void puts(CacheContext<?, ?> ctx, Map<?, ?> values) {
    AccessRecorder recorder = ctx.recorder;
    if (recorder != null) {
      values.forEach((key, value) -> recorder.record(Operation.PUT, key, value, Tier.NONE));
    }
  }

  static void invalidations(CacheContext<?, ?> ctx, Collection<?> keys) {
    AccessRecorder recorder = ctx.recorder;
    if (recorder != null) {
      for (Object key : keys) {
        recorder.record(Operation.INVALIDATE, key, null, Tier.NONE);
      }
    }
  }

  static void invalidateAll(CacheContext<?, ?> ctx) {
    AccessRecorder recorder = ctx.recorder;
    if (recorder != null) {
      recorder.recordInvalidateAll();
    }
  }

  private static Tier tierOf(Flight<?, ?> flight) {
    return flight.answeredByRemote ? Tier.L2 : Tier.LOADER;
  }
}
