package io.tieredcache.redis.bus;

import io.lettuce.core.RedisChannelHandler;
import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisConnectionStateListener;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.pubsub.RedisPubSubAdapter;
import io.lettuce.core.pubsub.StatefulRedisPubSubConnection;
import io.tieredcache.redis.bus.BusMessage.Type;
import java.lang.System.Logger.Level;
import java.net.SocketAddress;
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
 * last number per node. A jump means lost messages: every listener is told {@code onAll("gap")}.
 * Every node also publishes a heartbeat every {@code heartbeatInterval} carrying its latest number,
 * so that a lost <em>last</em> message shows up as a gap at the next heartbeat.
 *
 * <p><b>Staleness bound.</b> An invalidation published to Redis reaches every other node within one
 * round trip, or that node's listeners are told to flush within {@code heartbeatTimeout} plus one
 * round trip (plus one watchdog tick, a fifth of the heartbeat interval): about 0.85 s with the
 * defaults. This holds because a node flushes when
 *
 * <ul>
 *   <li>its subscription connection drops ({@code "disconnect"}, at once), and again once Lettuce's
 *       auto-reconnect has re-subscribed, because messages in between were lost;
 *   <li>its subscription hears nothing at all for {@code heartbeatTimeout} ({@code "silence"}); its
 *       own heartbeats travel through Redis too, so silence means the subscription or Redis is
 *       stuck. The flush repeats every timeout while the silence lasts, so entries loaded in the
 *       meantime cannot outlive the bound either;
 *   <li>a node it has heard before stops heartbeating for {@code heartbeatTimeout} ({@code
 *       "silence"}, once per such node): its publishes may be failing. A node that closes cleanly
 *       says goodbye and causes no flush.
 * </ul>
 *
 * An invalidation whose publish fails (Redis down) is not retried: the future returned by {@link
 * #publish} completes exceptionally (it never throws), its sequence number is used up, and the
 * receivers flush because of the resulting gap, disconnect or silence. The L1 hard TTL remains the
 * last line of defence for what no bus can see, such as a node that cannot reach Redis while it
 * keeps writing to the system of record.
 *
 * <p><b>Coalescing.</b> Keys published for a cache while an earlier publish for that cache is still
 * in flight are merged into one message, sent as soon as the earlier one completes; batches are
 * split above {@code maxKeysPerMessage} keys or about 256 KiB. The future of {@code publish}
 * completes when the message carrying its keys was accepted by Redis.
 *
 * <p><b>Resources.</b> Two connections of the given client: one subscribed, one to publish (a
 * subscribed connection cannot publish). One dispatch thread calls the listeners; one timer thread
 * sends heartbeats and watches for silence. {@link #close()} says goodbye, unsubscribes, stops both
 * threads and closes both connections; it shuts the client down only if the bus created it.
 */
public final class PubSubInvalidationBus extends CoreBackedBus {

  private static final System.Logger LOG = System.getLogger(PubSubInvalidationBus.class.getName());

  private final PubSubBusOptions options;
  private final String channel;
  private final RedisClient client;
  private final boolean ownsClient;
  private final BusCore core;
  private final long timeoutNanos;
  private final StateListener stateListener = new StateListener();
  private final MessageListener messageListener = new MessageListener();
  private final AtomicBoolean awaitingResubscribe = new AtomicBoolean();
  private final AtomicBoolean closing = new AtomicBoolean();

  private StatefulRedisPubSubConnection<String, byte[]> subscription;
  private StatefulRedisConnection<String, byte[]> publisher;
  private ScheduledFuture<?> heartbeatTask;
  private ScheduledFuture<?> watchdogTask;

  /** When the subscription last heard anything, its own heartbeats included. */
  private volatile long lastHeardNanos;
  /** When listeners were last told to flush because of the subscription itself. */
  private volatile long lastFlushNanos;
  /** When the subscription last came back from a disconnect or a silence. */
  private volatile long aliveSinceNanos;
  private volatile boolean heartbeatsPaused;
  private volatile CompletableFuture<?> lastHeartbeat = CompletableFuture.completedFuture(null);

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

  private PubSubInvalidationBus(RedisClient client, boolean ownsClient, PubSubBusOptions options) {
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
    publisher = client.connect(Connections.CODEC);
    publisher.sync().clientSetname(NodeIds.clientName(core.nodeId, "publish"));
    core.transport(payload -> publisher.async().publish(channel, payload).toCompletableFuture());

    subscription = client.connectPubSub(Connections.CODEC);
    subscription.sync().clientSetname(NodeIds.clientName(core.nodeId, "subscribe"));
    subscription.addListener(messageListener);
    subscription.addListener(stateListener);
    subscription.sync().subscribe(channel);

    long now = System.nanoTime();
    lastHeardNanos = now;
    lastFlushNanos = now;
    aliveSinceNanos = now;
    long interval = options.heartbeatInterval().toNanos();
    long tick = Math.max(TimeUnit.MILLISECONDS.toNanos(10), interval / 5);
    heartbeatTask = core.timer().scheduleAtFixedRate(this::heartbeat, 0, interval, TimeUnit.NANOSECONDS);
    watchdogTask = core.timer().scheduleAtFixedRate(this::watch, tick, tick, TimeUnit.NANOSECONDS);
    LOG.log(Level.DEBUG, "pub/sub bus {0} subscribed to {1}", core.nodeId, channel);
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
    lastHeartbeat = core.sendControl(Type.HEARTBEAT);
  }

  private void watch() {
    if (closing.get()) {
      return;
    }
    long now = System.nanoTime();
    long lastHeard = lastHeardNanos;
    if (now - Math.max(lastHeard, lastFlushNanos) > timeoutNanos) {
      lastFlushNanos = now;
      core.silences.increment();
      LOG.log(Level.WARNING, "pub/sub bus {0}: nothing heard on {1} for {2} ms; flushing",
          core.nodeId, channel, TimeUnit.NANOSECONDS.toMillis(now - lastHeard));
      core.flush("silence");
    } else if (!awaitingResubscribe.get() && now - lastHeard <= timeoutNanos) {
      core.checkOrigins(now, timeoutNanos, aliveSinceNanos);
    }
  }

  // ---------------------------------------------------------------- Lettuce threads

  private final class MessageListener extends RedisPubSubAdapter<String, byte[]> {
    @Override
    public void message(String messageChannel, byte[] payload) {
      long now = System.nanoTime();
      if (now - lastHeardNanos > timeoutNanos) {
        aliveSinceNanos = now;
      }
      lastHeardNanos = now;
      core.received(payload, now);
    }

    @Override
    public void subscribed(String subscribedChannel, long count) {
      if (awaitingResubscribe.compareAndSet(true, false)) {
        long now = System.nanoTime();
        lastHeardNanos = now;
        aliveSinceNanos = now;
        lastFlushNanos = now;
        LOG.log(Level.INFO, "pub/sub bus {0}: subscribed to {1} again; flushing what was missed",
            core.nodeId, channel);
        core.flush("disconnect");
      }
    }
  }

  private final class StateListener implements RedisConnectionStateListener {
    @Override
    public void onRedisDisconnected(RedisChannelHandler<?, ?> connection) {
      if (closing.get()) {
        return;
      }
      awaitingResubscribe.set(true);
      lastFlushNanos = System.nanoTime();
      core.disconnects.increment();
      LOG.log(Level.WARNING, "pub/sub bus {0}: subscription to {1} lost; flushing", core.nodeId, channel);
      core.flush("disconnect");
    }

    @Override
    public void onRedisConnected(RedisChannelHandler<?, ?> connection, SocketAddress socketAddress) {
      LOG.log(Level.DEBUG, "pub/sub bus {0}: reconnected to {1}", core.nodeId, socketAddress);
    }
  }

  // ---------------------------------------------------------------- lifecycle

  @Override
  public void close() {
    if (!closing.compareAndSet(false, true)) {
      return;
    }
    core.beginClose(Connections.CLOSE_WAIT);
    if (publisher != null && publisher.isOpen()) {
      Connections.awaitQuietly(core.sendControl(Type.BYE), Connections.CLOSE_WAIT);
    }
    if (subscription != null && subscription.isOpen()) {
      Connections.awaitQuietly(
          subscription.async().unsubscribe(channel).toCompletableFuture(), Connections.CLOSE_WAIT);
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
      subscription.removeListener(stateListener);
      subscription.removeListener(messageListener);
      Connections.closeQuietly(subscription);
    }
    Connections.closeQuietly(publisher);
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
    core.loseNextMessages(count);
  }

  /** Stops or resumes this node's heartbeats. */
  void pauseHeartbeats(boolean paused) {
    heartbeatsPaused = paused;
  }

  @Override
  BusCore core() {
    return core;
  }
}
