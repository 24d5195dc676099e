package io.tieredcache.redis.bus;

import java.time.Duration;
import java.util.Optional;

/**
 * Immutable settings of a {@link StreamInvalidationBus}. Every node sharing a stream must use the
 * same settings (in particular the same {@code maxLength}). Build with {@link #builder()}, start
 * from the defaults with {@link #create()}, or change one with {@link #mutate()}.
 *
 * <p>The staleness bound of the bus is {@code silenceTimeout} plus one round trip to Redis (plus
 * one watchdog tick of {@code blockTimeout / 5}): about 0.85 s with the defaults.
 */
public final class StreamBusOptions {

  /** The stream all nodes append to and read. */
  public static final String DEFAULT_STREAM_KEY = "tiered-cache:invalidations:stream";
  /** Approximate length the stream is trimmed to on every append ({@code MAXLEN ~}). */
  public static final long DEFAULT_MAX_LENGTH = 10_000;
  /** The most entries one read returns ({@code XREAD COUNT}). */
  public static final int DEFAULT_READ_BATCH = 500;
  /** How long one read waits for new entries ({@code XREAD BLOCK}). */
  public static final Duration DEFAULT_BLOCK_TIMEOUT = Duration.ofMillis(250);
  /** How long the reader may complete no read before its node flushes: three block timeouts. */
  public static final Duration DEFAULT_SILENCE_TIMEOUT = Duration.ofMillis(750);
  /**
   * How often a bus whose connection dropped tries a fresh one, whatever reconnect delay the
   * client's {@code ClientResources} use: cross-node invalidation works again within about this
   * long after Redis is back.
   */
  public static final Duration DEFAULT_RECONNECT_INTERVAL = Duration.ofMillis(250);
  /** Larger batches are split into entries of at most this many keys. */
  public static final int DEFAULT_MAX_KEYS_PER_MESSAGE = 1_000;

  private final String streamKey;
  private final long maxLength;
  private final int readBatch;
  private final Duration blockTimeout;
  private final Duration silenceTimeout;
  private final int maxKeysPerMessage;
  private final Duration reconnectInterval;
  private final String nodeId;

  private StreamBusOptions(Builder builder) {
    this.streamKey = builder.streamKey;
    this.maxLength = builder.maxLength;
    this.readBatch = builder.readBatch;
    this.blockTimeout = builder.blockTimeout;
    this.silenceTimeout = builder.silenceTimeout;
    this.maxKeysPerMessage = builder.maxKeysPerMessage;
    this.reconnectInterval = builder.reconnectInterval;
    this.nodeId = builder.nodeId;
  }

  /** The defaults. */
  public static StreamBusOptions create() {
    return builder().build();
  }

  /** A builder holding the defaults. */
  public static Builder builder() {
    return new Builder();
  }

  /** A builder holding these settings. */
  public Builder mutate() {
    Builder builder = new Builder();
    builder.streamKey = streamKey;
    builder.maxLength = maxLength;
    builder.readBatch = readBatch;
    builder.blockTimeout = blockTimeout;
    builder.silenceTimeout = silenceTimeout;
    builder.maxKeysPerMessage = maxKeysPerMessage;
    builder.reconnectInterval = reconnectInterval;
    builder.nodeId = nodeId;
    return builder;
  }

  /** The stream key; default {@value #DEFAULT_STREAM_KEY}. */
  public String streamKey() {
    return streamKey;
  }

  /** The approximate length kept; default {@value #DEFAULT_MAX_LENGTH}. */
  public long maxLength() {
    return maxLength;
  }

  /** Entries per read; default {@value #DEFAULT_READ_BATCH}. */
  public int readBatch() {
    return readBatch;
  }

  /** How long one read blocks; default 250 ms. */
  public Duration blockTimeout() {
    return blockTimeout;
  }

  /** Time without a completed read after which listeners flush; default 750 ms. */
  public Duration silenceTimeout() {
    return silenceTimeout;
  }

  /** The most keys in one entry; default {@value #DEFAULT_MAX_KEYS_PER_MESSAGE}. */
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

  @Override
  public String toString() {
    return "StreamBusOptions[streamKey=" + streamKey + ", maxLength=" + maxLength
        + ", readBatch=" + readBatch + ", blockTimeout=" + blockTimeout + ", silenceTimeout="
        + silenceTimeout + ", maxKeysPerMessage=" + maxKeysPerMessage + ", reconnectInterval="
        + reconnectInterval + ", nodeId=" + nodeId + "]";
  }

  /** Builds {@link StreamBusOptions}; not thread-safe. */
  public static final class Builder {
    private String streamKey = DEFAULT_STREAM_KEY;
    private long maxLength = DEFAULT_MAX_LENGTH;
    private int readBatch = DEFAULT_READ_BATCH;
    private Duration blockTimeout = DEFAULT_BLOCK_TIMEOUT;
    private Duration silenceTimeout = DEFAULT_SILENCE_TIMEOUT;
    private int maxKeysPerMessage = DEFAULT_MAX_KEYS_PER_MESSAGE;
    private Duration reconnectInterval = DEFAULT_RECONNECT_INTERVAL;
    private String nodeId;

    private Builder() {}

    /** The stream key; give each group of nodes (each environment) its own. */
    public Builder streamKey(String streamKey) {
      this.streamKey = Options.nonBlank(streamKey, "streamKey");
      return this;
    }

    /**
     * Approximate number of entries kept; at least the read batch (checked by {@link #build()}).
     * A node that falls further behind than this (a long disconnect under load) flushes with
     * {@code "trimmed"} instead of replaying.
     */
    public Builder maxLength(long maxLength) {
      if (maxLength < 1) {
        throw new IllegalArgumentException("maxLength must be at least 1: " + maxLength);
      }
      this.maxLength = maxLength;
      return this;
    }

    /** Entries per read; at least 1 and at most {@code maxLength}. */
    public Builder readBatch(int readBatch) {
      this.readBatch = Options.atLeastOne(readBatch, "readBatch");
      return this;
    }

    /** How long one read waits for new entries; positive, at most half the silence timeout. */
    public Builder blockTimeout(Duration blockTimeout) {
      Options.positive(blockTimeout, "blockTimeout");
      if (blockTimeout.toMillis() < 1) {
        throw new IllegalArgumentException("blockTimeout must be at least 1 ms: " + blockTimeout);
      }
      this.blockTimeout = blockTimeout;
      return this;
    }

    /** Time without a completed read after which listeners flush; the main term of the bound. */
    public Builder silenceTimeout(Duration silenceTimeout) {
      this.silenceTimeout = Options.positive(silenceTimeout, "silenceTimeout");
      return this;
    }

    /** The most keys in one entry; at least 1. */
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

    /** This node's id; must be unique among the nodes on the stream. Default: generated. */
    public Builder nodeId(String nodeId) {
      this.nodeId = Options.nonBlank(nodeId, "nodeId");
      return this;
    }

    /**
     * The options.
     *
     * @throws IllegalArgumentException if the read batch exceeds the max length, or the silence
     *     timeout is shorter than two block timeouts
     */
    public StreamBusOptions build() {
      if (readBatch > maxLength) {
        throw new IllegalArgumentException(
            "readBatch (" + readBatch + ") must not exceed maxLength (" + maxLength + ")");
      }
      if (silenceTimeout.compareTo(blockTimeout.multipliedBy(2)) < 0) {
        throw new IllegalArgumentException("silenceTimeout (" + silenceTimeout
            + ") must be at least twice blockTimeout (" + blockTimeout + ")");
      }
      return new StreamBusOptions(this);
    }
  }
}
