package io.tieredcache;

import io.tieredcache.spi.InvalidationBus;
import io.tieredcache.spi.InvalidationListener;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;

/** Delivers invalidations synchronously between the nodes of one test; never to the sender. */
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
        listeners.computeIfAbsent(cacheName, name -> new CopyOnWriteArrayList<>()).add(entry);
        return () -> listeners.get(cacheName).remove(entry);
      }

      @Override
      public void close() {}
    };
  }

  private void deliver(String origin, String cacheName, java.util.function.Consumer<InvalidationListener> action) {
    for (var entry : listeners.getOrDefault(cacheName, List.of())) {
      if (!entry.getKey().equals(origin)) {
        action.accept(entry.getValue());
      }
    }
  }
}
