package io.tieredcache.redis.bus;

import io.tieredcache.spi.InvalidationBus.Subscription;
import io.tieredcache.spi.InvalidationListener;
import java.lang.System.Logger.Level;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Consumer;

/**
 * The listeners of one bus: at most one per cache name, since two caches of one name on one node
 * would never hear each other (a bus drops its own node's messages). Delivery runs on the bus's
 * dispatch thread; a subscription closed before a queued delivery runs does not receive it. A
 * listener that throws is logged and does not stop delivery to the others.
 *
 * <p>Each registration remembers whether it was told {@code onDeaf}, so that it hears {@code
 * onHearing} only after {@code onDeaf}, and each exactly once per outage, even when it subscribed in
 * the middle of one.
 */
final class ListenerRegistry {

  private static final System.Logger LOG = System.getLogger(ListenerRegistry.class.getName());

  private final ConcurrentHashMap<String, Registration> byCache = new ConcurrentHashMap<>();

  /**
   * Registers the listener of {@code cacheName}.
   *
   * @throws IllegalStateException if that cache already has a listener on this bus
   */
  Registration add(String cacheName, InvalidationListener listener) {
    Objects.requireNonNull(cacheName, "cacheName");
    Objects.requireNonNull(listener, "listener");
    Registration registration = new Registration(cacheName, listener);
    Registration existing = byCache.putIfAbsent(cacheName, registration);
    if (existing != null) {
      throw new IllegalStateException("a cache named '" + cacheName + "' is already subscribed to this"
          + " invalidation bus: two caches of one name on one node would never invalidate each other"
          + " (a bus ignores its own node's messages); give each cache its own name, or close the"
          + " first one before building the second");
    }
    return registration;
  }

  void keys(String cacheName, List<String> keys) {
    Registration registration = byCache.get(cacheName);
    if (registration != null) {
      registration.call(listener -> listener.onKeys(keys));
    }
  }

  void all(String cacheName, long epoch) {
    Registration registration = byCache.get(cacheName);
    if (registration != null) {
      registration.call(listener -> listener.onAll(epoch));
    }
  }

  /** Tells every listener that messages may have been lost. */
  void lost(String reason) {
    for (Registration registration : byCache.values()) {
      registration.call(listener -> listener.onMessagesLost(reason));
    }
  }

  /** Tells every listener not yet told that the bus is deaf. */
  void deaf(String reason, long sinceNanos) {
    for (Registration registration : byCache.values()) {
      registration.deaf(reason, sinceNanos);
    }
  }

  /** Tells every listener that was told it is deaf that the bus hears again. */
  void hearing(boolean missedNothing) {
    for (Registration registration : byCache.values()) {
      if (registration.deaf) {
        registration.deaf = false;
        registration.call(listener -> listener.onHearing(missedNothing));
      }
    }
  }

  /** Stops every delivery (the bus is closing). */
  void clear() {
    for (Registration registration : byCache.values()) {
      registration.active = false;
    }
    byCache.clear();
  }

  /** One cache's listener. */
  final class Registration implements Subscription {
    final String cacheName;
    final InvalidationListener listener;
    volatile boolean active = true;
    /** Whether this listener was told {@code onDeaf} and not yet {@code onHearing}; dispatch thread. */
    private boolean deaf;

    Registration(String cacheName, InvalidationListener listener) {
      this.cacheName = cacheName;
      this.listener = listener;
    }

    /** Tells this listener the bus is deaf, unless it was told already. Dispatch thread only. */
    void deaf(String reason, long sinceNanos) {
      if (active && !deaf) {
        deaf = true;
        call(l -> l.onDeaf(reason, sinceNanos));
      }
    }

    private void call(Consumer<InvalidationListener> event) {
      if (active) {
        try {
          event.accept(listener);
        } catch (RuntimeException e) {
          LOG.log(Level.WARNING, "invalidation listener of cache '" + cacheName + "' failed", e);
        }
      }
    }

    @Override
    public void close() {
      active = false;
      byCache.remove(cacheName, this);
    }

    @Override
    public String toString() {
      return "Subscription[" + cacheName + (active ? "" : ", closed") + "]";
    }
  }
}
