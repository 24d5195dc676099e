package io.tieredcache.redis.bus;

import io.lettuce.core.RedisChannelHandler;
import io.lettuce.core.RedisConnectionStateListener;
import io.lettuce.core.api.StatefulRedisConnection;
import java.lang.System.Logger.Level;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * One connection of the bus (a subscription, a publisher, a stream reader or appender) that
 * replaces itself when it drops or stalls, instead of waiting for Lettuce's auto-reconnect.
 *
 * <p>Why: Lettuce reconnects with the delay of the user's {@code ClientResources}, by default an
 * exponential backoff that reaches many seconds during a long outage, so cross-node invalidation
 * would stay down seconds after Redis is back. Instead, when a connection drops (or a command on it
 * gets no reply in time) the slot stops handing it out, closes it (which also stops Lettuce's
 * reconnect and fails what it still held) and opens a fresh one on the bus's connector thread,
 * retrying every {@code reconnectInterval}, and prepares it (client name, subscription) before
 * handing it out. Every connection it hands out was prepared the same way, so the client name stays
 * the same across reconnects.
 *
 * @param <C> the connection type
 */
final class ConnectionSlot<C extends StatefulRedisConnection<String, byte[]>> {

  private static final System.Logger LOG = System.getLogger(ConnectionSlot.class.getName());

  /**
   * A command of the bus that Redis has not answered within this time counts as failed, and the
   * connection it was sent on is replaced.
   */
  static final Duration COMMAND_TIMEOUT = Duration.ofSeconds(2);

  /** Opens a connection; may block as long as Lettuce's connect timeout allows. */
  interface Opener<C> {
    C open();
  }

  /** Prepares a fresh connection before it is handed out; each wait bounded. */
  interface Preparer<C> {
    void prepare(C connection) throws Exception;
  }

  /** Closes a connection the slot no longer uses; never throws. */
  interface Closer<C> {
    void close(C connection);
  }

  /** What the owner hears about its connection. */
  interface Events<C> {
    /** The connection is gone; called once per connection, on whichever thread noticed. */
    void lost(C connection);

    /** A fresh, prepared connection is handed out now; called on the connector thread. */
    void restored(C connection);
  }

  private final BusCore core;
  private final String role;
  private final Opener<C> opener;
  private final Preparer<C> preparer;
  private final Events<C> events;
  private final Closer<C> closer;
  private final long intervalMillis;

  private volatile C current;
  private volatile Watcher currentWatcher;
  private volatile boolean closed;
  private long lostAtNanos; // connector thread
  private int failedAttempts; // connector thread

  ConnectionSlot(BusCore core, String role, Duration reconnectInterval, Opener<C> opener,
      Preparer<C> preparer, Events<C> events) {
    this(core, role, reconnectInterval, opener, preparer, events, Connections::closeQuietly);
  }

  /** As the other constructor, with a way to close a connection that is not just closing it. */
  ConnectionSlot(BusCore core, String role, Duration reconnectInterval, Opener<C> opener,
      Preparer<C> preparer, Events<C> events, Closer<C> closer) {
    this.core = core;
    this.closer = closer;
    this.role = role;
    this.opener = opener;
    this.preparer = preparer;
    this.events = events;
    this.intervalMillis = Math.max(1, reconnectInterval.toMillis());
  }

  /**
   * Opens and prepares the first connection on the calling thread.
   *
   * @throws RuntimeException what opening or preparing threw (Redis cannot be reached now)
   */
  C open() {
    Prepared prepared = openPrepared();
    install(prepared);
    return prepared.connection;
  }

  /** The connection to use now, or {@code null} while a fresh one is being opened. */
  C current() {
    return current;
  }

  /**
   * Stops using {@code suspect} (if it is still the current connection), closes it and opens a
   * fresh one. Never blocks: safe on a Lettuce event loop.
   */
  void replace(C suspect, String why) {
    Watcher watcher;
    synchronized (this) {
      if (closed || suspect == null || suspect != current) {
        return;
      }
      current = null;
      watcher = currentWatcher;
      currentWatcher = null;
    }
    LOG.log(Level.WARNING, "{0} bus {1}: {2} connection lost ({3}); opening a fresh one",
        core.kind(), core.nodeId, role, why);
    events.lost(suspect);
    schedule(() -> {
      lostAtNanos = System.nanoTime();
      failedAttempts = 0;
      discard(suspect, watcher);
      probe();
    }, 0);
  }

  /**
   * {@code future} of a command sent on {@code connection}, failing after {@link
   * #COMMAND_TIMEOUT}; a timeout also replaces the connection. Lettuce's own command is left alone.
   */
  <T> CompletableFuture<T> bounded(C connection, CompletableFuture<T> future) {
    if (future.isDone()) {
      return future;
    }
    CompletableFuture<T> bounded = future.copy().orTimeout(COMMAND_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
    bounded.whenComplete((ignored, error) -> {
      if (error instanceof TimeoutException) {
        replace(connection, "no reply within " + COMMAND_TIMEOUT.toMillis() + " ms");
      }
    });
    return bounded;
  }

  /** Closes the current connection and stops opening new ones. Idempotent. */
  void close() {
    C connection;
    Watcher watcher;
    synchronized (this) {
      closed = true;
      connection = current;
      watcher = currentWatcher;
      current = null;
      currentWatcher = null;
    }
    if (connection != null) {
      discard(connection, watcher);
    }
  }

  // ---------------------------------------------------------------- connector thread

  private void probe() {
    if (closed) {
      return;
    }
    Prepared prepared;
    try {
      prepared = openPrepared();
    } catch (RuntimeException e) {
      failedAttempts++;
      if (failedAttempts == 1) {
        LOG.log(Level.WARNING, "{0} bus {1}: cannot open a {2} connection yet ({3}); retrying every {4} ms",
            core.kind(), core.nodeId, role, e.toString(), intervalMillis);
      } else {
        LOG.log(Level.DEBUG, "{0} bus {1}: {2} connection attempt {3} failed: {4}",
            core.kind(), core.nodeId, role, failedAttempts, e.toString());
      }
      schedule(this::probe, intervalMillis);
      return;
    }
    if (!install(prepared)) {
      return;
    }
    core.counters.reconnects.increment();
    LOG.log(Level.INFO, "{0} bus {1}: {2} connection back after {3} ms",
        core.kind(), core.nodeId, role, TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - lostAtNanos));
    events.restored(prepared.connection);
  }

  private Prepared openPrepared() {
    C connection = opener.open();
    Watcher watcher = new Watcher(connection);
    try {
      connection.addListener(watcher);
      preparer.prepare(connection);
      return new Prepared(connection, watcher);
    } catch (Exception e) {
      discard(connection, watcher);
      if (e instanceof InterruptedException) {
        Thread.currentThread().interrupt();
      }
      throw e instanceof RuntimeException r ? r : new IllegalStateException(e.toString(), e);
    }
  }

  /** Hands the connection out, unless the slot closed meanwhile; returns whether it did. */
  private boolean install(Prepared prepared) {
    boolean installed = false;
    synchronized (this) {
      if (!closed) {
        current = prepared.connection;
        currentWatcher = prepared.watcher;
        installed = true;
      }
    }
    if (!installed) {
      discard(prepared.connection, prepared.watcher);
      return false;
    }
    if (prepared.watcher.dropped) { // it dropped while being prepared, when it was not current yet
      replace(prepared.connection, "dropped while being prepared");
    }
    return true;
  }

  private void discard(C connection, Watcher watcher) {
    if (watcher != null) {
      connection.removeListener(watcher);
    }
    closer.close(connection);
  }

  private void schedule(Runnable task, long delayMillis) {
    try {
      core.connector().schedule(task, delayMillis, TimeUnit.MILLISECONDS);
    } catch (RejectedExecutionException e) {
      if (!closed && !core.isClosed()) {
        throw e;
      }
    }
  }

  /** A fresh connection, prepared, and the watcher that notices when it drops. */
  private final class Prepared {
    final C connection;
    final Watcher watcher;

    Prepared(C connection, Watcher watcher) {
      this.connection = connection;
      this.watcher = watcher;
    }
  }

  /** Notices that one particular connection dropped. */
  private final class Watcher implements RedisConnectionStateListener {
    final C connection;
    volatile boolean dropped;

    Watcher(C connection) {
      this.connection = connection;
    }

    @Override
    public void onRedisDisconnected(RedisChannelHandler<?, ?> handler) {
      dropped = true;
      replace(connection, "disconnected");
    }
  }
}
