package io.tieredcache.redis.bus;

import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Natural batching per cache: while a send for a cache is in flight, what is published for that
 * cache waits and is merged into the next send, which starts as soon as the previous one completes.
 * No timer, no artificial delay: an idle bus sends at once, a busy one sends fewer, larger batches.
 *
 * <p>A pending "all" absorbs pending keys, and pending "all"s merge into one carrying the highest
 * epoch (epochs only grow). More than {@link #MAX_PENDING_KEYS} waiting keys are dropped and
 * replaced by an {@link Kind#OVERFLOW overflow}, so that memory stays bounded while Redis is slow or
 * unreachable: the sender turns it into a loss that other nodes notice (it cannot become an "all",
 * which would move other nodes to an epoch).
 */
final class Coalescer {

  /** Beyond this many keys waiting for one cache, they are replaced by an overflow. */
  static final int MAX_PENDING_KEYS = 100_000;

  /** What one batch says. */
  enum Kind {
    /** These keys changed. */
    KEYS,
    /** Every key changed; the cache moved to {@link Batch#epoch()}. */
    ALL,
    /** Too many keys were waiting: they were dropped, and other nodes must treat it as a loss. */
    OVERFLOW
  }

  /** One send of one cache. */
  record Batch(Kind kind, long epoch, List<String> keys) {}

  /** Sends one batch (split into messages as needed); completes when all of it was sent. */
  interface BatchSender {
    CompletableFuture<Void> send(String cacheName, Batch batch);
  }

  private final BatchSender sender;
  private final ConcurrentHashMap<String, Lane> lanes = new ConcurrentHashMap<>();

  Coalescer(BatchSender sender) {
    this.sender = sender;
  }

  /**
   * Queues keys (or "all" at {@code epoch} when {@code all}) of a cache; completes when they were
   * sent.
   */
  CompletableFuture<Void> submit(String cacheName, Collection<String> keys, boolean all, long epoch) {
    Lane lane = lanes.computeIfAbsent(cacheName, Lane::new);
    Batch now;
    synchronized (lane) {
      if (lane.busy) {
        return lane.merge(keys, all, epoch);
      }
      lane.busy = true;
      now = all
          ? new Batch(Kind.ALL, epoch, List.of())
          : new Batch(Kind.KEYS, 0, new ArrayList<>(new LinkedHashSet<>(keys)));
    }
    CompletableFuture<Void> sent = sendSafely(lane, now);
    afterSend(lane, sent);
    return sent;
  }

  private CompletableFuture<Void> sendSafely(Lane lane, Batch batch) {
    try {
      return sender.send(lane.cacheName, batch);
    } catch (RuntimeException e) {
      return CompletableFuture.failedFuture(e);
    }
  }

  /** Starts the next batch of the lane once {@code sent} completes, or frees the lane. */
  private void afterSend(Lane lane, CompletableFuture<Void> sent) {
    CompletableFuture<Void> current = sent;
    while (current.isDone()) {
      Pending next;
      synchronized (lane) {
        next = lane.takePending();
        if (next == null) {
          lane.busy = false;
          return;
        }
      }
      current = sendSafely(lane, next.batch);
      propagate(current, next.future);
    }
    current.whenComplete((ignored, error) -> afterSend(lane, CompletableFuture.completedFuture(null)));
  }

  private static void propagate(CompletableFuture<Void> from, CompletableFuture<Void> to) {
    from.whenComplete((ignored, error) -> {
      if (error != null) {
        to.completeExceptionally(error);
      } else {
        to.complete(null);
      }
    });
  }

  /** Fails what is still waiting (the bus is closing). */
  void abandon(RuntimeException reason) {
    for (Lane lane : lanes.values()) {
      Pending pending;
      synchronized (lane) {
        pending = lane.takePending();
      }
      if (pending != null) {
        pending.future.completeExceptionally(reason);
      }
    }
  }

  private record Pending(Batch batch, CompletableFuture<Void> future) {}

  private static final class Lane {
    final String cacheName;
    boolean busy;
    Kind pendingKind = Kind.KEYS;
    long pendingEpoch;
    LinkedHashSet<String> pendingKeys = new LinkedHashSet<>();
    CompletableFuture<Void> pendingFuture;

    Lane(String cacheName) {
      this.cacheName = cacheName;
    }

    CompletableFuture<Void> merge(Collection<String> keys, boolean all, long epoch) {
      if (all) {
        pendingEpoch = pendingKind == Kind.ALL ? Math.max(pendingEpoch, epoch) : epoch;
        pendingKind = Kind.ALL;
        pendingKeys = new LinkedHashSet<>();
      } else if (pendingKind == Kind.KEYS) {
        pendingKeys.addAll(keys);
        if (pendingKeys.size() > MAX_PENDING_KEYS) {
          pendingKind = Kind.OVERFLOW;
          pendingKeys = new LinkedHashSet<>();
        }
      }
      if (pendingFuture == null) {
        pendingFuture = new CompletableFuture<>();
      }
      return pendingFuture;
    }

    Pending takePending() {
      if (pendingFuture == null) {
        return null;
      }
      Batch batch = new Batch(pendingKind, pendingKind == Kind.ALL ? pendingEpoch : 0,
          pendingKind == Kind.KEYS ? List.copyOf(pendingKeys) : List.of());
      Pending pending = new Pending(batch, pendingFuture);
      pendingKind = Kind.KEYS;
      pendingEpoch = 0;
      pendingKeys = new LinkedHashSet<>();
      pendingFuture = null;
      return pending;
    }
  }
}
