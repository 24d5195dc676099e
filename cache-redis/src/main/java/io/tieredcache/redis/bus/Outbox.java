package io.tieredcache.redis.bus;

import io.tieredcache.redis.bus.BusMessage.Type;
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
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.locks.ReentrantLock;

/**
 * The sending side of a bus: numbers messages (1, 2, 3, ...; control messages carry the latest
 * number), remembers which numbers may have failed so that every message can say so, coalesces
 * publishes per cache, splits large batches into bounded messages, and hands payloads to the
 * transport. Thread-safe.
 */
final class Outbox {

  private static final System.Logger LOG = System.getLogger(Outbox.class.getName());

  /** Messages are split so that none exceeds about this many bytes (one huge key excepted). */
  static final long MAX_MESSAGE_BYTES = 256 * 1024;

  /**
   * Sends one encoded payload; the future completes when Redis accepted it, or fails (within a
   * bounded time: the transport gives up on a connection that does not answer).
   */
  interface Transport {
    CompletableFuture<?> send(byte[] payload);
  }

  private final String nodeId;
  private final long incarnation;
  private final String kind;
  private final int maxKeysPerMessage;
  private final BusCounters counters;
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

  Outbox(String nodeId, long incarnation, String kind, int maxKeysPerMessage, BusCounters counters) {
    this.nodeId = nodeId;
    this.incarnation = incarnation;
    this.kind = kind;
    this.maxKeysPerMessage = maxKeysPerMessage;
    this.counters = counters;
  }

  void transport(Transport transport) {
    this.transport = transport;
  }

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

  /** Refuses new publishes and waits up to {@code drain} for those in flight. */
  void close(Duration drain) {
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
}
