package io.tieredcache.redis.bus;

import io.tieredcache.spi.InvalidationBus.Subscription;
import io.tieredcache.spi.InvalidationListener;
import java.lang.System.Logger.Level;
import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import java.util.function.LongSupplier;

/**
 * What both transports share: the {@link Outbox} that numbers and sends this node's messages, the
 * bus's health (deaf or hearing) as the transport reports it, handing what arrives to the {@link
 * Receiver} on the dispatch thread, the listeners, counters and the bus's threads.
 *
 * <p>A transport gives the outbox a way to send, feeds what it receives to {@link
 * #received(byte[], long)}, and reports {@link #reportDeaf deafness}, {@link #reportHearing
 * hearing} and {@link #reportLost losses}.
 *
 * <p>Threads, all daemons named after the node: one dispatch thread (listeners), one timer
 * (heartbeats, watchdogs; it never blocks) and one connector (opening fresh connections, which may
 * block for as long as Lettuce's connect and command timeouts allow).
 */
final class BusCore {

  private static final System.Logger LOG = System.getLogger(BusCore.class.getName());

  /** Another node not heard for this long is forgotten. */
  static final long ORIGIN_EXPIRY_NANOS = TimeUnit.MINUTES.toNanos(10);

  final String nodeId;
  final long incarnation;
  final BusCounters counters = new BusCounters();
  final Outbox outbox;
  private final String kind;

  private final ListenerRegistry listeners = new ListenerRegistry();
  private final Receiver receiver; // dispatch thread only
  private final ExecutorService dispatcher;
  private final ScheduledExecutorService timer;
  private final ScheduledThreadPoolExecutor connector;
  private volatile boolean closed;

  private final Object healthLock = new Object();
  private volatile boolean deaf; // guarded by healthLock for writes

  BusCore(String nodeId, int maxKeysPerMessage, String kind) {
    this.nodeId = Objects.requireNonNull(nodeId, "nodeId");
    this.incarnation = NodeIds.incarnation();
    this.kind = kind;
    this.outbox = new Outbox(nodeId, incarnation, kind, maxKeysPerMessage, counters);
    this.receiver = new Receiver(nodeId, incarnation, kind, listeners, counters);
    this.dispatcher = Executors.newSingleThreadExecutor(daemon("tiered-cache-bus-dispatch-" + nodeId));
    ScheduledThreadPoolExecutor timerPool =
        new ScheduledThreadPoolExecutor(1, daemon("tiered-cache-bus-timer-" + nodeId));
    timerPool.setRemoveOnCancelPolicy(true);
    this.timer = timerPool;
    this.connector = new ScheduledThreadPoolExecutor(1, daemon("tiered-cache-bus-connect-" + nodeId));
    this.connector.setRemoveOnCancelPolicy(true);
    this.connector.setExecuteExistingDelayedTasksAfterShutdownPolicy(false);
  }

  private static ThreadFactory daemon(String name) {
    return runnable -> {
      Thread thread = new Thread(runnable, name);
      thread.setDaemon(true);
      return thread;
    };
  }

  ScheduledExecutorService timer() {
    return timer;
  }

  ScheduledExecutorService connector() {
    return connector;
  }

  String kind() {
    return kind;
  }

  // ---------------------------------------------------------------- receiving

  Subscription subscribe(String cacheName, InvalidationListener listener) {
    if (closed) {
      throw new IllegalStateException("the invalidation bus is closed");
    }
    ListenerRegistry.Registration registration = listeners.add(cacheName, listener);
    execute(() -> receiver.subscribed(registration));
    return registration;
  }

  /** A payload arrived (on a Lettuce or reader thread): the dispatch thread decodes and applies it. */
  void received(byte[] payload, long nowNanos) {
    execute(() -> receiver.payload(payload, nowNanos));
  }

  // ---------------------------------------------------------------- health

  /** Whether the bus is deaf now, as last reported by the transport. */
  boolean isDeaf() {
    return deaf;
  }

  /**
   * Reports that the bus cannot hear since {@code since}, if it was hearing and {@code condition}
   * still holds (checked under the same lock as every other report, so reports reach listeners in
   * the order they were made). Returns whether it reported.
   */
  boolean reportDeaf(String reason, BooleanSupplier condition, LongSupplier since) {
    synchronized (healthLock) {
      if (deaf || closed || !condition.getAsBoolean()) {
        return false;
      }
      deaf = true;
      long sinceNanos = since.getAsLong();
      execute(() -> receiver.deaf(reason, sinceNanos));
      return true;
    }
  }

  /**
   * Reports that the bus hears again, if it was deaf and {@code condition} still holds. {@code
   * missedNothing} says whether every message published meanwhile was delivered; a loss reported
   * in between turns it to {@code false} anyway. Returns whether it reported.
   */
  boolean reportHearing(boolean missedNothing, BooleanSupplier condition) {
    synchronized (healthLock) {
      if (!deaf || !condition.getAsBoolean()) {
        return false;
      }
      deaf = false;
      execute(() -> receiver.hearing(missedNothing));
      return true;
    }
  }

  /** Messages may have been lost ({@code "trimmed"}, ...): every listener hears it. */
  void reportLost(String reason) {
    synchronized (healthLock) {
      execute(() -> receiver.lost(reason));
    }
  }

  /** Queues a check for other nodes not heard for {@code timeoutNanos} (while this node hears). */
  void checkOrigins(long nowNanos, long timeoutNanos, long aliveSinceNanos) {
    execute(() -> receiver.checkOrigins(nowNanos, timeoutNanos, aliveSinceNanos, ORIGIN_EXPIRY_NANOS));
  }

  /** Queues forgetting other nodes not heard for a long time. */
  void expireOrigins(long nowNanos) {
    execute(() -> receiver.expireOrigins(nowNanos, ORIGIN_EXPIRY_NANOS));
  }

  private void execute(Runnable task) {
    try {
      dispatcher.execute(task);
    } catch (RejectedExecutionException e) {
      if (!closed) {
        throw e;
      }
    }
  }

  // ---------------------------------------------------------------- lifecycle

  BusStats stats() {
    return counters.snapshot();
  }

  boolean isClosed() {
    return closed;
  }

  /** Refuses new publishes and waits up to {@code drain} for those in flight. */
  void beginClose(Duration drain) {
    closed = true;
    outbox.close(drain);
  }

  /**
   * Stops delivery and the threads, waiting a bounded time for a delivery or a connection attempt
   * in progress (a connection opened after this is closed by the connector itself).
   */
  void shutdown() {
    closed = true;
    listeners.clear();
    timer.shutdownNow();
    connector.shutdown();
    dispatcher.shutdown();
    try {
      if (!connector.awaitTermination(1, TimeUnit.SECONDS)) {
        LOG.log(Level.DEBUG, "{0} bus {1}: a connection attempt outlives the bus", kind, nodeId);
      }
      if (!dispatcher.awaitTermination(2, TimeUnit.SECONDS)) {
        dispatcher.shutdownNow();
      }
    } catch (InterruptedException e) {
      dispatcher.shutdownNow();
      Thread.currentThread().interrupt();
    }
  }

  /** Waits until everything queued on the dispatch thread so far has run. For tests. */
  void sync() {
    CompletableFuture.runAsync(() -> { }, dispatcher).orTimeout(5, TimeUnit.SECONDS).join();
  }

  /**
   * The last number seen from {@code origin} ({@code -1} if unknown), once everything queued so far
   * was applied. For tests.
   */
  long lastSeen(String origin) {
    return CompletableFuture.supplyAsync(() -> receiver.lastSeen(origin), dispatcher)
        .orTimeout(5, TimeUnit.SECONDS).join();
  }
}
