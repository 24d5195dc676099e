package io.tieredcache.redis;

import io.github.resilience4j.circuitbreaker.CircuitBreaker;
import io.github.resilience4j.circuitbreaker.CircuitBreakerConfig;
import io.github.resilience4j.circuitbreaker.CircuitBreakerRegistry;
import io.lettuce.core.ClientOptions;
import io.lettuce.core.ReadFrom;
import io.lettuce.core.AbstractRedisClient;
import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisURI;
import io.lettuce.core.SocketOptions;
import io.lettuce.core.cluster.RedisClusterClient;
import io.lettuce.core.resource.ClientResources;
import io.lettuce.core.resource.DefaultClientResources;
import io.lettuce.core.resource.Delay;
import io.tieredcache.KeyCodec;
import io.tieredcache.spi.FillOutcome;
import io.tieredcache.spi.Lease;
import io.tieredcache.spi.PendingFill;
import io.tieredcache.spi.RemoteEntry;
import io.tieredcache.spi.RemoteErrorKind;
import io.tieredcache.spi.RemoteTier;
import io.tieredcache.spi.RemoteTierFactory;
import io.tieredcache.spi.TierContext;
import io.tieredcache.spi.TierEvents;
import io.tieredcache.spi.WriteResult;
import java.time.Duration;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import tools.jackson.core.type.TypeReference;

/**
 * Redis as the shared tier of a {@link io.tieredcache.TieredCache}, over Lettuce. Start with
 * {@link #builder(RedisClient)} (you own and share the client) or {@link #builder(String)} (the
 * tier makes and owns its own client):
 *
 * <pre>{@code
 * RedisClient redis = RedisClient.create("redis://localhost:6379");
 * TieredCache<Long, User> users = TieredCache.builder("users")
 *     .keyCodec(KeyCodec.longs())
 *     .remoteTier(RedisTier.builder(redis).valueType(User.class).build())
 *     .build(id -> repository.find(id));
 * }</pre>
 *
 * <h2>Connections</h2>
 * All tiers made from one {@link RedisClient} share one {@code byte[]} connection (Lettuce
 * connections are thread-safe and pipeline concurrent commands); it opens with the first tier and
 * closes with the last, and the client itself is never closed by this library. A client you hand
 * in should reject commands while disconnected
 * ({@link ClientOptions.DisconnectedBehavior#REJECT_COMMANDS}); with Lettuce's default the tier
 * still cancels every command that outlives its time limit, so a buffered write is not replayed
 * late. With {@link #builder(String)} every tier makes its own client with exactly those options
 * and closes it with the tier.
 *
 * <h2>Key layout</h2>
 * <pre>
 * value: &lt;prefix&gt;:&lt;cache&gt;:{&lt;tag&gt;}:&lt;epoch&gt;:v:&lt;key&gt;   lease: &lt;prefix&gt;:&lt;cache&gt;:{&lt;tag&gt;}:&lt;epoch&gt;:l:&lt;key&gt;
 * e.g.   tc:users:{5feceb66}:0:v:0                   tc:users:{5feceb66}:0:l:0
 * epoch: &lt;prefix&gt;:&lt;cache&gt;:epoch
 * </pre>
 * <ul>
 *   <li>{@code prefix}: {@link Builder#keyPrefix}, 1-64 of {@code [A-Za-z0-9._-]}, default
 *       {@value #DEFAULT_KEY_PREFIX}: one per application;</li>
 *   <li>{@code cache}: the cache name, every byte outside {@code [A-Za-z0-9._-]} percent-encoded,
 *       so {@code "a:b"} and {@code "a"} never share a prefix;</li>
 *   <li>{@code tag}: the first 8 hex digits of SHA-256 of the UTF-8 encoded key, as a Redis
 *       Cluster hash tag: a value and its lease always share a slot, whatever the key holds
 *       (braces, spaces, nothing at all), and keys spread over all slots;</li>
 *   <li>{@code epoch}: the cache's epoch, a counter that {@link #invalidateAll()} increments;</li>
 *   <li>{@code key}: the {@link KeyCodec}'s string in UTF-8, as is; a key longer than 512 bytes is
 *       replaced by its full SHA-256 in hex, under the kinds {@code vh} and {@code lh}.</li>
 * </ul>
 *
 * <h2>invalidateAll in O(1)</h2>
 * {@code invalidateAll()} is one {@code INCR} of the epoch key, whatever the size of the database
 * and of the cache: keys of older epochs are never read again and expire by their own TTL (so
 * their memory is given back within the remote TTL, or earlier under {@code maxmemory}). Leases
 * carry their epoch, so a load that began before it can never fill a value that is read after it.
 * The core tells other nodes the new epoch on its bus; every tier also reads the epoch every
 * {@link Builder#epochCheckInterval} (default 1 s), so a lost message delays the switch by at most
 * that.
 *
 * <h2>Values</h2>
 * A {@link ValueCodec} (default {@link JacksonValueCodec}, bound to the type given at build time)
 * makes the payload; the tier wraps it in a versioned envelope: magic {@code E7 1C}, format
 * version 1, flags (absent marker, deflated), write time, soft expiry, load duration, then the
 * payload (optionally deflated above {@link Builder#compressAbove}). An absent marker is the
 * 28-byte header alone, with its own TTL. Every write carries its entry's TTL ({@code SET .. PX}).
 * Entries read are decoded by the thread that asks for them, never by Lettuce's event loop.
 *
 * <h2>Batches and leases</h2>
 * {@code getAll} is one {@code MGET} per {@value RedisCalls#BATCH_SIZE} keys; every other batch is
 * a pipeline of single-key commands or scripts (each touching one value and its own lease, so all
 * of it is cluster-safe), {@value RedisCalls#BATCH_SIZE} per call, each call with its own time
 * limit. A fill lease is {@code SET lease token NX PX leaseTtl}, renewed by its holder while it
 * loads; a fill is a Lua compare-and-set that stores the value only while the lease still holds
 * that token. Application writes and invalidations delete the lease with the value, so a slow
 * loader cannot overwrite them.
 *
 * <h2>Reads from replicas (Redis Cluster, off by default)</h2>
 * With {@link Builder#readFrom}, {@code get} and {@code getAll} read values ({@code GET},
 * {@code MGET}) where the given {@code ReadFrom} says, over a second connection per client;
 * everything that decides correctness stays on the primaries: leases, fills, the poll of other
 * nodes' fills, the epoch, writes and deletes. What it adds:
 * <ul>
 *   <li>replication lag on an L2 read: a value filled a moment ago may be a miss on a replica (one
 *       more load, never a staler value);</li>
 *   <li>the fence: every write and invalidation runs {@code WAIT <replicas> <timeout/2>} on each
 *       primary it wrote to, over the connection that carried the write, for the replicas Lettuce
 *       may read from (its topology view less those the cluster marks {@code fail}), and only then
 *       does the cache publish it; so a node that hears the invalidation and reads the key from a
 *       replica gets the new state. A write costs one replica round trip more, and commands behind
 *       the {@code WAIT} on that connection wait with it;</li>
 *   <li>the bound when replicas do not confirm in time: the keys are reported unapplied, so this
 *       node stops reading them from Redis and repairs them: it deletes them again, waits again and
 *       announces them again every 0.5 s until every replica confirms. Another node may meanwhile
 *       read the old value from the lagging replica and keep it until that announcement: the
 *       replica's lag plus about 0.5 s and the calls' time limits;</li>
 *   <li>a replica cut off from its primary never confirms: other nodes may then keep a value read
 *       from it until their L1's hard TTL, and it serves its old values until the remote TTL
 *       ({@code replica-serve-stale-data yes}, Redis's default). Run replicas with
 *       {@code replica-serve-stale-data no} to have them refuse reads instead (a refused read is a
 *       miss and a load);</li>
 *   <li>during a failover or a slot migration the fence follows Lettuce's topology view and can
 *       miss a replica it does not know yet, as a crashed primary can lose a delete: the bound is
 *       then the remote TTL.</li>
 * </ul>
 *
 * <h2>Failures</h2>
 * Every call goes through a Resilience4j {@link CircuitBreaker} with a short time limit (an open
 * breaker refuses at once; a call over the limit counts as a breaker failure and its commands are
 * cancelled). Every failure is reported once through {@link TierEvents}, which counts it by kind
 * and logs at a bounded rate; this class logs none itself. A failed read answers
 * {@link RemoteEntry#unavailable()} (a lease request {@link Lease#unknown()}, under which nothing
 * is ever filled); a write whose outcome is unknown is reported key by key in its
 * {@link WriteResult}, so the cache repairs it later. A stored value that cannot be decoded is
 * deleted and reported as {@link RemoteErrorKind#DECODE}. A value the codec cannot encode is
 * refused (its key deleted, the reason returned); one over {@link Builder#maxValueBytes} is
 * skipped, its key deleted, and reported as {@link RemoteErrorKind#ENCODE}.
 *
 * <h2>Logging</h2>
 * Through {@link System.Logger} named after this class: one WARNING when Redis runs with
 * {@code maxmemory-policy noeviction}, DEBUG otherwise.
 *
 * @param <K> key type
 * @param <V> value type
 */
public final class RedisTier<K, V> implements RemoteTier<K, V> {

  /** Default first segment of every key. */
  public static final String DEFAULT_KEY_PREFIX = "tc";
  /** Default time limit of one Redis call (a batch of up to 256 keys counts as one call). */
  public static final Duration DEFAULT_TIMEOUT = Duration.ofMillis(200);
  /** Default size limit of one stored entry, envelope included: 1 MiB. */
  public static final int DEFAULT_MAX_VALUE_BYTES = 1 << 20;
  /** Default compression threshold: {@code 0}, compression off. */
  public static final int DEFAULT_COMPRESS_ABOVE = 0;
  /** Default life of an unrenewed fill lease: how long others wait for a crashed loader. */
  public static final Duration DEFAULT_LEASE_TTL = Duration.ofSeconds(10);
  /** Default longest a loading node keeps renewing one lease. */
  public static final Duration DEFAULT_MAX_LEASE_HOLD = Duration.ofMinutes(1);
  /** Default interval of each tier's own epoch check. */
  public static final Duration DEFAULT_EPOCH_CHECK_INTERVAL = Duration.ofSeconds(1);
  /** The default breaker of a cache is called this plus the cache name. */
  public static final String CIRCUIT_BREAKER_NAME_PREFIX = "tiered-cache-";
  /** A call that must first wait for the connection to be made gets at least this long. */
  public static final Duration CONNECT_GRACE = RedisCalls.CONNECT_GRACE;
  /**
   * The default breaker's settings: judged over the last 20 calls once 5 were made, it opens at
   * 50% failures (a dead Redis trips it within a handful of calls), stays open 1 s, then lets
   * 3 trial calls through by itself and closes when they succeed.
   */
  public static final CircuitBreakerConfig DEFAULT_CIRCUIT_BREAKER_CONFIG = CircuitBreakerConfig.custom()
      .slidingWindowType(CircuitBreakerConfig.SlidingWindowType.COUNT_BASED)
      .slidingWindowSize(20)
      .minimumNumberOfCalls(5)
      .failureRateThreshold(50)
      .waitDurationInOpenState(Duration.ofSeconds(1))
      .automaticTransitionFromOpenToHalfOpenEnabled(true)
      .permittedNumberOfCallsInHalfOpenState(3)
      .writableStackTraceEnabled(false)
      .build();

  private final KeyLayout layout;
  private final SharedConnection connection;
  private final RedisCalls calls;
  /** Only while values are read from replicas: their connection and calls. */
  private final SharedConnection replicaConnection;
  private final RedisCalls replicaCalls;
  private final Epoch epoch;
  private final LeaseKeeper leaseKeeper;
  private final Reads<K, V> reads;
  private final Writes<K, V> writes;
  private final Leases<K, V> leases;
  private final AtomicBoolean closed = new AtomicBoolean();

  private RedisTier(TierSettings<V> settings, TierContext<K> context) {
    String cacheName = context.cacheName();
    this.layout = new KeyLayout(settings.keyPrefix(), cacheName);
    this.connection = settings.client() != null
        ? SharedConnection.shared(settings.client())
        : ownedConnection(settings.redisUri(), settings.timeout());
    this.calls = new RedisCalls(cacheName, connection, settings.breakerFor(CIRCUIT_BREAKER_NAME_PREFIX + cacheName),
        context.events(), settings.timeout());
    this.epoch = new Epoch(layout.epochKey(), calls, context.events(), settings.epochCheckInterval());
    this.leaseKeeper = new LeaseKeeper(calls, settings.leaseTtl(), settings.maxLeaseHold());
    var keyspace = new Keyspace<>(cacheName, context.keyCodec(), layout,
        new Envelope<>(settings.codec(), settings.compressAbove(), settings.maxValueBytes()), calls, epoch,
        settings.maxValueBytes());
    if (settings.readFrom() != null) {
      this.replicaConnection = SharedConnection.replicaReads((RedisClusterClient) settings.client(), settings.readFrom());
      this.replicaCalls = new RedisCalls(cacheName, replicaConnection, calls.breaker(), context.events(),
          settings.timeout());
    } else {
      this.replicaConnection = null;
      this.replicaCalls = null;
    }
    this.reads = new Reads<>(keyspace, replicaCalls != null ? replicaCalls : calls);
    this.writes = new Writes<>(keyspace, replicaCalls != null ? new ReplicaFence(calls, settings.timeout()) : null);
    this.leases = new Leases<>(keyspace, leaseKeeper, settings.leaseTtl().toMillis());
  }

  /**
   * Starts building a tier over {@code client}, which you own: tiers share one connection per
   * client, and closing a tier never closes the client.
   */
  public static Builder<Object> builder(RedisClient client) {
    return new Builder<>(Objects.requireNonNull(client, "client"), null);
  }

  /**
   * Starts building a tier over a Redis Cluster {@code client}, which you own. Every script and
   * batch touches keys of one slot only (a value and its lease share a hash tag; the epoch is one
   * key), and Lettuce splits a {@code getAll} across slots into one {@code MGET} per node, sent in
   * parallel.
   *
   * <p>Failover: Lettuce's default {@code ClusterTopologyRefreshOptions} (adaptive triggers on)
   * follow a planned failover by its redirects; when a call times out or cannot reach its node (a
   * killed primary, which Lettuce does not count as a trigger), the tier asks the client to re-read
   * the topology, at most once a second. Keep the adaptive triggers on if you set your own options.
   */
  public static Builder<Object> builder(RedisClusterClient client) {
    return new Builder<>(Objects.requireNonNull(client, "client"), null);
  }

  /**
   * Starts building a tier that makes its own client for {@code redisUri} (e.g.
   * {@code redis://localhost:6379}) and closes it with the tier. The client rejects commands while
   * disconnected, so nothing is buffered and replayed late, and reconnects at least once a second.
   * One client per cache: with many caches, prefer {@link #builder(RedisClient)}.
   */
  public static Builder<Object> builder(String redisUri) {
    Objects.requireNonNull(redisUri, "redisUri");
    RedisURI.create(redisUri); // fail early on a malformed URI
    return new Builder<>(null, redisUri);
  }

  /** The breaker guarding this tier's calls, e.g. to bind its state to metrics. */
  public CircuitBreaker circuitBreaker() {
    return calls.breaker();
  }

  /** {@inheritDoc} Exposes the {@link CircuitBreaker}. */
  @Override
  public <T> Optional<T> component(Class<T> type) {
    return type.isInstance(calls.breaker()) ? Optional.of(type.cast(calls.breaker())) : Optional.empty();
  }

  // ------------------------------------------------------------------ the SPI, by part

  @Override
  public CompletableFuture<RemoteEntry<V>> get(K key) {
    return reads.get(key);
  }

  @Override
  public CompletableFuture<Map<K, RemoteEntry<V>>> getAll(Collection<? extends K> keys) {
    return reads.getAll(keys);
  }

  /** {@inheritDoc} One round trip: {@code EXISTS lease} then {@code GET value} per key. */
  @Override
  public CompletableFuture<Map<K, PendingFill<V>>> pollFills(Collection<? extends K> keys) {
    return reads.pollFills(keys);
  }

  /**
   * {@inheritDoc} Each entry is written with {@code SET .. PX ttl} right after deleting the key's
   * lease; an entry that is too big, a miss or a non-positive TTL deletes the key instead.
   */
  @Override
  public CompletableFuture<WriteResult<K>> putAll(Map<? extends K, RemoteEntry<V>> entries) {
    return writes.putAll(entries);
  }

  @Override
  public CompletableFuture<WriteResult<K>> invalidate(Collection<? extends K> keys) {
    return writes.invalidate(keys);
  }

  /**
   * {@inheritDoc}
   *
   * <p>One {@code INCR} of {@code <prefix>:<cache>:epoch}; the keys of older epochs expire by their
   * TTL. Completes exceptionally if Redis did not answer, since it may or may not have moved.
   */
  @Override
  public CompletableFuture<Long> invalidateAll() {
    return epoch.increment();
  }

  @Override
  public void advanceEpoch(long newEpoch) {
    epoch.advance(newEpoch);
  }

  @Override
  public CompletableFuture<Boolean> resync() {
    return epoch.resync();
  }

  /**
   * {@inheritDoc} One pipelined {@code SET <lease> <epoch>:<token> NX PX <leaseTtl>} per key; an
   * acquired lease is renewed while this node loads.
   */
  @Override
  public CompletableFuture<Map<K, Lease>> acquireLeases(Collection<? extends K> keys) {
    return leases.acquireLeases(keys);
  }

  /** {@inheritDoc} A Lua compare-and-set per key; a lease of an older epoch is fenced at once. */
  @Override
  public CompletableFuture<Map<K, FillOutcome>> fill(Map<K, LeasedEntry<V>> fills) {
    return leases.fill(fills);
  }

  /**
   * {@inheritDoc} Each call gets this tier's time limit (or the connect grace while the first
   * connection is made); batches of more than {@value RedisCalls#BATCH_SIZE} keys are several
   * calls, and an epoch that must first be read adds one more.
   */
  @Override
  public Duration maxCallDuration(int keyCount) {
    // While values are read from replicas, a write also waits for them: one call more.
    return Duration.ofNanos(calls.limitNanos() * (RedisCalls.callsFor(keyCount) + (replicaCalls != null ? 2 : 1)));
  }

  @Override
  public void close() {
    if (closed.compareAndSet(false, true)) {
      epoch.close();
      leaseKeeper.close();
      calls.close();
      if (replicaCalls != null) {
        replicaCalls.close();
        replicaConnection.release();
      }
      connection.release();
    }
  }

  @Override
  public String toString() {
    return "RedisTier[" + layout.cacheSegment() + ", epoch " + epoch.knownOrMinusOne()
        + ", breaker " + calls.breaker().getName() + " " + calls.breaker().getState() + "]";
  }

  private static SharedConnection ownedConnection(String redisUri, Duration timeout) {
    RedisURI uri = RedisURI.create(redisUri);
    ClientResources resources = DefaultClientResources.builder()
        .reconnectDelay(Delay.exponential(Duration.ofMillis(10), Duration.ofSeconds(1), 2, TimeUnit.MILLISECONDS))
        .build();
    RedisClient client = RedisClient.create(resources, uri);
    Duration connectTimeout = timeout.multipliedBy(5).compareTo(Duration.ofSeconds(1)) > 0
        ? timeout.multipliedBy(5) : Duration.ofSeconds(1);
    client.setOptions(ClientOptions.builder()
        .autoReconnect(true)
        .disconnectedBehavior(ClientOptions.DisconnectedBehavior.REJECT_COMMANDS)
        .socketOptions(SocketOptions.builder().connectTimeout(connectTimeout).build())
        .build());
    return SharedConnection.owned(client, resources, uri);
  }

  /**
   * Configures a {@link RedisTier}; {@link #build()} returns the factory that
   * {@link io.tieredcache.TieredCacheBuilder#remoteTier} takes. A value type or codec is required.
   * Not thread-safe; the factory it builds is.
   *
   * @param <V> value type
   */
  public static final class Builder<V> {
    private final AbstractRedisClient client;
    private final String redisUri;
    private ValueCodec<?> codec;
    private String keyPrefix = DEFAULT_KEY_PREFIX;
    private Duration timeout = DEFAULT_TIMEOUT;
    private CircuitBreaker circuitBreaker;
    private CircuitBreakerRegistry circuitBreakerRegistry;
    private int maxValueBytes = DEFAULT_MAX_VALUE_BYTES;
    private int compressAbove = DEFAULT_COMPRESS_ABOVE;
    private Duration leaseTtl = DEFAULT_LEASE_TTL;
    private Duration maxLeaseHold = DEFAULT_MAX_LEASE_HOLD;
    private Duration epochCheckInterval = DEFAULT_EPOCH_CHECK_INTERVAL;
    private ReadFrom readFrom;

    private Builder(AbstractRedisClient client, String redisUri) {
      this.client = client;
      this.redisUri = redisUri;
    }

    /** Stores values as JSON with {@link JacksonValueCodec#of(Class)}. */
    public <V1> Builder<V1> valueType(Class<V1> type) {
      return codec(JacksonValueCodec.of(type));
    }

    /** Stores values of a generic type as JSON, e.g. {@code new TypeReference<List<User>>() {}}. */
    public <V1> Builder<V1> valueType(TypeReference<V1> type) {
      return codec(JacksonValueCodec.of(type));
    }

    /** Stores values with your codec (or {@link JacksonValueCodec#of(tools.jackson.databind.json.JsonMapper, Class)} for your mapper). */
    @SuppressWarnings("unchecked")
    public <V1> Builder<V1> codec(ValueCodec<V1> codec) {
      this.codec = Objects.requireNonNull(codec, "codec");
      return (Builder<V1>) this;
    }

    /** First segment of every key, one per application: 1-64 of {@code [A-Za-z0-9._-]}. Default {@value #DEFAULT_KEY_PREFIX}. */
    public Builder<V> keyPrefix(String keyPrefix) {
      this.keyPrefix = KeyLayout.validatePrefix(keyPrefix);
      return this;
    }

    /**
     * Time limit of one Redis call (a batch is one call); a slower call is a miss or an unapplied
     * write. Default 200 ms. Calls that wait for a new tier's first connection get at least 2 s
     * (a cold JVM's first Lettuce connection can take most of a second).
     */
    public Builder<V> timeout(Duration timeout) {
      Objects.requireNonNull(timeout, "timeout");
      if (timeout.isNegative() || timeout.isZero()) {
        throw new IllegalArgumentException("timeout must be positive, was " + timeout);
      }
      this.timeout = timeout;
      return this;
    }

    /** Guards every call of every tier this factory makes with your breaker. */
    public Builder<V> circuitBreaker(CircuitBreaker circuitBreaker) {
      this.circuitBreaker = Objects.requireNonNull(circuitBreaker, "circuitBreaker");
      return this;
    }

    /**
     * Takes each cache's breaker, named {@code tiered-cache-<cache name>}, from your registry: the
     * registry's configuration of that name, else its configuration named {@code tiered-cache},
     * else {@link #DEFAULT_CIRCUIT_BREAKER_CONFIG}. Bind the registry to metrics with Resilience4j's
     * {@code TaggedCircuitBreakerMetrics}.
     */
    public Builder<V> circuitBreakerRegistry(CircuitBreakerRegistry registry) {
      this.circuitBreakerRegistry = Objects.requireNonNull(registry, "circuitBreakerRegistry");
      return this;
    }

    /** Largest entry stored, envelope included; a bigger one is skipped and reported. Default 1 MiB. */
    public Builder<V> maxValueBytes(int maxValueBytes) {
      if (maxValueBytes < Envelope.HEADER_BYTES) {
        throw new IllegalArgumentException("maxValueBytes must be at least " + Envelope.HEADER_BYTES
            + ", was " + maxValueBytes);
      }
      this.maxValueBytes = maxValueBytes;
      return this;
    }

    /** Deflates payloads longer than this many bytes (kept only if smaller); {@code 0}, the default, never does. */
    public Builder<V> compressAbove(int bytes) {
      if (bytes < 0) {
        throw new IllegalArgumentException("compressAbove must be >= 0 (0 = off), was " + bytes);
      }
      this.compressAbove = bytes;
      return this;
    }

    /**
     * How long a fill lease lives if its holder stops renewing it (it crashed): other nodes wait
     * at most this long for a dead loader. The holder renews it every third of this while it loads.
     * Default 10 s.
     */
    public Builder<V> leaseTtl(Duration leaseTtl) {
      this.leaseTtl = positive(leaseTtl, "leaseTtl");
      return this;
    }

    /** Longest a node keeps renewing one lease while its load runs. Default 1 min. */
    public Builder<V> maxLeaseHold(Duration maxLeaseHold) {
      this.maxLeaseHold = positive(maxLeaseHold, "maxLeaseHold");
      return this;
    }

    /**
     * How often each tier reads its cache's epoch on its own, so that an {@code invalidateAll} on
     * another node is learnt within this even if its bus message was lost. Default 1 s.
     */
    public Builder<V> epochCheckInterval(Duration interval) {
      this.epochCheckInterval = positive(interval, "epochCheckInterval");
      return this;
    }

    /**
     * Reads values ({@code GET}, {@code MGET} of {@code get} and {@code getAll}) where
     * {@code readFrom} says, e.g. {@link ReadFrom#REPLICA_PREFERRED}; off by default. Redis
     * Cluster only: the tier opens a second connection per client for these reads. Leases,
     * fills, the poll of other nodes' fills, the epoch and every write stay on the primaries.
     * {@link ReadFrom#UPSTREAM} (or {@code MASTER}) is the default: every read on the primary.
     *
     * <p>What it costs, see "Reads from replicas" in the class documentation: every write and
     * invalidation waits ({@code WAIT}) until the replicas of its keys' primaries have it, before
     * other nodes are told, so a node that then reads a key from a replica never gets the value
     * it replaced; a replica that does not confirm in time sends its keys to repair, and a
     * replica cut off from its primary may serve old values unless it runs with
     * {@code replica-serve-stale-data no}.
     *
     * @throws IllegalArgumentException if this builder was not made from a {@link RedisClusterClient}
     */
    public Builder<V> readFrom(ReadFrom readFrom) {
      Objects.requireNonNull(readFrom, "readFrom");
      if (!(client instanceof RedisClusterClient)) {
        throw new IllegalArgumentException("reads from replicas are supported on Redis Cluster only: build the tier "
            + "with RedisTier.builder(RedisClusterClient); a standalone or Sentinel client"
            + (redisUri != null ? " (or a Redis URI)" : "") + " reads from its primary");
      }
      this.readFrom = readFrom == ReadFrom.UPSTREAM || readFrom == ReadFrom.MASTER ? null : readFrom;
      return this;
    }

    private static Duration positive(Duration duration, String name) {
      Objects.requireNonNull(duration, name);
      if (duration.toMillis() < 1) {
        throw new IllegalArgumentException(name + " must be at least 1 ms, was " + duration);
      }
      return duration;
    }

    /**
     * The factory the cache builder takes; each cache gets its own tier (and key namespace) from it.
     *
     * @throws IllegalStateException if neither a value type nor a codec was given
     */
    @SuppressWarnings("unchecked")
    public <K> RemoteTierFactory<K, V> build() {
      if (codec == null) {
        throw new IllegalStateException("a Redis tier needs a value type or a codec, e.g. .valueType(User.class)");
      }
      var settings = new TierSettings<>(client, redisUri, (ValueCodec<V>) codec, keyPrefix, timeout,
          circuitBreaker, circuitBreakerRegistry, maxValueBytes, compressAbove, leaseTtl, maxLeaseHold,
          epochCheckInterval, readFrom);
      return context -> new RedisTier<>(settings, Objects.requireNonNull(context, "context"));
    }
  }
}
