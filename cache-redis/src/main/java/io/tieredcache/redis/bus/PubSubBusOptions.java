package io.tieredcache.redis.bus;

import java.time.Duration;
import java.util.Optional;

/**
 * Immutable settings of a {@link PubSubInvalidationBus}. Every node sharing a channel should use
 * the same settings. Build with {@link #builder()}, start from the defaults with {@link #create()},
 * or change one with {@link #mutate()}.
 *
 * <p>The staleness bound of the bus is {@code heartbeatTimeout} plus one round trip to Redis (plus
 * one watchdog tick of {@code heartbeatInterval / 5}): about 0.85 s with the defaults.
 */
public final class PubSubBusOptions {

  /** The pub/sub channel all nodes publish to and subscribe to. */
  public static final String DEFAULT_CHANNEL = "tiered-cache:invalidations";
  /** How often every node publishes a heartbeat carrying its latest sequence number. */
  public static final Duration DEFAULT_HEARTBEAT_INTERVAL = Duration.ofMillis(250);
  /** How long a subscription may hear nothing at all before its node flushes: three intervals. */
  public static final Duration DEFAULT_HEARTBEAT_TIMEOUT = Duration.ofMillis(750);
  /**
   * How often a bus whose connection dropped tries a fresh one, whatever reconnect delay the
   * client's {@code ClientResources} use: cross-node invalidation works again within about this
   * long after Redis is back.
   */
  public static final Duration DEFAULT_RECONNECT_INTERVAL = Duration.ofMillis(250);
  /** Larger batches are split into messages of at most this many keys. */
  public static final int DEFAULT_MAX_KEYS_PER_MESSAGE = 1_000;
  /** Classic pub/sub ({@code PUBLISH}/{@code SUBSCRIBE}) unless sharded pub/sub is asked for. */
  public static final boolean DEFAULT_SHARDED = false;

  private final String channel;
  private final Duration heartbeatInterval;
  private final Duration heartbeatTimeout;
  private final int maxKeysPerMessage;
  private final Duration reconnectInterval;
  private final String nodeId;
  private final boolean sharded;

  private PubSubBusOptions(Builder builder) {
    this.channel = builder.channel;
    this.heartbeatInterval = builder.heartbeatInterval;
    this.heartbeatTimeout = builder.heartbeatTimeout;
    this.maxKeysPerMessage = builder.maxKeysPerMessage;
    this.reconnectInterval = builder.reconnectInterval;
    this.nodeId = builder.nodeId;
    this.sharded = builder.sharded;
  }

  /** The defaults. */
  public static PubSubBusOptions create() {
    return builder().build();
  }

  /** A builder holding the defaults. */
  public static Builder builder() {
    return new Builder();
  }

  /** A builder holding these settings. */
  public Builder mutate() {
    Builder builder = new Builder();
    builder.channel = channel;
    builder.heartbeatInterval = heartbeatInterval;
    builder.heartbeatTimeout = heartbeatTimeout;
    builder.maxKeysPerMessage = maxKeysPerMessage;
    builder.reconnectInterval = reconnectInterval;
    builder.nodeId = nodeId;
    builder.sharded = sharded;
    return builder;
  }

  /** The channel; default {@value #DEFAULT_CHANNEL}. */
  public String channel() {
    return channel;
  }

  /** Time between two heartbeats of a node; default 250 ms. */
  public Duration heartbeatInterval() {
    return heartbeatInterval;
  }

  /** Silence after which a node flushes; default 750 ms. */
  public Duration heartbeatTimeout() {
    return heartbeatTimeout;
  }

  /** The most keys in one message; default {@value #DEFAULT_MAX_KEYS_PER_MESSAGE}. */
  public int maxKeysPerMessage() {
    return maxKeysPerMessage;
  }

  /** How often a fresh connection is tried after one dropped; default 250 ms. */
  public Duration reconnectInterval() {
    return reconnectInterval;
  }

  /** The node id if one was set; otherwise the bus generates a unique one. */
  public Optional<String> nodeId() {
    return Optional.ofNullable(nodeId);
  }

  /**
   * Whether the bus uses sharded pub/sub ({@code SPUBLISH}/{@code SSUBSCRIBE}, Redis 7.0 or
   * later); default {@value #DEFAULT_SHARDED}.
   */
  public boolean sharded() {
    return sharded;
  }

  @Override
  public String toString() {
    return "PubSubBusOptions[channel=" + channel + ", sharded=" + sharded + ", heartbeatInterval="
        + heartbeatInterval + ", heartbeatTimeout=" + heartbeatTimeout + ", maxKeysPerMessage="
        + maxKeysPerMessage + ", reconnectInterval=" + reconnectInterval + ", nodeId=" + nodeId + "]";
  }

  /** Builds {@link PubSubBusOptions}; not thread-safe. */
  public static final class Builder {
    private String channel = DEFAULT_CHANNEL;
    private Duration heartbeatInterval = DEFAULT_HEARTBEAT_INTERVAL;
    private Duration heartbeatTimeout = DEFAULT_HEARTBEAT_TIMEOUT;
    private int maxKeysPerMessage = DEFAULT_MAX_KEYS_PER_MESSAGE;
    private Duration reconnectInterval = DEFAULT_RECONNECT_INTERVAL;
    private String nodeId;
    private boolean sharded = DEFAULT_SHARDED;

    private Builder() {}

    /** The channel; give each group of nodes (each environment) its own. */
    public Builder channel(String channel) {
      this.channel = Options.nonBlank(channel, "channel");
      return this;
    }

    /** Time between heartbeats; positive. Shorter detects a lost last message sooner. */
    public Builder heartbeatInterval(Duration heartbeatInterval) {
      this.heartbeatInterval = Options.positive(heartbeatInterval, "heartbeatInterval");
      return this;
    }

    /**
     * Silence after which listeners flush; at least twice the heartbeat interval (checked by
     * {@link #build()}). This is the main term of the staleness bound.
     */
    public Builder heartbeatTimeout(Duration heartbeatTimeout) {
      this.heartbeatTimeout = Options.positive(heartbeatTimeout, "heartbeatTimeout");
      return this;
    }

    /** The most keys in one message; at least 1. */
    public Builder maxKeysPerMessage(int maxKeysPerMessage) {
      this.maxKeysPerMessage = Options.atLeastOne(maxKeysPerMessage, "maxKeysPerMessage");
      return this;
    }

    /**
     * How often a fresh connection is tried after one dropped or stalled; positive. Shorter brings
     * invalidation back sooner after an outage, at the cost of a connection attempt per interval
     * and connection while Redis is away.
     */
    public Builder reconnectInterval(Duration reconnectInterval) {
      this.reconnectInterval = Options.positive(reconnectInterval, "reconnectInterval");
      return this;
    }

    /** This node's id; must be unique among the nodes on the channel. Default: generated. */
    public Builder nodeId(String nodeId) {
      this.nodeId = Options.nonBlank(nodeId, "nodeId");
      return this;
    }

    /**
     * Whether to use sharded pub/sub ({@code SPUBLISH}/{@code SSUBSCRIBE}, Redis 7.0 or later)
     * instead of classic pub/sub. On a Redis Cluster a classic message is broadcast to every node
     * of the cluster over its bus, so its cost grows with the cluster; a sharded message stays
     * within the shard (primary and replicas) that owns the channel's slot, and the bus subscribes
     * on that shard and follows it when it moves. On a single Redis both behave the same. Every
     * node of a channel must use the same setting: a sharded and a classic node never hear each
     * other.
     */
    public Builder sharded(boolean sharded) {
      this.sharded = sharded;
      return this;
    }

    /**
     * The options.
     *
     * @throws IllegalArgumentException if the timeout is shorter than two heartbeat intervals
     */
    public PubSubBusOptions build() {
      if (heartbeatTimeout.compareTo(heartbeatInterval.multipliedBy(2)) < 0) {
        throw new IllegalArgumentException("heartbeatTimeout (" + heartbeatTimeout
            + ") must be at least twice heartbeatInterval (" + heartbeatInterval + ")");
      }
      return new PubSubBusOptions(this);
    }
  }
}
