package io.tieredcache.redis.bus;

import io.lettuce.core.AbstractRedisClient;
import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisConnectionException;
import io.lettuce.core.XAddArgs;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.cluster.RedisClusterClient;
import io.tieredcache.redis.bus.BusMessage.Type;
import java.lang.System.Logger.Level;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * An invalidation bus over a Redis Stream: every node appends its messages to one stream and reads
 * all of it, so a node that was disconnected catches up on what it missed instead of losing it.
 *
 * <p><b>Writing.</b> {@code XADD <streamKey> MAXLEN ~ <maxLength> * m <message>} on a connection of
 * its own; approximate trimming keeps the stream at about {@code maxLength} entries (never fewer),
 * so it cannot grow without bound. Messages, numbering (hello at start, goodbye at close) and
 * coalescing are those of {@link PubSubInvalidationBus}; there are no heartbeats.
 *
 * <p><b>Reading.</b> A reader thread of the bus loops on {@code XREAD COUNT <readBatch> BLOCK
 * <blockTimeout> STREAMS <streamKey> <lastId>} on another connection of its own, from the id of the
 * last entry it processed; no consumer group, since every node must see every entry. It starts
 * after an entry it appends itself when it starts (the equivalent of {@code $}: only new messages,
 * but without the race of reading {@code $} twice), so the first message it reads from another node
 * is a safe starting point for that node's numbers (unless that node says an earlier number failed).
 * After a reconnect it resumes from its last id and applies what it missed, provided it can prove
 * that nothing was trimmed in between: its last entry is still in the stream (trimming only ever
 * removes the oldest entries). It checks that after every reconnect, deafness or error, whenever a
 * read returns a full batch (a read that is not full cannot have skipped anything, since trimming
 * always leaves at least {@code maxLength} entries and {@code readBatch <= maxLength}), and once a
 * second in case the stream was deleted meanwhile. When it cannot prove it, because the node fell
 * more than {@code maxLength} entries behind or the stream is gone (Redis restarted without
 * persistence), listeners are told {@code onMessagesLost("trimmed")} and reading goes on.
 *
 * <p><b>Hearing.</b> Listeners are told {@code onDeaf(reason, since)} once per outage when the
 * reader's connection drops ({@code "disconnect"}), a cluster's slot of the stream moved ({@code
 * "moved"}), or no read completes for {@code silenceTimeout}
 * ({@code "silence"}), where {@code since} is when a read last returned less than a full batch (the
 * last moment the reader had everything). They are told {@code onHearing(true)} once the reader has
 * caught up again with continuity proven (a read after the check returned less than a full batch):
 * every message published meanwhile was replayed; or {@code onHearing(false)} if some were trimmed
 * meanwhile.
 *
 * <p><b>Staleness bound.</b> An invalidation appended to the stream reaches every node, or makes it
 * deaf, within {@code silenceTimeout} plus one round trip (plus one watchdog tick of a fifth of the
 * block timeout): about 0.85 s with the defaults. A message this node fails to append (Redis down)
 * is not retried: the future of {@link #publish} completes exceptionally (it never throws, and fails
 * after two seconds without a reply) and the other nodes see the gap in its numbers with its next
 * message or its goodbye, and treat it as a loss.
 *
 * <p><b>Reconnecting.</b> A dropped or stalled connection is replaced by a fresh one, tried every
 * {@code reconnectInterval}, whatever reconnect delay the client's resources use: invalidation works
 * again within about that interval after Redis is back.
 *
 * <p><b>Redis Cluster.</b> The stream is one key, so it lives on the shard that owns its slot; the
 * bus appends through Lettuce's routing and reads on a connection to that shard's primary, which it
 * replaces by one to the new owner when the slot moves (see {@link #create(RedisClusterClient,
 * StreamBusOptions)}). Everything above holds there too.
 *
 * <p><b>Resources.</b> Two connections of the given client (on a cluster each is a cluster
 * connection, which has a connection of its own to one node besides those it routes to), named after the client name of the
 * user's {@code RedisURI} with a suffix {@code :tiered-cache-bus:<node>:read} or {@code :append}; a
 * reader thread, a dispatch thread that calls the listeners, a timer thread for the watchdog and a
 * connector thread that opens fresh connections. {@link #close()} says goodbye, stops them and
 * closes both connections, each step bounded; it shuts the client down only if the bus created it.
 */
public final class StreamInvalidationBus extends CoreBackedBus {

  private static final System.Logger LOG = System.getLogger(StreamInvalidationBus.class.getName());
  /** The one field of every entry; its value is the encoded message. */
  static final String FIELD = "m";
  /** Other nodes not heard for a long time are forgotten this often. */
  private static final long EXPIRE_EVERY_NANOS = TimeUnit.SECONDS.toNanos(1);

  private final StreamBusOptions options;
  private final String streamKey;
  private final AbstractRedisClient client;
  private final boolean ownsClient;
  private final BusCore core;
  private final long silenceNanos;
  private final XAddArgs appendArgs;
  private final AtomicBoolean closing = new AtomicBoolean();
  private final AtomicBoolean closeCalled = new AtomicBoolean();

  private ConnectionSlot<StatefulRedisConnection<String, byte[]>> appender;
  private ConnectionSlot<StatefulRedisConnection<String, byte[]>> readerSlot;
  private StreamReader reader;
  private ScheduledFuture<?> watchdogTask;
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
   * A bus with the default options on a Redis Cluster; see {@link #create(RedisClusterClient,
   * StreamBusOptions)}.
   */
  public static StreamInvalidationBus create(RedisClusterClient client) {
    return create(client, StreamBusOptions.create());
  }

  /**
   * A bus on a Redis Cluster, whose stream lives on the shard that owns the slot of {@code
   * streamKey} (one key, so one slot, whatever its name). Appends are routed to that shard's
   * primary by Lettuce, which follows {@code MOVED}; the reader reads on a connection to that
   * primary, and when the connection drops or the slot moves to another shard (Redis answers
   * {@code MOVED}) it reads the cluster's topology again and resumes on the new owner from its last
   * id, with the same continuity check as after any reconnect. The caller keeps owning {@code
   * client}.
   *
   * @throws io.lettuce.core.RedisException if Redis cannot be reached now
   */
  public static StreamInvalidationBus create(RedisClusterClient client, StreamBusOptions options) {
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

  private StreamInvalidationBus(AbstractRedisClient client, boolean ownsClient, StreamBusOptions options) {
    this.options = Objects.requireNonNull(options, "options");
    this.streamKey = options.streamKey();
    this.client = client;
    this.ownsClient = ownsClient;
    this.core = new BusCore(options.nodeId().orElseGet(NodeIds::generate),
        options.maxKeysPerMessage(), "stream");
    this.silenceNanos = options.silenceTimeout().toNanos();
    this.appendArgs = new XAddArgs().maxlen(options.maxLength()).approximateTrimming();
    try {
      start();
    } catch (RuntimeException e) {
      closeResources();
      throw e;
    }
  }

  private void start() {
    appender = new ConnectionSlot<>(core, "append", options.reconnectInterval(),
        // On a cluster, a pub/sub connection that subscribes to nothing runs any command, routed by key.
        () -> client instanceof RedisClusterClient cluster
            ? cluster.connectPubSub(Connections.CODEC) : ((RedisClient) client).connect(Connections.CODEC),
        connection -> {
          Connections.name(connection, core.nodeId, "append");
          core.outbox.connectionReplaced(); // before anything is appended on it
        },
        new ConnectionSlot.Events<>() {
          @Override
          public void lost(StatefulRedisConnection<String, byte[]> connection) { }

          @Override
          public void restored(StatefulRedisConnection<String, byte[]> connection) { }
        });
    appender.open();
    core.outbox.transport(this::append);

    ConnectionSlot.Preparer<StatefulRedisConnection<String, byte[]>> name =
        connection -> Connections.name(connection, core.nodeId, "read");
    ConnectionSlot.Events<StatefulRedisConnection<String, byte[]>> events = new ConnectionSlot.Events<>() {
      @Override
      public void lost(StatefulRedisConnection<String, byte[]> connection) {
        core.counters.disconnects.increment();
        core.reportDeaf(reader.movedFrom(connection) ? "moved" : "disconnect", () -> true, reader::caughtUpNanos);
      }

      @Override
      public void restored(StatefulRedisConnection<String, byte[]> connection) {
        // the reader thread notices the new connection and checks continuity first
      }
    };
    if (client instanceof RedisClusterClient cluster) {
      // Reads on the very connection to the stream's primary: its drop and the slot's moves are seen.
      ShardConnections shard = new ShardConnections(cluster, streamKey);
      readerSlot = new ConnectionSlot<>(core, "read", options.reconnectInterval(),
          shard::open, name, events, shard::close);
    } else {
      readerSlot = new ConnectionSlot<>(core, "read", options.reconnectInterval(),
          () -> ((RedisClient) client).connect(Connections.CODEC), name, events);
    }
    reader = new StreamReader(core, readerSlot, options, this::appendHello);
    readerSlot.open();

    String helloId = appendHello();
    lastExpiryNanos = System.nanoTime();
    reader.start(helloId);
    long tick = Math.max(TimeUnit.MILLISECONDS.toNanos(10), options.blockTimeout().toNanos() / 5);
    watchdogTask = core.timer().scheduleAtFixedRate(this::watch, tick, tick, TimeUnit.NANOSECONDS);
    LOG.log(Level.DEBUG, "stream bus {0} reading {1} after {2}", core.nodeId, streamKey, helloId);
  }

  private CompletableFuture<?> append(byte[] payload) {
    StatefulRedisConnection<String, byte[]> connection = appender.current();
    if (connection == null) {
      return CompletableFuture.failedFuture(
          new RedisConnectionException("the bus is opening a fresh connection to Redis"));
    }
    return appender.bounded(connection,
        connection.async().xadd(streamKey, appendArgs, Map.of(FIELD, payload)).toCompletableFuture());
  }

  /** Appends a hello entry (in order with this node's messages) and returns its id. */
  private String appendHello() {
    try {
      Object id = core.outbox.sendControl(Type.HELLO).get(
          ConnectionSlot.COMMAND_TIMEOUT.toMillis() + 1_000, TimeUnit.MILLISECONDS);
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

  // ---------------------------------------------------------------- timer thread

  private void watch() {
    if (closing.get()) {
      return;
    }
    long now = System.nanoTime();
    if (now - reader.lastReadNanos() > silenceNanos
        && core.reportDeaf("silence", () -> System.nanoTime() - reader.lastReadNanos() > silenceNanos,
            reader::caughtUpNanos)) {
      core.counters.silences.increment();
    }
    if (now - lastExpiryNanos > EXPIRE_EVERY_NANOS) {
      lastExpiryNanos = now;
      core.expireOrigins(now);
    }
  }

  // ---------------------------------------------------------------- lifecycle

  @Override
  public void close() {
    if (!closeCalled.compareAndSet(false, true)) {
      return;
    }
    core.beginClose(Connections.CLOSE_WAIT);
    if (appender != null && appender.current() != null) {
      Connections.awaitQuietly(core.outbox.sendControl(Type.BYE), Connections.CLOSE_WAIT);
    }
    closeResources();
    LOG.log(Level.DEBUG, "stream bus {0} closed", core.nodeId);
  }

  private void closeResources() {
    closing.set(true);
    if (watchdogTask != null) {
      watchdogTask.cancel(false);
    }
    if (readerSlot != null) {
      readerSlot.close();
    }
    if (reader != null) {
      reader.stop(Connections.CLOSE_WAIT);
    }
    if (appender != null) {
      appender.close();
    }
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
    core.outbox.loseNextMessages(count);
  }

  /** Stops or resumes reading (the reader thread idles; the watchdog keeps watching). */
  void pauseReading(boolean paused) {
    reader.pause(paused);
  }

  @Override
  BusCore core() {
    return core;
  }
}
