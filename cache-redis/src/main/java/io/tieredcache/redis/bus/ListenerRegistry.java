package io.tieredcache.redis.bus;

import io.tieredcache.spi.InvalidationBus.Subscription;
import io.tieredcache.spi.InvalidationListener;
import java.lang.System.Logger.Level;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * The listeners of one bus, per cache name. Delivery runs on the bus's dispatch thread; a
 * subscription closed before a queued delivery runs does not receive it. A listener that throws is
 * logged and does not stop delivery to the others.
 */
final class ListenerRegistry {

  private static final System.Logger LOG = System.getLogger(ListenerRegistry.class.getName());

  private final ConcurrentHashMap<String, CopyOnWriteArrayList<Registration>> byCache =
      new ConcurrentHashMap<>();

  Subscription add(String cacheName, InvalidationListener listener) {
    Objects.requireNonNull(cacheName, "cacheName");
    Objects.requireNonNull(listener, "listener");
    Registration registration = new Registration(cacheName, listener);
    byCache.computeIfAbsent(cacheName, name -> new CopyOnWriteArrayList<>()).add(registration);
    return registration;
  }

  /** Whether any listener of {@code cacheName} is registered. */
  boolean hasListeners(String cacheName) {
    CopyOnWriteArrayList<Registration> list = byCache.get(cacheName);
    return list != null && !list.isEmpty();
  }

  void keys(String cacheName, List<String> keys) {
    CopyOnWriteArrayList<Registration> list = byCache.get(cacheName);
    if (list == null) {
      return;
    }
    for (Registration registration : list) {
      if (registration.active) {
        try {
          registration.listener.onKeys(keys);
        } catch (RuntimeException e) {
          LOG.log(Level.WARNING, "invalidation listener of cache '" + cacheName + "' failed", e);
        }
      }
    }
  }

  void all(String cacheName, String reason) {
    CopyOnWriteArrayList<Registration> list = byCache.get(cacheName);
    if (list != null) {
      for (Registration registration : list) {
        registration.all(reason);
      }
    }
  }

  /** Tells every listener of every cache to flush. */
  void everyCache(String reason) {
    for (CopyOnWriteArrayList<Registration> list : byCache.values()) {
      for (Registration registration : list) {
        registration.all(reason);
      }
    }
  }

  /** Stops every delivery (the bus is closing). */
  void clear() {
    for (CopyOnWriteArrayList<Registration> list : byCache.values()) {
      for (Registration registration : list) {
        registration.active = false;
      }
    }
    byCache.clear();
  }

  private final class Registration implements Subscription {
    final String cacheName;
    final InvalidationListener listener;
    volatile boolean active = true;

    Registration(String cacheName, InvalidationListener listener) {
      this.cacheName = cacheName;
      this.listener = listener;
    }

    void all(String reason) {
      if (active) {
        try {
          listener.onAll(reason);
        } catch (RuntimeException e) {
          LOG.log(Level.WARNING, "invalidation listener of cache '" + cacheName + "' failed", e);
        }
      }
    }

    @Override
    public void close() {
      active = false;
      CopyOnWriteArrayList<Registration> list = byCache.get(cacheName);
      if (list != null) {
        list.remove(this);
      }
    }

    @Override
    public String toString() {
      return "Subscription[" + cacheName + (active ? "" : ", closed") + "]";
    }
  }
}
