package io.tieredcache.redis.bus;

import io.tieredcache.redis.bus.BusMessage.Type;
import io.tieredcache.redis.bus.MessageCodec.MalformedMessageException;
import io.tieredcache.spi.InvalidationBus.Subscription;
import io.tieredcache.spi.InvalidationListener;
import java.lang.System.Logger.Level;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Objects;
import java.util.Set;
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
import java.util.concurrent.atomic.LongAdder;
import java.util.concurrent.locks.ReentrantLock;

/**
 * What both transports share: numbering and encoding outgoing messages, coalescing, filtering a
 * node's own messages, sequence tracking, dispatch to listeners on the bus's own thread, counters
 * and the two small threads. A transport supplies how a payload is sent ({@link Transport}) and
 * feeds what it receives to {@link #received(byte[], long)}.
 */
final class BusCore {

  private static final System.Logger LOG = System.getLogger(BusCore.class.getName());

  /** Messages are split so that none exceeds about this many bytes (one huge key excepted). */
  static final long MAX_MESSAGE_BYTES = 256 * 1024;
  /** Another node not heard for this long is forgotten. */
  static final long ORIGIN_EXPIRY_NANOS = TimeUnit.MINUTES.toNanos(10);

  /** Sends one encoded payload; the future completes when Redis accepted it. */
  interface Transport {
    CompletableFuture<?> send(byte[] payload);
  }

  final String nodeId;
  final long incarnation;
  private final int maxKeysPerMessage;
  private final String kind;

  private final ListenerRegistry listeners = new ListenerRegistry();
  private final SequenceTracker tracker = new SequenceTracker(); // dispatch thread only
  private final ExecutorService dispatcher;
  private final ScheduledExecutorService timer;
  private final Coalescer coalescer = new Coalescer(this::sendBatch);
  private final Set<CompletableFuture<Void>> outstanding = ConcurrentHashMap.newKeySet();

  private final ReentrantLock sendLock = new ReentrantLock();
  private long lastSequence; // guarded by sendLock
  private int messagesToLose; // guarded by sendLock; test hook
  private volatile Transport transport;
  private volatile boolean closed;
  private volatile boolean publishFailing;
  private volatile boolean sameIdWarned;

  final LongAdder sent = new LongAdder();
  final LongAdder received = new LongAdder();
  final LongAdder publishFailures = new LongAdder();
  final LongAdder gaps = new LongAdder();
  final LongAdder disconnects = new LongAdder();
  final LongAdder silences = new LongAdder();
  final LongAdder trims = new LongAdder();
  final LongAdder unreadable = new LongAdder();

  BusCore(String nodeId, int maxKeysPerMessage, String kind) {
    this.nodeId = Objects.requireNonNull(nodeId, "nodeId");
    this.incarnation = NodeIds.incarnation();
    this.maxKeysPerMessage = maxKeysPerMessage;
    this.kind = kind;
    this.dispatcher = Executors.newSingleThreadExecutor(daemon("tiered-cache-bus-dispatch-" + nodeId));
    ScheduledThreadPoolExecutor timerPool =
        new ScheduledThreadPoolExecutor(1, daemon("tiered-cache-bus-timer-" + nodeId));
    timerPool.setRemoveOnCancelPolicy(true);
    this.timer = timerPool;
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
    return track(cacheName, keys, false);
  }

  CompletableFuture<Void> publishAll(String cacheName) {
    Objects.requireNonNull(cacheName, "cacheName");
    return track(cacheName, List.of(), true);
  }

  private CompletableFuture<Void> track(String cacheName, List<String> keys, boolean all) {
    if (closed) {
      return CompletableFuture.failedFuture(new IllegalStateException("the invalidation bus is closed"));
    }
    CompletableFuture<Void> future = coalescer.submit(cacheName, keys, all);
    if (!future.isDone()) {
      outstanding.add(future);
      future.whenComplete((ignored, error) -> outstanding.remove(future));
    }
    return future;
  }

  /** Numbers, encodes and hands one batch to the transport, split into bounded messages. */
  private CompletableFuture<Void> sendBatch(String cacheName, boolean all, List<String> keys) {
    List<List<String>> chunks = all ? List.of(List.of()) : chunk(keys);
    List<CompletableFuture<?>> futures = new ArrayList<>(chunks.size());
    sendLock.lock();
    try {
      for (List<String> chunk : chunks) {
        long sequence = ++lastSequence;
        BusMessage message = all
            ? BusMessage.all(nodeId, incarnation, sequence, cacheName)
            : BusMessage.keys(nodeId, incarnation, sequence, cacheName, chunk);
        byte[] payload = MessageCodec.encode(message);
        if (messagesToLose > 0) {
          messagesToLose--; // as if Redis had dropped it: numbered, never delivered
          continue;
        }
        futures.add(sendCounted(payload));
      }
    } finally {
      sendLock.unlock();
    }
    return CompletableFuture.allOf(futures.toArray(CompletableFuture[]::new));
  }

  private CompletableFuture<?> sendCounted(byte[] payload) {
    return send(payload).whenComplete((ignored, error) -> {
      if (error == null) {
        sent.increment();
        if (publishFailing) {
          publishFailing = false;
          LOG.log(Level.INFO, "{0} bus {1}: publishing works again", kind, nodeId);
        }
      } else {
        publishFailures.increment();
        if (!publishFailing) {
          publishFailing = true;
          LOG.log(Level.WARNING, kind + " bus " + nodeId + ": an invalidation could not be published;"
              + " other nodes will notice the gap and flush", error);
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
      return send(MessageCodec.encode(BusMessage.control(type, nodeId, incarnation, lastSequence)));
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
    return listeners.add(cacheName, listener);
  }

  /**
   * A payload arrived (on a Lettuce or reader thread): decodes it, drops this node's own, and
   * queues the rest for the dispatch thread. Returns whether it was this node's own message.
   */
  boolean received(byte[] payload, long nowNanos) {
    BusMessage message;
    try {
      message = MessageCodec.decode(payload);
    } catch (MalformedMessageException e) {
      unreadable.increment();
      LOG.log(Level.WARNING, "{0} bus {1}: unreadable message ({2}); flushing",
          kind, nodeId, e.getMessage());
      flush("unreadable");
      return false;
    }
    if (message.origin().equals(nodeId)) {
      if (message.incarnation() == incarnation) {
        return true;
      }
      if (!sameIdWarned) {
        sameIdWarned = true;
        LOG.log(Level.WARNING, "{0} bus {1}: another bus uses the same node id; ids must be unique",
            kind, nodeId);
      }
    }
    execute(() -> apply(message, nowNanos));
    return false;
  }

  private void apply(BusMessage message, long nowNanos) {
    String origin = message.origin();
    switch (message.type()) {
      case KEYS, ALL -> {
        SequenceTracker.Verdict verdict =
            tracker.numbered(origin, message.incarnation(), message.sequence(), nowNanos);
        if (verdict == SequenceTracker.Verdict.GAP) {
          gap(origin);
        }
        received.increment();
        if (message.type() == Type.KEYS) {
          listeners.keys(message.cache(), message.keys());
        } else {
          listeners.all(message.cache(), "all");
        }
      }
      case HEARTBEAT, HELLO -> {
        if (tracker.latest(origin, message.incarnation(), message.sequence(), nowNanos)
            == SequenceTracker.Verdict.GAP) {
          gap(origin);
        }
      }
      case BYE -> tracker.forget(origin);
    }
  }

  private void gap(String origin) {
    gaps.increment();
    LOG.log(Level.DEBUG, "{0} bus {1}: messages from {2} were lost; flushing", kind, nodeId, origin);
    listeners.everyCache("gap");
  }

  /** Tells every listener to flush, on the dispatch thread after what was queued before. */
  void flush(String reason) {
    execute(() -> listeners.everyCache(reason));
  }

  /**
   * Queues a check for other nodes not heard for {@code timeoutNanos}: if any fell silent, counts
   * one silence and flushes every listener.
   */
  void checkOrigins(long nowNanos, long timeoutNanos, long aliveSinceNanos) {
    execute(() -> {
      if (tracker.markSilent(nowNanos, timeoutNanos, aliveSinceNanos, ORIGIN_EXPIRY_NANOS) > 0) {
        silences.increment();
        LOG.log(Level.DEBUG, "{0} bus {1}: another node fell silent; flushing", kind, nodeId);
        listeners.everyCache("silence");
      }
    });
  }

  /** Queues forgetting other nodes not heard for a long time. */
  void expireOrigins(long nowNanos) {
    execute(() -> tracker.expire(nowNanos, ORIGIN_EXPIRY_NANOS));
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
    return new BusStats(sent.sum(), received.sum(), publishFailures.sum(), gaps.sum(),
        disconnects.sum(), silences.sum(), trims.sum(), unreadable.sum());
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

  /** Stops delivery and both threads (waiting briefly for a delivery in progress). */
  void shutdown() {
    closed = true;
    listeners.clear();
    timer.shutdownNow();
    dispatcher.shutdown();
    try {
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
    CompletableFuture.runAsync(() -> { }, dispatcher).join();
  }
}
