package io.tieredcache.redis.bus;

import io.lettuce.core.Limit;
import io.lettuce.core.Range;
import io.lettuce.core.RedisChannelHandler;
import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisConnectionStateListener;
import io.lettuce.core.RedisFuture;
import io.lettuce.core.StreamMessage;
import io.lettuce.core.XAddArgs;
import io.lettuce.core.XReadArgs;
import io.lettuce.core.api.StatefulRedisConnection;
import io.tieredcache.redis.bus.BusMessage.Type;
import java.lang.System.Logger.Level;
import java.net.SocketAddress;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.CancellationException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

/**
 * An invalidation bus over a Redis Stream: every node appends its messages to one stream and reads
 * all of it, so a node that was briefly disconnected catches up on what it missed instead of
 * flushing its L1.
 *
 * <p><b>Writing.</b> {@code XADD <streamKey> MAXLEN ~ <maxLength> * m <message>} on a connection of
 * its own; approximate trimming keeps the stream at about {@code maxLength} entries (never fewer),
 * so it cannot grow without bound. Messages, numbering and coalescing are those of {@link
 * PubSubInvalidationBus}.
 *
 * <p><b>Reading.</b> A reader thread of the bus loops on {@code XREAD COUNT <readBatch> BLOCK
 * <blockTimeout> STREAMS <streamKey> <lastId>} on another connection of its own, from the id of the
 * last entry it processed; no consumer group, since every node must see every entry. It starts
 * after an entry it appends itself when it starts (the equivalent of {@code $}: only new messages,
 * but without the race of reading {@code $} twice). After Lettuce's auto-reconnect it resumes from
 * its last id and applies what it missed, without a flush, provided it can prove that nothing was
 * trimmed in between: its last entry is still in the stream (trimming only ever removes the oldest
 * entries). It checks that after every reconnect or error, whenever a read returns a full batch
 * (a read that is not full cannot have skipped anything, since trimming always leaves at least
 * {@code maxLength} entries and {@code readBatch <= maxLength}), and once a second in case the
 * stream was deleted meanwhile. When it cannot prove it, because
 * the node fell more than {@code maxLength} entries behind or the stream is gone (Redis restarted
 * without persistence), listeners flush with {@code "trimmed"} and reading goes on.
 *
 * <p><b>Staleness bound.</b> Every completed read, even an empty one after {@code blockTimeout},
 * proves the reader alive. If none completes for {@code silenceTimeout} (a long disconnect, a
 * stalled Redis), listeners flush with {@code "silence"}, and again every timeout while it lasts;
 * the reader still replays what it missed when it is back. Since the last completed read may be up
 * to one block timeout old when the connection drops, a disconnect is bridged without any flush if
 * the reader is reading again within about {@code silenceTimeout - blockTimeout} (0.5 s with the
 * defaults; Lettuce's first reconnect attempt is normally immediate). So an invalidation appended to the stream reaches every node, or makes it flush, within
 * {@code silenceTimeout} plus one round trip (plus one watchdog tick of a fifth of the block
 * timeout): about 0.85 s with the defaults. A message this node fails to append (Redis down) is not
 * retried: the future of {@link #publish} completes exceptionally (it never throws) and the other
 * nodes see the gap in its numbers with its next message and flush.
 *
 * <p><b>Resources.</b> Two connections of the given client, a reader thread, a dispatch thread
 * that calls the listeners and a timer thread for the watchdog. {@link #close()} stops them and
 * closes both connections; it shuts the client down only if the bus created it.
 */
public final class StreamInvalidationBus extends CoreBackedBus {

  private static final System.Logger LOG = System.getLogger(StreamInvalidationBus.class.getName());
  /** The one field of every entry; its value is the encoded message. */
  static final String FIELD = "m";
  private static final long POLL_MILLIS = 100;
  private static final long MAX_BACKOFF_MILLIS = 1_000;
  /** Continuity is also re-checked this often, to notice a stream deleted while connected. */
  private static final long VERIFY_EVERY_NANOS = TimeUnit.SECONDS.toNanos(1);

  private final StreamBusOptions options;
  private final String streamKey;
  private final RedisClient client;
  private final boolean ownsClient;
  private final BusCore core;
  private final long silenceNanos;
  private final XAddArgs appendArgs;
  private final XReadArgs readArgs;
  private final StateListener stateListener = new StateListener();
  private final AtomicBoolean closing = new AtomicBoolean();
  private final AtomicBoolean closeCalled = new AtomicBoolean();
  /** Bumped every time the reader's connection (re)connects. */
  private final AtomicLong connectEpoch = new AtomicLong();

  private StatefulRedisConnection<String, byte[]> publisher;
  private StatefulRedisConnection<String, byte[]> reader;
  private Thread readerThread;
  private ScheduledFuture<?> watchdogTask;

  /** The id of the last entry processed; written by the reader thread only. */
  private volatile String lastId;
  private volatile long lastReadNanos;
  private volatile long lastFlushNanos;
  private volatile boolean readerConnected = true;
  private volatile boolean readingPaused;
  private long lastExpiryNanos; // timer thread only

  /**
   * A bus with the default options on connections of {@code client}, which the caller keeps
   * owning.
   */
  public static StreamInvalidationBus create(RedisClient client) {
    return create(client, StreamBusOptions.create());
  }

  /**
   * A bus on connections of {@code client}, which the caller keeps owning: closing the bus closes
   * the connections it opened, never the client.
   *
   * @throws io.lettuce.core.RedisException if Redis cannot be reached now
   */
  public static StreamInvalidationBus create(RedisClient client, StreamBusOptions options) {
    return new StreamInvalidationBus(Objects.requireNonNull(client, "client"), false, options);
  }

  /**
   * A bus with a client of its own for {@code redisUri} (e.g. {@code redis://host:6379}), shut
   * down when the bus closes.
   *
   * @throws io.lettuce.core.RedisException if Redis cannot be reached now
   */
  public static StreamInvalidationBus create(String redisUri, StreamBusOptions options) {
    RedisClient client = Connections.ownedClient(Objects.requireNonNull(redisUri, "redisUri"));
    try {
      return new StreamInvalidationBus(client, true, options);
    } catch (RuntimeException e) {
      Connections.shutdownQuietly(client);
      throw e;
    }
  }

  private StreamInvalidationBus(RedisClient client, boolean ownsClient, StreamBusOptions options) {
    this.options = Objects.requireNonNull(options, "options");
    this.streamKey = options.streamKey();
    this.client = client;
    this.ownsClient = ownsClient;
    this.core = new BusCore(options.nodeId().orElseGet(NodeIds::generate),
        options.maxKeysPerMessage(), "stream");
    this.silenceNanos = options.silenceTimeout().toNanos();
    this.appendArgs = new XAddArgs().maxlen(options.maxLength()).approximateTrimming();
    this.readArgs = XReadArgs.Builder.block(options.blockTimeout()).count(options.readBatch());
    try {
      start();
    } catch (RuntimeException e) {
      closeResources();
      throw e;
    }
  }

  private void start() {
    publisher = client.connect(Connections.CODEC);
    publisher.sync().clientSetname(NodeIds.clientName(core.nodeId, "append"));
    core.transport(payload ->
        publisher.async().xadd(streamKey, appendArgs, Map.of(FIELD, payload)).toCompletableFuture());

    reader = client.connect(Connections.CODEC);
    reader.sync().clientSetname(NodeIds.clientName(core.nodeId, "read"));
    reader.addListener(stateListener);

    lastId = appendHello();
    long now = System.nanoTime();
    lastReadNanos = now;
    lastFlushNanos = now;
    readerThread = new Thread(this::readLoop, "tiered-cache-bus-reader-" + core.nodeId);
    readerThread.setDaemon(true);
    readerThread.start();
    long tick = Math.max(TimeUnit.MILLISECONDS.toNanos(10), options.blockTimeout().toNanos() / 5);
    watchdogTask = core.timer().scheduleAtFixedRate(this::watch, tick, tick, TimeUnit.NANOSECONDS);
    LOG.log(Level.DEBUG, "stream bus {0} reading {1} after {2}", core.nodeId, streamKey, lastId);
  }

  /** Appends a hello entry (in order with this node's messages) and returns its id. */
  private String appendHello() {
    try {
      Object id = core.sendControl(Type.HELLO).get(options.silenceTimeout().toMillis() * 4 + 5_000,
          TimeUnit.MILLISECONDS);
      return (String) id;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while starting the stream bus", e);
    } catch (ExecutionException e) {
      throw e.getCause() instanceof RuntimeException r ? r : new IllegalStateException(e.getCause());
    } catch (TimeoutException e) {
      throw new IllegalStateException("no answer from Redis to XADD " + streamKey, e);
    }
  }

  /** The options this bus runs with. */
  public StreamBusOptions options() {
    return options;
  }

  // ---------------------------------------------------------------- reader thread

  private void readLoop() {
    boolean verify = false;
    long seenEpoch = connectEpoch.get();
    long lastVerified = System.nanoTime();
    long backoff = 0;
    while (!closing.get()) {
      try {
        if (readingPaused) {
          Thread.sleep(10);
          continue;
        }
        List<StreamMessage<String, byte[]>> batch = await(readAfter(lastId));
        if (batch == null) {
          batch = List.of();
        }
        long epoch = connectEpoch.get();
        if (verify || epoch != seenEpoch || batch.size() >= options.readBatch()
            || System.nanoTime() - lastVerified > VERIFY_EVERY_NANOS) {
          seenEpoch = epoch;
          ensureContinuity(batch);
          verify = false;
          lastVerified = System.nanoTime();
        }
        long now = System.nanoTime();
        for (StreamMessage<String, byte[]> entry : batch) {
          byte[] payload = entry.getBody().get(FIELD);
          if (payload == null) {
            core.received(new byte[0], now); // counted and flushed as unreadable
          } else {
            core.received(payload, now);
          }
          lastId = entry.getId();
        }
        lastReadNanos = now;
        backoff = 0;
      } catch (CancellationException | InterruptedException e) {
        break;
      } catch (Exception e) {
        if (closing.get()) {
          break;
        }
        verify = true;
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
  private RedisFuture<List<StreamMessage<String, byte[]>>> readAfter(String id) {
    return reader.async().xread(readArgs, XReadArgs.StreamOffset.from(streamKey, id));
  }

  /**
   * Proves that no entry after {@code lastId} was trimmed before {@code batch} was read: {@code
   * lastId} is still in the stream (trimming removes only the oldest entries). Otherwise tells the
   * listeners to flush, and when nothing was read moves {@code lastId} to the stream's newest
   * entry (appending one if the stream is gone), which the flush covers.
   */
  private void ensureContinuity(List<StreamMessage<String, byte[]>> batch) throws Exception {
    if (!await(reader.async().xrange(streamKey, Range.create(lastId, lastId))).isEmpty()) {
      return;
    }
    String resumeFrom = null;
    if (batch.isEmpty()) {
      List<StreamMessage<String, byte[]>> newest =
          await(reader.async().xrevrange(streamKey, Range.unbounded(), Limit.from(1)));
      resumeFrom = newest.isEmpty() ? appendHello() : newest.get(0).getId();
    }
    core.trims.increment();
    lastFlushNanos = System.nanoTime();
    LOG.log(Level.WARNING, "stream bus {0}: entries after {1} may have been trimmed from {2}; flushing",
        core.nodeId, lastId, streamKey);
    core.flush("trimmed");
    if (resumeFrom != null) {
      lastId = resumeFrom;
    }
  }

  private <T> T await(RedisFuture<T> future) throws Exception {
    while (true) {
      try {
        return future.get(POLL_MILLIS, TimeUnit.MILLISECONDS);
      } catch (TimeoutException e) {
        if (closing.get()) {
          future.cancel(true);
          throw new CancellationException("closing");
        }
      } catch (ExecutionException e) {
        throw e.getCause() instanceof Exception cause ? cause : e;
      }
    }
  }

  private boolean sleep(long millis) {
    try {
      Thread.sleep(millis);
      return true;
    } catch (InterruptedException e) {
      return false;
    }
  }

  // ---------------------------------------------------------------- timer thread

  private void watch() {
    if (closing.get()) {
      return;
    }
    long now = System.nanoTime();
    long lastRead = lastReadNanos;
    if (now - Math.max(lastRead, lastFlushNanos) > silenceNanos) {
      lastFlushNanos = now;
      core.silences.increment();
      LOG.log(Level.WARNING, "stream bus {0}: no read of {1} completed for {2} ms ({3}); flushing",
          core.nodeId, streamKey, TimeUnit.NANOSECONDS.toMillis(now - lastRead),
          readerConnected ? "connected" : "disconnected");
      core.flush("silence");
    }
    if (now - lastExpiryNanos > VERIFY_EVERY_NANOS) {
      lastExpiryNanos = now;
      core.expireOrigins(now);
    }
  }

  private final class StateListener implements RedisConnectionStateListener {
    @Override
    public void onRedisDisconnected(RedisChannelHandler<?, ?> connection) {
      if (closing.get()) {
        return;
      }
      readerConnected = false;
      core.disconnects.increment();
      LOG.log(Level.INFO, "stream bus {0}: reader disconnected; will resume from {1}",
          core.nodeId, lastId);
    }

    @Override
    public void onRedisConnected(RedisChannelHandler<?, ?> connection, SocketAddress socketAddress) {
      readerConnected = true;
      connectEpoch.incrementAndGet();
    }
  }

  // ---------------------------------------------------------------- lifecycle

  @Override
  public void close() {
    if (!closeCalled.compareAndSet(false, true)) {
      return;
    }
    core.beginClose(Connections.CLOSE_WAIT);
    closeResources();
    LOG.log(Level.DEBUG, "stream bus {0} closed", core.nodeId);
  }

  private void closeResources() {
    closing.set(true);
    if (watchdogTask != null) {
      watchdogTask.cancel(false);
    }
    if (reader != null) {
      reader.removeListener(stateListener);
      Connections.closeQuietly(reader);
    }
    if (readerThread != null) {
      readerThread.interrupt();
      try {
        readerThread.join(Connections.CLOSE_WAIT.toMillis());
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
    Connections.closeQuietly(publisher);
    core.shutdown();
    if (ownsClient) {
      Connections.shutdownQuietly(client);
    }
  }

  @Override
  public String toString() {
    return "StreamInvalidationBus[node=" + core.nodeId + ", stream=" + streamKey + "]";
  }

  // ---------------------------------------------------------------- test hooks

  /** The next {@code count} invalidation messages are numbered but never sent, like lost ones. */
  void loseNextMessages(int count) {
    core.loseNextMessages(count);
  }

  /** Stops or resumes reading (the reader thread idles; the watchdog keeps watching). */
  void pauseReading(boolean paused) {
    readingPaused = paused;
  }

  @Override
  BusCore core() {
    return core;
  }
}
