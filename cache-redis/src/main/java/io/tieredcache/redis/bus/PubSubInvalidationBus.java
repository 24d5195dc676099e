package io.tieredcache.redis.bus;

import io.lettuce.core.AbstractRedisClient;
import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisConnectionException;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.cluster.RedisClusterClient;
import io.lettuce.core.pubsub.RedisPubSubAdapter;
import io.lettuce.core.pubsub.StatefulRedisPubSubConnection;
import io.tieredcache.redis.bus.BusMessage.Type;
import java.lang.System.Logger.Level;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * The default invalidation bus: Redis pub/sub on one channel, made safe for a transport that may
 * drop messages.
 *
 * <p><b>Delivery.</b> Each node numbers its messages 1, 2, 3, ... and every receiver tracks the
 * last number per node. Every node says hello (number 0) when it starts, publishes a heartbeat every
 * {@code heartbeatInterval} carrying its latest number, and says goodbye with its last number when it
 * closes, so that a lost <em>last</em> message shows up at the next heartbeat or at the goodbye.
 * Every message also carries the highest of its sender's numbers whose publish failed. When numbers
 * are skipped, listeners are told {@code onMessagesLost("gap")}, unless every skipped number reached
 * Redis while this node was deaf (then {@code onDeaf} already covered them). The first message heard
 * from a node is judged the same way: it is a loss if any earlier number of that node failed, since
 * this node cannot know whether it was listening then.
 *
 * <p><b>Hearing.</b> Listeners are told {@code onDeaf(reason, since)} once per outage, where {@code
 * since} is when the subscription last heard anything, when
 *
 * <ul>
 *   <li>the subscription connection drops ({@code "disconnect"}, at once);
 *   <li>the subscription hears nothing at all for {@code heartbeatTimeout} ({@code "silence"}); its
 *       own heartbeats travel through Redis too, so silence means the subscription or Redis is
 *       stuck. A subscription that stays silent while Redis acknowledges this node's heartbeats is
 *       broken, and is replaced.
 * </ul>
 *
 * They are told {@code onHearing(false)} once the subscription is back and hears a message or a
 * heartbeat (pub/sub cannot replay what it missed). While this node hears, another node it has
 * heard before that stops heartbeating for {@code heartbeatTimeout} causes {@code
 * onMessagesLost("silence")}, once per such node: its publishes may be failing. A node that closes
 * cleanly says goodbye and causes nothing (unless its goodbye reveals a lost message).
 *
 * <p><b>Staleness bound.</b> An invalidation published to Redis reaches every other node within one
 * round trip, or that node's listeners are told {@code onDeaf} or {@code onMessagesLost} within
 * {@code heartbeatTimeout} plus one round trip (plus one watchdog tick, a fifth of the heartbeat
 * interval): about 0.85 s with the defaults. An invalidation whose publish fails (Redis down) is not
 * retried: the future returned by {@link #publish} completes exceptionally (it never throws, and
 * fails after two seconds without a reply), its number is used up, and receivers treat the
 * resulting gap as a loss. The L1 hard TTL remains the last line of defence for what no bus can
 * see, such as a node that cannot reach Redis while it keeps writing to the system of record.
 *
 * <p><b>Reconnecting.</b> A dropped or stalled connection is replaced by a fresh one, tried every
 * {@code reconnectInterval}, whatever reconnect delay the client's resources use: invalidation works
 * again within about that interval after Redis is back. Publishes fail at once while the
 * publishing connection is being replaced.
 *
 * <p><b>Sharded pub/sub.</b> With {@link PubSubBusOptions.Builder#sharded(boolean) sharded(true)}
 * the bus uses {@code SPUBLISH}/{@code SSUBSCRIBE} (Redis 7.0 or later) with all of the above. On a
 * Redis Cluster a sharded message stays within the shard that owns the channel's slot instead of
 * being broadcast to every node; the bus subscribes on a connection to that shard's primary and
 * follows the channel when it moves: when that connection drops ({@code onDeaf("disconnect")}) or
 * Redis ends the subscription because the slot moved to another shard ({@code onDeaf("moved")}),
 * the bus reads the cluster's topology again and subscribes on the new owner, then says {@code
 * onHearing(false)}. Lettuce alone would not: it re-subscribes a sharded channel only when the same
 * node reconnects. A subscription left on a node that silently stopped receiving the channel is
 * caught by the silence check above. Publishes are routed by Lettuce to the slot's primary,
 * following {@code MOVED}.
 *
 * <p><b>Coalescing.</b> Keys published for a cache while an earlier publish for that cache is still
 * in flight are merged into one message, sent as soon as the earlier one completes; batches are
 * split above {@code maxKeysPerMessage} keys or about 256 KiB. The future of {@code publish}
 * completes when the message carrying its keys was accepted by Redis.
 *
 * <p><b>Resources.</b> Two connections of the given client: one subscribed, one to publish (a
 * subscribed connection cannot publish; on a cluster each is a cluster connection, which has a
 * connection of its own to one node besides those it routes to), named after the client name of the user's {@code RedisURI}
 * with a suffix {@code :tiered-cache-bus:<node>:subscribe} or {@code :publish}. One dispatch thread
 * calls the listeners; one timer thread sends heartbeats and watches for silence; one connector
 * thread opens fresh connections. {@link #close()} says goodbye, unsubscribes, stops the threads
 * and closes both connections, each step bounded; it shuts the client down only if the bus created
 * it.
 */
public final class PubSubInvalidationBus extends CoreBackedBus {

  private static final System.Logger LOG = System.getLogger(PubSubInvalidationBus.class.getName());

  private final PubSubBusOptions options;
  private final String channel;
  private final AbstractRedisClient client;
  private final boolean ownsClient;
  private final BusCore core;
  private final long timeoutNanos;
  private final AtomicBoolean closing = new AtomicBoolean();

  private ConnectionSlot<StatefulRedisPubSubConnection<String, byte[]>> subscription;
  private ConnectionSlot<StatefulRedisConnection<String, byte[]>> publisher;
  private ScheduledFuture<?> heartbeatTask;
  private ScheduledFuture<?> watchdogTask;

  /** When the current subscription last heard anything, this node's own heartbeats included. */
  private volatile long lastHeardNanos;
  /** When the current subscription connection was handed out. */
  private volatile long subscribedNanos;
  /** When this node last started hearing again, for the per-node silence check. */
  private volatile long aliveSinceNanos;
  /**
   * When the oldest heartbeat was sent that Redis acknowledged after the subscription last heard
   * anything (so Redis delivered it to every subscriber then); stale once something is heard.
   */
  private volatile long unheardAckedHeartbeatNanos;
  private volatile boolean heartbeatsPaused;
  private volatile boolean ignoringIncoming;
  private volatile CompletableFuture<?> lastHeartbeat = CompletableFuture.completedFuture(null);
  /** A sharded subscription that Redis ended because the channel's slot moved. */
  private volatile StatefulRedisPubSubConnection<String, byte[]> movedSubscription;

  /**
   * A bus with the default options on connections of {@code client}, which the caller keeps
   * owning.
   */
  public static PubSubInvalidationBus create(RedisClient client) {
    return create(client, PubSubBusOptions.create());
  }

  /**
   * A bus on connections of {@code client}, which the caller keeps owning: closing the bus closes
   * the connections it opened, never the client.
   *
   * @throws io.lettuce.core.RedisException if Redis cannot be reached now
   */
  public static PubSubInvalidationBus create(RedisClient client, PubSubBusOptions options) {
    return new PubSubInvalidationBus(Objects.requireNonNull(client, "client"), false, options);
  }

  /** A bus with the default options on a Redis Cluster; see {@link #create(RedisClusterClient, PubSubBusOptions)}. */
  public static PubSubInvalidationBus create(RedisClusterClient client) {
    return create(client, PubSubBusOptions.create());
  }

  /**
   * A bus on a Redis Cluster: classic pub/sub reaches every node of the cluster, so nodes of a
   * cache on any primary hear each other; with {@link PubSubBusOptions.Builder#sharded(boolean)
   * sharded(true)} messages stay within the shard that owns the channel's slot, and the bus
   * follows that shard (see the class documentation). The caller keeps owning {@code client}.
   *
   * @throws io.lettuce.core.RedisException if Redis cannot be reached now
   */
  public static PubSubInvalidationBus create(RedisClusterClient client, PubSubBusOptions options) {
    return new PubSubInvalidationBus(Objects.requireNonNull(client, "client"), false, options);
  }

  /**
   * A bus with a client of its own for {@code redisUri} (e.g. {@code redis://host:6379}), shut
   * down when the bus closes.
   *
   * @throws io.lettuce.core.RedisException if Redis cannot be reached now
   */
  public static PubSubInvalidationBus create(String redisUri, PubSubBusOptions options) {
    RedisClient client = Connections.ownedClient(Objects.requireNonNull(redisUri, "redisUri"));
    try {
      return new PubSubInvalidationBus(client, true, options);
    } catch (RuntimeException e) {
      Connections.shutdownQuietly(client);
      throw e;
    }
  }

  private PubSubInvalidationBus(AbstractRedisClient client, boolean ownsClient, PubSubBusOptions options) {
    this.options = Objects.requireNonNull(options, "options");
    this.channel = options.channel();
    this.client = client;
    this.ownsClient = ownsClient;
    this.core = new BusCore(options.nodeId().orElseGet(NodeIds::generate),
        options.maxKeysPerMessage(), "pub/sub");
    this.timeoutNanos = options.heartbeatTimeout().toNanos();
    try {
      start();
    } catch (RuntimeException e) {
      closeResources();
      throw e;
    }
  }

  private void start() {
    publisher = new ConnectionSlot<>(core, "publish", options.reconnectInterval(),
        // On a cluster, a pub/sub connection that subscribes to nothing publishes; Lettuce routes an
        // SPUBLISH to the primary of the channel's slot and follows MOVED when the slot moves.
        () -> client instanceof RedisClusterClient cluster
            ? cluster.connectPubSub(Connections.CODEC) : ((RedisClient) client).connect(Connections.CODEC),
        connection -> {
          Connections.name(connection, core.nodeId, "publish");
          core.outbox.connectionReplaced(); // before anything is sent on it
        },
        new ConnectionSlot.Events<>() {
          @Override
          public void lost(StatefulRedisConnection<String, byte[]> connection) { }

          @Override
          public void restored(StatefulRedisConnection<String, byte[]> connection) { }
        });
    publisher.open();
    core.outbox.transport(this::send);

    ConnectionSlot.Events<StatefulRedisPubSubConnection<String, byte[]>> events = new ConnectionSlot.Events<>() {
      @Override
      public void lost(StatefulRedisPubSubConnection<String, byte[]> connection) {
        subscriptionLost(connection == movedSubscription ? "moved" : "disconnect");
      }

      @Override
      public void restored(StatefulRedisPubSubConnection<String, byte[]> connection) {
        subscribedNanos = System.nanoTime();
      }
    };
    ConnectionSlot.Preparer<StatefulRedisPubSubConnection<String, byte[]>> subscribe = connection -> {
      connection.addListener(new MessageListener(connection));
      Connections.name(connection, core.nodeId, "subscribe");
      Connections.await(options.sharded() ? connection.async().ssubscribe(channel)
          : connection.async().subscribe(channel), ConnectionSlot.COMMAND_TIMEOUT);
    };
    if (options.sharded() && client instanceof RedisClusterClient cluster) {
      // Subscribed on the very connection to the shard's primary: its drop and the shard's moves are seen.
      ShardConnections shard = new ShardConnections(cluster, channel);
      subscription = new ConnectionSlot<>(core, "subscribe", options.reconnectInterval(),
          shard::open, subscribe, events, shard::close);
    } else {
      subscription = new ConnectionSlot<>(core, "subscribe", options.reconnectInterval(),
          () -> client instanceof RedisClusterClient cluster
              ? cluster.connectPubSub(Connections.CODEC) : ((RedisClient) client).connectPubSub(Connections.CODEC),
          subscribe, events);
    }
    long now = System.nanoTime();
    lastHeardNanos = now;
    aliveSinceNanos = now;
    subscribedNanos = now;
    unheardAckedHeartbeatNanos = now;
    subscription.open();

    core.outbox.sendControl(Type.HELLO); // number 0: receivers know they missed nothing of this node before
    long interval = options.heartbeatInterval().toNanos();
    long tick = Math.max(TimeUnit.MILLISECONDS.toNanos(10), interval / 5);
    heartbeatTask = core.timer().scheduleAtFixedRate(this::heartbeat, interval, interval, TimeUnit.NANOSECONDS);
    watchdogTask = core.timer().scheduleAtFixedRate(this::watch, tick, tick, TimeUnit.NANOSECONDS);
    LOG.log(Level.DEBUG, "pub/sub bus {0} subscribed to {1}", core.nodeId, channel);
  }

  private CompletableFuture<?> send(byte[] payload) {
    StatefulRedisConnection<String, byte[]> connection = publisher.current();
    if (connection == null) {
      return CompletableFuture.failedFuture(
          new RedisConnectionException("the bus is opening a fresh connection to Redis"));
    }
    return publisher.bounded(connection, (options.sharded()
        ? connection.async().spublish(channel, payload) : connection.async().publish(channel, payload))
        .toCompletableFuture());
  }

  /** The options this bus runs with. */
  public PubSubBusOptions options() {
    return options;
  }

  // ---------------------------------------------------------------- timer thread

  private void heartbeat() {
    if (closing.get() || heartbeatsPaused || !lastHeartbeat.isDone()) {
      return; // a heartbeat still waiting (Redis slow or away) says it all; do not pile them up
    }
    long sentNanos = System.nanoTime();
    lastHeartbeat = core.outbox.sendControl(Type.HEARTBEAT).whenComplete((reply, error) -> {
      long heard = lastHeardNanos;
      if (error == null && sentNanos - heard > 0 && unheardAckedHeartbeatNanos - heard <= 0) {
        unheardAckedHeartbeatNanos = sentNanos;
      }
    });
  }

  private void watch() {
    if (closing.get()) {
      return;
    }
    long now = System.nanoTime();
    StatefulRedisPubSubConnection<String, byte[]> current = subscription.current();
    if (current == null) {
      return; // deaf since the disconnect; the connector is opening a fresh subscription
    }
    if (now - lastHeardNanos > timeoutNanos) {
      if (core.reportDeaf("silence",
          () -> System.nanoTime() - lastHeardNanos > timeoutNanos && subscription.current() != null,
          () -> lastHeardNanos)) {
        core.counters.silences.increment();
      }
      // Redis acknowledged a heartbeat sent after the subscription last heard anything (so it
      // delivered it to every subscriber then), and the timeout passed without it arriving here.
      long acked = unheardAckedHeartbeatNanos;
      if (acked - lastHeardNanos > 0 && acked - subscribedNanos > 0 && now - acked > timeoutNanos) {
        subscription.replace(current, "heard nothing, not even heartbeats Redis acknowledged");
      }
    } else if (!core.isDeaf()) {
      core.checkOrigins(now, timeoutNanos, aliveSinceNanos);
    }
  }

  // ---------------------------------------------------------------- Lettuce threads

  private void subscriptionLost(String reason) {
    core.counters.disconnects.increment();
    core.reportDeaf(reason, () -> true, () -> lastHeardNanos);
  }

  /** Listens on one subscription connection; ignores it once it is no longer the current one. */
  private final class MessageListener extends RedisPubSubAdapter<String, byte[]> {
    private final StatefulRedisPubSubConnection<String, byte[]> connection;

    MessageListener(StatefulRedisPubSubConnection<String, byte[]> connection) {
      this.connection = connection;
    }

    @Override
    public void smessage(String shardChannel, byte[] payload) {
      message(shardChannel, payload);
    }

    /**
     * Redis unsubscribed a sharded channel by itself: its slot moved to another shard (a
     * resharding, or this node no longer serves the slot). Subscribe again where it is now.
     */
    @Override
    public void sunsubscribed(String shardChannel, long count) {
      if (closing.get() || subscription.current() != connection) {
        return;
      }
      movedSubscription = connection;
      subscription.replace(connection, "the shard channel's slot moved");
    }

    @Override
    public void message(String messageChannel, byte[] payload) {
      if (ignoringIncoming || subscription.current() != connection) {
        return;
      }
      long now = System.nanoTime();
      lastHeardNanos = now;
      if (core.isDeaf()) {
        aliveSinceNanos = now;
        core.reportHearing(false, () -> subscription.current() == connection);
      }
      core.received(payload, now);
    }
  }

  // ---------------------------------------------------------------- lifecycle

  @Override
  public void close() {
    if (!closing.compareAndSet(false, true)) {
      return;
    }
    core.beginClose(Connections.CLOSE_WAIT);
    if (publisher != null && publisher.current() != null) {
      Connections.awaitQuietly(core.outbox.sendControl(Type.BYE), Connections.CLOSE_WAIT);
    }
    StatefulRedisPubSubConnection<String, byte[]> current = subscription == null ? null : subscription.current();
    if (current != null) {
      Connections.awaitQuietly((options.sharded()
          ? current.async().sunsubscribe(channel) : current.async().unsubscribe(channel)).toCompletableFuture(),
          Connections.CLOSE_WAIT);
    }
    closeResources();
    LOG.log(Level.DEBUG, "pub/sub bus {0} closed", core.nodeId);
  }

  private void closeResources() {
    closing.set(true);
    if (heartbeatTask != null) {
      heartbeatTask.cancel(false);
    }
    if (watchdogTask != null) {
      watchdogTask.cancel(false);
    }
    if (subscription != null) {
      subscription.close();
    }
    if (publisher != null) {
      publisher.close();
    }
    core.shutdown();
    if (ownsClient) {
      Connections.shutdownQuietly(client);
    }
  }

  @Override
  public String toString() {
    return "PubSubInvalidationBus[node=" + core.nodeId + ", channel=" + channel + "]";
  }

  // ---------------------------------------------------------------- test hooks

  /** The next {@code count} invalidation messages are numbered but never sent, like lost ones. */
  void loseNextMessages(int count) {
    core.outbox.loseNextMessages(count);
  }

  /** Stops or resumes this node's heartbeats. */
  void pauseHeartbeats(boolean paused) {
    heartbeatsPaused = paused;
  }

  /** Ignores or hears again what the subscription receives, as a broken subscription would. */
  void ignoreIncoming(boolean ignore) {
    ignoringIncoming = ignore;
  }

  @Override
  BusCore core() {
    return core;
  }
}
