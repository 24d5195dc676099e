package io.tieredcache.redis.bus;

import io.lettuce.core.Limit;
import io.lettuce.core.Range;
import io.lettuce.core.RedisCommandExecutionException;
import io.lettuce.core.RedisFuture;
import io.lettuce.core.StreamMessage;
import io.lettuce.core.XReadArgs;
import io.lettuce.core.api.StatefulRedisConnection;
import java.lang.System.Logger.Level;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CancellationException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Supplier;

/**
 * The reading side of a {@link StreamInvalidationBus}: a thread of its own that loops on {@code
 * XREAD} after the last entry it processed, proves that nothing was trimmed in between whenever it
 * might have been (after a reconnect, while the bus is deaf, after a full batch, after an error, and
 * once a second), hands every entry to the bus, and reports hearing again once it has caught up.
 * Every wait is bounded: a read that gets no reply in time replaces its connection.
 */
final class StreamReader {

  private static final System.Logger LOG = System.getLogger(StreamReader.class.getName());
  private static final long POLL_MILLIS = 100;
  private static final long MAX_BACKOFF_MILLIS = 1_000;
  /** Continuity is also re-checked this often, to notice a stream deleted while connected. */
  private static final long VERIFY_EVERY_NANOS = TimeUnit.SECONDS.toNanos(1);

  private final BusCore core;
  private final ConnectionSlot<StatefulRedisConnection<String, byte[]>> slot;
  private final String streamKey;
  private final int readBatch;
  private final XReadArgs readArgs;
  /** How long one read may take before its connection is taken for stalled. */
  private final Duration readLimit;
  /** Appends a hello entry and returns its id: a starting point when the stream is gone. */
  private final Supplier<String> appendHello;
  private final Thread thread;

  /** The id of the last entry processed; written by the reader thread only. */
  private volatile String lastId;
  /** When a read last completed. */
  private volatile long lastReadNanos;
  /** When a read last returned less than a full batch: the reader had everything until then. */
  private volatile long caughtUpNanos;
  private volatile boolean readingPaused;
  /** A connection given up because Redis answered that the stream's slot moved. */
  private volatile StatefulRedisConnection<String, byte[]> movedConnection;
  private volatile boolean closing;

  StreamReader(BusCore core, ConnectionSlot<StatefulRedisConnection<String, byte[]>> slot,
      StreamBusOptions options, Supplier<String> appendHello) {
    this.core = core;
    this.slot = slot;
    this.streamKey = options.streamKey();
    this.readBatch = options.readBatch();
    this.readArgs = XReadArgs.Builder.block(options.blockTimeout()).count(options.readBatch());
    this.readLimit = options.blockTimeout().plus(ConnectionSlot.COMMAND_TIMEOUT);
    this.appendHello = appendHello;
    long now = System.nanoTime();
    this.lastReadNanos = now;
    this.caughtUpNanos = now;
    this.thread = new Thread(this::run, "tiered-cache-bus-reader-" + core.nodeId);
    this.thread.setDaemon(true);
  }

  /** Starts reading after the entry {@code id}. */
  void start(String id) {
    lastId = id;
    long now = System.nanoTime();
    lastReadNanos = now;
    caughtUpNanos = now;
    thread.start();
  }

  /** When a read last completed ({@link System#nanoTime()}). */
  long lastReadNanos() {
    return lastReadNanos;
  }

  /** When a read last returned less than a full batch: the reader had everything until then. */
  long caughtUpNanos() {
    return caughtUpNanos;
  }

  /** Stops the thread, waiting at most {@code wait} for it (its connection is closed first). */
  void stop(Duration wait) {
    closing = true;
    if (thread.isAlive()) {
      thread.interrupt();
      try {
        thread.join(wait.toMillis());
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
  }

  /** Whether {@code connection} was given up because the stream's slot moved. */
  boolean movedFrom(StatefulRedisConnection<String, byte[]> connection) {
    return connection != null && connection == movedConnection;
  }

  /** Test hook: stops or resumes reading (the thread idles). */
  void pause(boolean paused) {
    readingPaused = paused;
  }

  private void run() {
    StatefulRedisConnection<String, byte[]> verifiedOn = null;
    long lastVerified = System.nanoTime();
    long backoff = 0;
    boolean verify = false;
    StatefulRedisConnection<String, byte[]> readingOn = null;
    while (!closing) {
      try {
        StatefulRedisConnection<String, byte[]> connection = slot.current();
        readingOn = connection;
        if (readingPaused || connection == null) {
          Thread.sleep(10); // paused (a test), or the connector is opening a fresh connection
          continue;
        }
        boolean wasDeaf = core.isDeaf();
        List<StreamMessage<String, byte[]>> batch = await(connection, readAfter(connection, lastId), readLimit);
        if (batch == null) {
          batch = List.of();
        }
        if (verify || wasDeaf || connection != verifiedOn || batch.size() >= readBatch
            || System.nanoTime() - lastVerified > VERIFY_EVERY_NANOS) {
          ensureContinuity(connection, batch);
          verifiedOn = connection;
          verify = false;
          lastVerified = System.nanoTime();
        }
        long now = System.nanoTime();
        for (StreamMessage<String, byte[]> entry : batch) {
          byte[] payload = entry.getBody().get(StreamInvalidationBus.FIELD);
          core.received(payload == null ? new byte[0] : payload, now); // none: unreadable
          lastId = entry.getId();
        }
        lastReadNanos = now;
        if (batch.size() < readBatch) {
          caughtUpNanos = now;
          if (wasDeaf) {
            core.reportHearing(true, () -> slot.current() == connection);
          }
        }
        backoff = 0;
      } catch (InterruptedException e) {
        break;
      } catch (Exception e) { // a cancelled command too: closing a dropped connection cancels it
        if (closing) {
          break;
        }
        verify = true;
        if (isMoved(e)) { // a cluster's slot moved: read on a connection to its new owner
          movedConnection = readingOn;
          slot.replace(readingOn, "the stream's slot moved (" + e.getMessage() + ")");
        }
        backoff = Math.min(MAX_BACKOFF_MILLIS, Math.max(20, backoff * 2));
        LOG.log(Level.DEBUG, "stream bus {0}: reading {1} failed ({2}); retrying in {3} ms",
            core.nodeId, streamKey, e.toString(), backoff);
        if (!sleep(backoff)) {
          break;
        }
      }
    }
    LOG.log(Level.DEBUG, "stream bus {0}: reader stopped", core.nodeId);
  }

  // Lettuce's xread takes a generic varargs array; one offset of a known type is safe.
  @SuppressWarnings("unchecked")
  private RedisFuture<List<StreamMessage<String, byte[]>>> readAfter(
      StatefulRedisConnection<String, byte[]> connection, String id) {
    return connection.async().xread(readArgs, XReadArgs.StreamOffset.from(streamKey, id));
  }

  /**
   * Proves that no entry after {@code lastId} was trimmed before {@code batch} was read: {@code
   * lastId} is still in the stream (trimming removes only the oldest entries). Otherwise tells the
   * listeners that messages were lost, and when nothing was read moves {@code lastId} to the
   * stream's newest entry (appending one if the stream is gone).
   */
  private void ensureContinuity(StatefulRedisConnection<String, byte[]> connection,
      List<StreamMessage<String, byte[]>> batch) throws Exception {
    Duration limit = ConnectionSlot.COMMAND_TIMEOUT;
    if (!await(connection, connection.async().xrange(streamKey, Range.create(lastId, lastId)), limit).isEmpty()) {
      return;
    }
    String resumeFrom = null;
    if (batch.isEmpty()) {
      List<StreamMessage<String, byte[]>> newest =
          await(connection, connection.async().xrevrange(streamKey, Range.unbounded(), Limit.from(1)), limit);
      resumeFrom = newest.isEmpty() ? appendHello.get() : newest.get(0).getId();
    }
    core.counters.trims.increment();
    LOG.log(Level.WARNING, "stream bus {0}: entries after {1} may have been trimmed from {2};"
        + " messages may have been lost", core.nodeId, lastId, streamKey);
    core.reportLost("trimmed");
    if (resumeFrom != null) {
      lastId = resumeFrom;
    }
  }

  /**
   * Waits for a command of the reader, at most {@code limit}; past it the connection is taken for
   * stalled and replaced. Stops waiting when the bus closes.
   */
  private <T> T await(StatefulRedisConnection<String, byte[]> connection, RedisFuture<T> future,
      Duration limit) throws Exception {
    long deadline = System.nanoTime() + limit.toNanos();
    while (true) {
      try {
        return future.get(POLL_MILLIS, TimeUnit.MILLISECONDS);
      } catch (TimeoutException e) {
        if (closing) {
          future.cancel(true);
          throw new CancellationException("closing");
        }
        if (System.nanoTime() - deadline > 0) {
          slot.replace(connection, "no reply within " + limit.toMillis() + " ms");
          throw new TimeoutException("no reply within " + limit.toMillis() + " ms");
        }
      } catch (ExecutionException e) {
        throw e.getCause() instanceof Exception cause ? cause : e;
      }
    }
  }

  /** Redis answered that the stream's slot is served elsewhere now. */
  private static boolean isMoved(Exception e) {
    String message = e.getMessage();
    return e instanceof RedisCommandExecutionException && message != null
        && (message.startsWith("MOVED") || message.startsWith("ASK"));
  }

  private boolean sleep(long millis) {
    try {
      Thread.sleep(millis);
      return true;
    } catch (InterruptedException e) {
      return false;
    }
  }
}
