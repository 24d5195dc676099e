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
 * A pending "all" absorbs pending keys. More than {@link #MAX_PENDING_KEYS} waiting keys collapse
 * into "all" so that memory stays bounded while Redis is slow or unreachable.
 */
final class Coalescer {

  /** Beyond this many keys waiting for one cache, they are replaced by a single "all". */
  static final int MAX_PENDING_KEYS = 100_000;

  /** Sends one batch (split into messages as needed); completes when all of it was sent. */
  interface BatchSender {
    CompletableFuture<Void> send(String cacheName, boolean all, List<String> keys);
  }

  private final BatchSender sender;
  private final ConcurrentHashMap<String, Lane> lanes = new ConcurrentHashMap<>();

  Coalescer(BatchSender sender) {
    this.sender = sender;
  }

  /** Queues keys (or "all" when {@code all}) of a cache; completes when they were sent. */
  CompletableFuture<Void> submit(String cacheName, Collection<String> keys, boolean all) {
    Lane lane = lanes.computeIfAbsent(cacheName, Lane::new);
    Batch now;
    synchronized (lane) {
      if (lane.busy) {
        return lane.merge(keys, all);
      }
      lane.busy = true;
      now = new Batch(all, all ? List.of() : new ArrayList<>(new LinkedHashSet<>(keys)), null);
    }
    CompletableFuture<Void> sent = sendSafely(lane, now);
    afterSend(lane, sent);
    return sent;
  }

  private CompletableFuture<Void> sendSafely(Lane lane, Batch batch) {
    try {
      return sender.send(lane.cacheName, batch.all, batch.keys);
    } catch (RuntimeException e) {
      return CompletableFuture.failedFuture(e);
    }
  }

  /** Starts the next batch of the lane once {@code sent} completes, or frees the lane. */
  private void afterSend(Lane lane, CompletableFuture<Void> sent) {
    CompletableFuture<Void> current = sent;
    while (current.isDone()) {
      Batch next;
      synchronized (lane) {
        next = lane.takePending();
        if (next == null) {
          lane.busy = false;
          return;
        }
      }
      current = sendSafely(lane, next);
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
      Batch pending;
      synchronized (lane) {
        pending = lane.takePending();
      }
      if (pending != null) {
        pending.future.completeExceptionally(reason);
      }
    }
  }

  private record Batch(boolean all, List<String> keys, CompletableFuture<Void> future) {}

  private static final class Lane {
    final String cacheName;
    boolean busy;
    boolean pendingAll;
    LinkedHashSet<String> pendingKeys = new LinkedHashSet<>();
    CompletableFuture<Void> pendingFuture;

    Lane(String cacheName) {
      this.cacheName = cacheName;
    }

    CompletableFuture<Void> merge(Collection<String> keys, boolean all) {
      if (all) {
        pendingAll = true;
        pendingKeys = new LinkedHashSet<>();
      } else if (!pendingAll) {
        pendingKeys.addAll(keys);
        if (pendingKeys.size() > MAX_PENDING_KEYS) {
          pendingAll = true;
          pendingKeys = new LinkedHashSet<>();
        }
      }
      if (pendingFuture == null) {
        pendingFuture = new CompletableFuture<>();
      }
      return pendingFuture;
    }

    Batch takePending() {
      if (pendingFuture == null) {
        return null;
      }
      Batch batch = new Batch(pendingAll, pendingAll ? List.of() : List.copyOf(pendingKeys), pendingFuture);
      pendingAll = false;
      pendingKeys = new LinkedHashSet<>();
      pendingFuture = null;
      return batch;
    }
  }
}
