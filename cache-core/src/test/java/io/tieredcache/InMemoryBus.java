package io.tieredcache;

import io.tieredcache.spi.InvalidationBus;
import io.tieredcache.spi.InvalidationListener;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;

/**
 * Delivers invalidations synchronously between the nodes of one test; never to the sender. Like
 * the Redis buses, it refuses a second subscription of one cache name on one node. A test can
 * play the bus's own health events to one node ({@link #toNode}).
 */
final class InMemoryBus {
  private final Map<String, List<Map.Entry<String, InvalidationListener>>> listeners = new ConcurrentHashMap<>();

  /** A node's end of the bus. */
  InvalidationBus node(String nodeId) {
    return new InvalidationBus() {
      @Override
      public String nodeId() {
        return nodeId;
      }

      @Override
      public CompletableFuture<Void> publish(String cacheName, Collection<String> encodedKeys) {
        List<String> keys = List.copyOf(encodedKeys);
        deliver(nodeId, cacheName, listener -> listener.onKeys(keys));
        return CompletableFuture.completedFuture(null);
      }

      @Override
      public CompletableFuture<Void> publishAll(String cacheName, long epoch) {
        deliver(nodeId, cacheName, listener -> listener.onAll(epoch));
        return CompletableFuture.completedFuture(null);
      }

      @Override
      public Subscription subscribe(String cacheName, InvalidationListener listener) {
        var entry = Map.entry(nodeId, listener);
        var list = listeners.computeIfAbsent(cacheName, name -> new CopyOnWriteArrayList<>());
        synchronized (list) {
          if (list.stream().anyMatch(e -> e.getKey().equals(nodeId))) {
            throw new IllegalStateException("a cache named '" + cacheName + "' is already subscribed on node " + nodeId);
          }
          list.add(entry);
        }
        return () -> listeners.get(cacheName).remove(entry);
      }

      @Override
      public void close() {}
    };
  }

  /** Calls {@code event} on every listener of {@code nodeId} (its bus's own health events). */
  void toNode(String nodeId, Consumer<InvalidationListener> event) {
    for (var list : listeners.values()) {
      for (var entry : list) {
        if (entry.getKey().equals(nodeId)) {
          event.accept(entry.getValue());
        }
      }
    }
  }

  private void deliver(String origin, String cacheName, Consumer<InvalidationListener> action) {
    for (var entry : listeners.getOrDefault(cacheName, List.of())) {
      if (!entry.getKey().equals(origin)) {
        action.accept(entry.getValue());
      }
    }
  }
}
