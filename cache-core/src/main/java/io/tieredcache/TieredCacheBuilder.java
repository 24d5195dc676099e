package io.tieredcache;

import com.github.benmanes.caffeine.cache.Ticker;
import io.tieredcache.internal.CacheFactory;
import io.tieredcache.internal.CacheSettings;
import io.tieredcache.spi.InvalidationBus;
import io.tieredcache.spi.RemoteTierFactory;
import io.tieredcache.trace.AccessRecorder;
import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.Executor;
import java.util.concurrent.ForkJoinPool;
import java.util.function.Function;

/**
 * Builds a {@link TieredCache}. Every setting has a default that suits a read-heavy service; a
 * cache with no remote tier is L1 + loader, the embedded default.
 *
 * <pre>{@code
 * TieredCache<Long, User> users = TieredCache.builder("users")
 *     .maximumSize(10_000)
 *     .expireAfterWrite(Duration.ofMinutes(5))
 *     .refreshAfterWrite(Duration.ofMinutes(1))
 *     .build(id -> userRepository.find(id));
 * }</pre>
 *
 * <p>The builder is not thread-safe; the cache it builds is.
 *
 * @param <K> key type, fixed by {@link #keyCodec} or {@link #remoteTier}, else by {@link #build}
 * @param <V> value type
 */
public final class TieredCacheBuilder<K, V> {

  /** L1 entries at most. */
  public static final long DEFAULT_MAXIMUM_SIZE = 10_000;
  /** L1 hard TTL: the staleness bound of last resort. */
  public static final Duration DEFAULT_EXPIRE_AFTER_WRITE = Duration.ofMinutes(5);
  /** Remote-tier TTL. */
  public static final Duration DEFAULT_REMOTE_EXPIRE_AFTER_WRITE = Duration.ofHours(1);
  /** TTL of an absent marker, in every tier. */
  public static final Duration DEFAULT_ABSENT_TTL = Duration.ofSeconds(30);
  /** Share of a TTL taken off at random so entries loaded together do not expire together. */
  public static final double DEFAULT_JITTER = 0.10;
  /** How long a node waits for another node's fill before loading itself. */
  public static final Duration DEFAULT_LEASE_WAIT = Duration.ofSeconds(2);
  /**
   * How long an L1 entry is served, at most, while this node cannot hear other nodes'
   * invalidations (Redis or the bus is down); see {@link #staleWhileDisconnected(Duration)}.
   */
  public static final Duration DEFAULT_STALE_WHILE_DISCONNECTED = Duration.ofSeconds(5);

  private final String name;
  private long maximumSize = DEFAULT_MAXIMUM_SIZE;
  private Duration expireAfterWrite = DEFAULT_EXPIRE_AFTER_WRITE;
  private Duration remoteExpireAfterWrite = DEFAULT_REMOTE_EXPIRE_AFTER_WRITE;
  private Duration refreshAfterWrite;
  private Duration staleIfError = Duration.ZERO;
  private Duration absentTtl = DEFAULT_ABSENT_TTL;
  private double jitter = DEFAULT_JITTER;
  private Duration leaseWait = DEFAULT_LEASE_WAIT;
  private Duration staleWhileDisconnected = DEFAULT_STALE_WHILE_DISCONNECTED;
  private Ticker ticker = Ticker.systemTicker();
  private Executor executor = ForkJoinPool.commonPool();
  private KeyCodec<?> keyCodec;
  private RemoteTierFactory<?, ?> remoteTier;
  private InvalidationBus invalidationBus;
  private AccessRecorder recorder;

  TieredCacheBuilder(String name) {
    Objects.requireNonNull(name, "name");
    if (name.isBlank()) {
      throw new IllegalArgumentException("cache name must not be blank");
    }
    this.name = name;
  }

  /** Bounds L1 to about this many entries; {@code 0} turns L1 off (every read goes remote). */
  public TieredCacheBuilder<K, V> maximumSize(long maximumSize) {
    if (maximumSize < 0) {
      throw new IllegalArgumentException("maximumSize must be >= 0, was " + maximumSize);
    }
    this.maximumSize = maximumSize;
    return this;
  }

  /** L1 hard TTL: no entry is served after this long, whatever the bus did. */
  public TieredCacheBuilder<K, V> expireAfterWrite(Duration ttl) {
    this.expireAfterWrite = requirePositive(ttl, "expireAfterWrite");
    return this;
  }

  /** How long the remote tier keeps a value. */
  public TieredCacheBuilder<K, V> remoteExpireAfterWrite(Duration ttl) {
    this.remoteExpireAfterWrite = requirePositive(ttl, "remoteExpireAfterWrite");
    return this;
  }

  /**
   * Soft TTL: a hit older than this returns the current value at once and refreshes it in the
   * background, one refresh per key (stale-while-revalidate). Must be below the hard TTL.
   */
  public TieredCacheBuilder<K, V> refreshAfterWrite(Duration softTtl) {
    this.refreshAfterWrite = requirePositive(softTtl, "refreshAfterWrite");
    return this;
  }

  /**
   * Keeps expired L1 entries this much longer, to serve when the loader fails (stale-if-error).
   * They are never served otherwise, and an invalidation removes them. Default: zero (off).
   */
  public TieredCacheBuilder<K, V> staleIfError(Duration window) {
    Objects.requireNonNull(window, "staleIfError");
    if (window.isNegative()) {
      throw new IllegalArgumentException("staleIfError must not be negative, was " + window);
    }
    this.staleIfError = window;
    return this;
  }

  /** TTL of an absent marker (the loader returned null); {@link Duration#ZERO} turns negative caching off. */
  public TieredCacheBuilder<K, V> absentTtl(Duration ttl) {
    Objects.requireNonNull(ttl, "absentTtl");
    if (ttl.isNegative()) {
      throw new IllegalArgumentException("absentTtl must not be negative, was " + ttl);
    }
    this.absentTtl = ttl;
    return this;
  }

  /**
   * Takes up to this share off every TTL at random ({@code 0.1} = up to 10% shorter), so entries
   * loaded together do not expire together. TTLs never get longer than configured.
   */
  public TieredCacheBuilder<K, V> jitter(double fraction) {
    if (!(fraction >= 0.0 && fraction < 1.0)) {
      throw new IllegalArgumentException("jitter must be in [0, 1), was " + fraction);
    }
    this.jitter = fraction;
    return this;
  }

  /** How long a node waits for another node holding the fill lease before it loads itself. */
  public TieredCacheBuilder<K, V> leaseWait(Duration wait) {
    this.leaseWait = requirePositive(wait, "leaseWait");
    return this;
  }

  /**
   * The staleness bound while this node cannot hear invalidations (the bus reports it is
   * disconnected or silent, e.g. because Redis is down). Entries already in L1 keep being served,
   * so callers do not wait on the loader and the loader is not stampeded; but an entry this node
   * can no longer vouch for (one loaded before the bus went deaf, or while it is deaf) is reloaded
   * in the background once it has been unverified for about this long, one reload per key per
   * node, and is not served at all once it is past this bound with no reload under way (a read then
   * loads it). So every value served is at most this old, plus the time of one reload, counted from
   * the last moment this node could hear invalidations for it; and the loader sees at most about
   * one load per key per node per this duration while the outage lasts. A longer bound means less
   * load and staler data. Default 5 s. While the bus works the bound is the bus's own (about 1 s).
   */
  public TieredCacheBuilder<K, V> staleWhileDisconnected(Duration bound) {
    this.staleWhileDisconnected = requirePositive(bound, "staleWhileDisconnected");
    return this;
  }

  /** The time source for L1 expiry; a fake one makes expiry tests deterministic. */
  public TieredCacheBuilder<K, V> ticker(Ticker ticker) {
    this.ticker = Objects.requireNonNull(ticker, "ticker");
    return this;
  }

  /** Runs async loads and background refreshes. Default: the common fork-join pool. */
  public TieredCacheBuilder<K, V> executor(Executor executor) {
    this.executor = Objects.requireNonNull(executor, "executor");
    return this;
  }

  /** How keys become strings for the remote tier and the bus; required with either of them. */
  @SuppressWarnings("unchecked")
  public <K1 extends K> TieredCacheBuilder<K1, V> keyCodec(KeyCodec<K1> keyCodec) {
    this.keyCodec = Objects.requireNonNull(keyCodec, "keyCodec");
    return (TieredCacheBuilder<K1, V>) this;
  }

  /** Adds a shared tier behind L1, e.g. {@code RedisTier.builder(client).valueType(User.class).build()}. */
  @SuppressWarnings("unchecked")
  public <K1 extends K, V1 extends V> TieredCacheBuilder<K1, V1> remoteTier(RemoteTierFactory<K1, V1> remoteTier) {
    this.remoteTier = Objects.requireNonNull(remoteTier, "remoteTier");
    return (TieredCacheBuilder<K1, V1>) this;
  }

  /** Keeps this node's L1 in step with other nodes'; one bus per node serves all its caches. */
  public TieredCacheBuilder<K, V> invalidationBus(InvalidationBus bus) {
    this.invalidationBus = Objects.requireNonNull(bus, "invalidationBus");
    return this;
  }

  /**
   * Records this cache's gets, puts and invalidations (sampled by key) for the tier sizer; off by
   * default. You own the recorder: close it when done. See {@link AccessRecorder}.
   */
  public TieredCacheBuilder<K, V> recordAccesses(AccessRecorder recorder) {
    this.recorder = Objects.requireNonNull(recorder, "recorder");
    return this;
  }

  /** Builds a cache whose reads name their loader ({@link TieredCache#get(Object, Function)}). */
  public <K1 extends K, V1 extends V> TieredCache<K1, V1> build() {
    return create(null);
  }

  /** Builds a cache whose {@link TieredCache#get(Object)} loads with {@code loader}. */
  public <K1 extends K, V1 extends V> TieredCache<K1, V1> build(Function<? super K1, ? extends V1> loader) {
    return create(Objects.requireNonNull(loader, "loader"));
  }

  /**
   * Creates the cache: checks the settings as a whole, creates the remote tier and subscribes to
   * the bus.
   *
   * @throws IllegalStateException if the settings do not fit together (a soft TTL not below the
   *     hard TTL, a remote tier or bus without a key codec) or a cache of this name is already
   *     subscribed on the bus
   */
  @SuppressWarnings("unchecked")
  private <K1 extends K, V1 extends V> TieredCache<K1, V1> create(Function<? super K1, ? extends V1> loader) {
    var settings = new CacheSettings<>(
        name, maximumSize, expireAfterWrite, remoteExpireAfterWrite, refreshAfterWrite, staleIfError,
        absentTtl, jitter, leaseWait, staleWhileDisconnected, ticker, executor, (KeyCodec<K1>) keyCodec,
        (RemoteTierFactory<K1, V1>) remoteTier, invalidationBus, loader);
    return CacheFactory.create(settings, recorder);
  }

  private static Duration requirePositive(Duration duration, String what) {
    Objects.requireNonNull(duration, what);
    if (duration.isNegative() || duration.isZero()) {
      throw new IllegalArgumentException(what + " must be positive, was " + duration);
    }
    return duration;
  }
}
