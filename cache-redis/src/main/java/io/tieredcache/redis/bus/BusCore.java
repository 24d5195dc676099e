package io.tieredcache.redis.bus;

import io.tieredcache.redis.bus.BusMessage.Type;
import io.tieredcache.spi.InvalidationBus.Subscription;
import io.tieredcache.spi.InvalidationListener;
import java.lang.System.Logger.Level;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.BooleanSupplier;
import java.util.function.LongSupplier;

/**
 * What both transports share: numbering and encoding outgoing messages, knowing which numbers may
 * have failed, coalescing, the bus's health (deaf or hearing) as the transport reports it, handing
 * what arrives to the {@link Receiver} on the dispatch thread, counters and the bus's threads.
 *
 * <p>A transport supplies how a payload is sent ({@link Transport}), feeds what it receives to
 * {@link #received(byte[], long)}, and reports {@link #reportDeaf deafness}, {@link #reportHearing
 * hearing} and {@link #reportLost losses}.
 *
 * <p>Threads, all daemons named after the node: one dispatch thread (listeners), one timer
 * (heartbeats, watchdogs; it never blocks) and one connector (opening fresh connections, which may
 * block for as long as Lettuce's connect and command timeouts allow).
 */
final class BusCore {

  private static final System.Logger LOG = System.getLogger(BusCore.class.getName());

  /** Messages are split so that none exceeds about this many bytes (one huge key excepted). */
  static final long MAX_MESSAGE_BYTES = 256 * 1024;
  /** Another node not heard for this long is forgotten. */
  static final long ORIGIN_EXPIRY_NANOS = TimeUnit.MINUTES.toNanos(10);
  /**
   * Sends one encoded payload; the future completes when Redis accepted it, or fails (within a
   * bounded time: the transport gives up on a connection that does not answer).
   */
  interface Transport {
    CompletableFuture<?> send(byte[] payload);
  }

  final String nodeId;
  final long incarnation;
  final BusCounters counters = new BusCounters();
  private final int maxKeysPerMessage;
  private final String kind;

  private final ListenerRegistry listeners = new ListenerRegistry();
  private final Receiver receiver; // dispatch thread only
  private final ExecutorService dispatcher;
  private final ScheduledExecutorService timer;
  private final ScheduledThreadPoolExecutor connector;
  private final Coalescer coalescer = new Coalescer(this::sendBatch);
  private final Set<CompletableFuture<Void>> outstanding = ConcurrentHashMap.newKeySet();

  private final ReentrantLock sendLock = new ReentrantLock();
  private long lastSequence; // guarded by sendLock
  private long lastFailed; // guarded by sendLock
  private final TreeSet<Long> unacknowledged = new TreeSet<>(); // guarded by sendLock
  private int messagesToLose; // guarded by sendLock; test hook
  private volatile Transport transport;
  private volatile boolean closed;
  private volatile boolean publishFailing;

  private final Object healthLock = new Object();
  private volatile boolean deaf; // guarded by healthLock for writes

  BusCore(String nodeId, int maxKeysPerMessage, String kind) {
    this.nodeId = Objects.requireNonNull(nodeId, "nodeId");
    this.incarnation = NodeIds.incarnation();
    this.maxKeysPerMessage = maxKeysPerMessage;
    this.kind = kind;
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

  void transport(Transport transport) {
    this.transport = transport;
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

  // ---------------------------------------------------------------- publishing

  CompletableFuture<Void> publish(String cacheName, Collection<String> encodedKeys) {
    Objects.requireNonNull(cacheName, "cacheName");
    Objects.requireNonNull(encodedKeys, "encodedKeys");
    List<String> keys = new ArrayList<>(encodedKeys.size());
    for (String key : encodedKeys) {
      keys.add(Objects.requireNonNull(key, "encoded key"));
    }
    if (keys.isEmpty()) {
      return CompletableFuture.completedFuture(null);
    }
    return track(cacheName, keys, false, 0);
  }

  CompletableFuture<Void> publishAll(String cacheName, long epoch) {
    Objects.requireNonNull(cacheName, "cacheName");
    return track(cacheName, List.of(), true, epoch);
  }

  private CompletableFuture<Void> track(String cacheName, List<String> keys, boolean all, long epoch) {
    if (closed) {
      return CompletableFuture.failedFuture(new IllegalStateException("the invalidation bus is closed"));
    }
    CompletableFuture<Void> future = coalescer.submit(cacheName, keys, all, epoch);
    if (!future.isDone()) {
      outstanding.add(future);
      future.whenComplete((ignored, error) -> outstanding.remove(future));
    }
    return future;
  }

  /** Numbers, encodes and hands one batch to the transport, split into bounded messages. */
  private CompletableFuture<Void> sendBatch(String cacheName, Coalescer.Batch batch) {
    if (batch.kind() == Coalescer.Kind.OVERFLOW) {
      return overflow(cacheName);
    }
    boolean all = batch.kind() == Coalescer.Kind.ALL;
    List<List<String>> chunks = all ? List.of(List.of()) : chunk(batch.keys());
    List<CompletableFuture<?>> futures = new ArrayList<>(chunks.size());
    sendLock.lock();
    try {
      for (List<String> chunk : chunks) {
        long sequence = ++lastSequence;
        BusMessage message = all
            ? BusMessage.all(nodeId, incarnation, sequence, lastFailed, cacheName, batch.epoch())
            : BusMessage.keys(nodeId, incarnation, sequence, lastFailed, cacheName, chunk);
        byte[] payload = MessageCodec.encode(message);
        if (messagesToLose > 0) {
          messagesToLose--; // as if it had never reached Redis: numbered, failed, never delivered
          lastFailed = sequence;
          continue;
        }
        unacknowledged.add(sequence);
        futures.add(sendNumbered(sequence, payload));
      }
    } finally {
      sendLock.unlock();
    }
    return CompletableFuture.allOf(futures.toArray(CompletableFuture[]::new));
  }

  /**
   * Too many keys were waiting for one cache: uses up a number without sending it, so that other
   * nodes treat the next message of this node as a loss, and fails the publishes.
   */
  private CompletableFuture<Void> overflow(String cacheName) {
    sendLock.lock();
    try {
      lastFailed = ++lastSequence;
    } finally {
      sendLock.unlock();
    }
    counters.publishFailures.increment();
    LOG.log(Level.WARNING, "{0} bus {1}: more than {2} keys of cache ''{3}'' were waiting to be"
        + " published; dropped, other nodes will treat it as a loss",
        kind, nodeId, Coalescer.MAX_PENDING_KEYS, cacheName);
    return CompletableFuture.failedFuture(new IllegalStateException("more than "
        + Coalescer.MAX_PENDING_KEYS + " keys were waiting to be published for cache '" + cacheName
        + "'; other nodes will treat it as a loss"));
  }

  private CompletableFuture<?> sendNumbered(long sequence, byte[] payload) {
    return send(payload).whenComplete((ignored, error) -> {
      sendLock.lock();
      try {
        unacknowledged.remove(sequence);
        if (error != null) {
          lastFailed = Math.max(lastFailed, sequence);
        }
      } finally {
        sendLock.unlock();
      }
      if (error == null) {
        counters.sent.increment();
        if (publishFailing) {
          publishFailing = false;
          LOG.log(Level.INFO, "{0} bus {1}: publishing works again", kind, nodeId);
        }
      } else {
        counters.publishFailures.increment();
        if (!publishFailing) {
          publishFailing = true;
          LOG.log(Level.WARNING, "{0} bus {1}: an invalidation could not be published ({2});"
              + " other nodes will notice the gap", kind, nodeId, error.toString());
        }
      }
    });
  }

  private CompletableFuture<?> send(byte[] payload) {
    Transport current = transport;
    if (current == null) {
      return CompletableFuture.failedFuture(new IllegalStateException("no transport"));
    }
    try {
      return current.send(payload);
    } catch (RuntimeException e) {
      return CompletableFuture.failedFuture(e);
    }
  }

  /**
   * The connection messages were sent on is gone: whatever it had not acknowledged may never
   * have reached Redis. Call before anything is sent on its replacement.
   */
  void connectionReplaced() {
    sendLock.lock();
    try {
      if (!unacknowledged.isEmpty()) {
        lastFailed = Math.max(lastFailed, unacknowledged.last());
        unacknowledged.clear();
      }
    } finally {
      sendLock.unlock();
    }
  }

  private List<List<String>> chunk(List<String> keys) {
    List<List<String>> chunks = new ArrayList<>();
    List<String> current = new ArrayList<>();
    long bytes = 0;
    for (String key : keys) {
      long size = MessageCodec.maxEncodedSize(key);
      if (!current.isEmpty() && (current.size() >= maxKeysPerMessage || bytes + size > MAX_MESSAGE_BYTES)) {
        chunks.add(current);
        current = new ArrayList<>();
        bytes = 0;
      }
      current.add(key);
      bytes += size;
    }
    chunks.add(current);
    return chunks;
  }

  /**
   * Sends a control message carrying this node's latest sequence number, in order with the
   * numbered messages; the future carries the transport's reply.
   */
  CompletableFuture<?> sendControl(Type type) {
    sendLock.lock();
    try {
      return send(MessageCodec.encode(
          BusMessage.control(type, nodeId, incarnation, lastSequence, lastFailed)));
    } finally {
      sendLock.unlock();
    }
  }

  /** Test hook: the next {@code count} messages are numbered but never sent, like lost ones. */
  void loseNextMessages(int count) {
    sendLock.lock();
    try {
      messagesToLose += count;
    } finally {
      sendLock.unlock();
    }
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
    CompletableFuture<?>[] pending = outstanding.toArray(CompletableFuture[]::new);
    if (pending.length > 0) {
      try {
        CompletableFuture.allOf(pending).get(drain.toMillis(), TimeUnit.MILLISECONDS);
      } catch (TimeoutException e) {
        LOG.log(Level.DEBUG, "{0} bus {1}: closing with {2} publishes in flight", kind, nodeId, pending.length);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      } catch (Exception e) {
        // failed publishes were counted and logged already
      }
    }
    coalescer.abandon(new IllegalStateException("the invalidation bus was closed"));
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
