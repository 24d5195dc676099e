package io.tieredcache.redis;

import static java.nio.charset.StandardCharsets.US_ASCII;
import static java.nio.charset.StandardCharsets.UTF_8;

import io.github.resilience4j.circuitbreaker.CallNotPermittedException;
import io.github.resilience4j.circuitbreaker.CircuitBreaker;
import io.github.resilience4j.circuitbreaker.CircuitBreakerConfig;
import io.github.resilience4j.circuitbreaker.CircuitBreakerRegistry;
import io.lettuce.core.ClientOptions;
import io.lettuce.core.KeyScanCursor;
import io.lettuce.core.KeyValue;
import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisFuture;
import io.lettuce.core.RedisNoScriptException;
import io.lettuce.core.RedisURI;
import io.lettuce.core.ScanArgs;
import io.lettuce.core.ScanCursor;
import io.lettuce.core.ScriptOutputType;
import io.lettuce.core.SetArgs;
import io.lettuce.core.SocketOptions;
import io.lettuce.core.api.async.RedisAsyncCommands;
import io.lettuce.core.resource.ClientResources;
import io.lettuce.core.resource.DefaultClientResources;
import io.lettuce.core.resource.Delay;
import io.tieredcache.KeyCodec;
import io.tieredcache.spi.Lease;
import io.tieredcache.spi.RemoteEntry;
import io.tieredcache.spi.RemoteErrorKind;
import io.tieredcache.spi.RemoteTier;
import io.tieredcache.spi.RemoteTierFactory;
import io.tieredcache.spi.TierContext;
import io.tieredcache.spi.TierEvents;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Function;
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
 * value: &lt;prefix&gt;:&lt;cache&gt;:{&lt;tag&gt;}:v:&lt;key&gt;      lease: &lt;prefix&gt;:&lt;cache&gt;:{&lt;tag&gt;}:l:&lt;key&gt;
 * e.g.   tc:users:{5feceb66}:v:0                    tc:users:{5feceb66}:l:0
 * </pre>
 * <ul>
 *   <li>{@code prefix}: {@link Builder#keyPrefix}, 1-64 of {@code [A-Za-z0-9._-]}, default
 *       {@value #DEFAULT_KEY_PREFIX}: one per application;</li>
 *   <li>{@code cache}: the cache name, every byte outside {@code [A-Za-z0-9._-]} percent-encoded
 *       (so {@code "a:b"} and {@code "a"} never share a prefix, and {@code invalidateAll()} finds
 *       exactly its keys with {@code SCAN MATCH <prefix>:<cache>:*}, never {@code KEYS});</li>
 *   <li>{@code tag}: the first 8 hex digits of SHA-256 of the UTF-8 encoded key, as a Redis
 *       Cluster hash tag: a value and its lease always share a slot, whatever the key holds
 *       (braces, spaces, nothing at all), and keys spread over all slots;</li>
 *   <li>{@code key}: the {@link KeyCodec}'s string in UTF-8, as is; a key longer than 512 bytes is
 *       replaced by its full SHA-256 in hex, under the kinds {@code vh} and {@code lh}.</li>
 * </ul>
 *
 * <h2>Values</h2>
 * A {@link ValueCodec} (default {@link JacksonValueCodec}, bound to the type given at build time)
 * makes the payload; the tier wraps it in a versioned envelope: magic {@code E7 1C}, format
 * version 1, flags (absent marker, deflated), write time, soft expiry, load duration, then the
 * payload (optionally deflated above {@link Builder#compressAbove}). An absent marker is the
 * 28-byte header alone, with its own TTL. Every write carries its entry's TTL ({@code SET .. PX}).
 *
 * <h2>Batches and leases</h2>
 * {@code getAll} is one {@code MGET}; every other batch is a pipeline of single-key commands or
 * scripts (each touching one value and its own lease, so all of it is cluster-safe). A fill lease
 * is {@code SET lease token NX PX leaseTtl}; a fill is a Lua compare-and-set that stores the value
 * only while the lease still holds that token. Application writes and invalidations delete the
 * lease with the value, so a slow loader cannot overwrite them.
 *
 * <h2>Failures</h2>
 * Every call goes through a Resilience4j {@link CircuitBreaker} with a short time limit (an open
 * breaker refuses at once; a call over the limit counts as a breaker failure and its commands are
 * cancelled). Every failure is reported once through {@link TierEvents}, which counts it by kind
 * and logs at a bounded rate; this class logs none itself. A failed read completes with a miss (or
 * {@link Lease#none()}); a write that was not applied completes exceptionally, so the cache knows
 * Redis may still hold an older value and repairs it later. A stored value that cannot be decoded
 * is deleted and reported as {@link RemoteErrorKind#DECODE}. A value the codec cannot encode fails
 * an application {@code putAll} with an {@link IllegalArgumentException} naming the key; one over
 * {@link Builder#maxValueBytes} is not stored, its key is cleared, and it is reported as
 * {@link RemoteErrorKind#ENCODE}.
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
  /** Default time limit of one Redis call (a batch counts as one call). */
  public static final Duration DEFAULT_TIMEOUT = Duration.ofMillis(200);
  /** Default size limit of one stored entry, envelope included: 1 MiB. */
  public static final int DEFAULT_MAX_VALUE_BYTES = 1 << 20;
  /** Default compression threshold: {@code 0}, compression off. */
  public static final int DEFAULT_COMPRESS_ABOVE = 0;
  /** Default life of a fill lease: longer than any sane load, short enough to recover from a crash. */
  public static final Duration DEFAULT_LEASE_TTL = Duration.ofSeconds(10);
  /** The default breaker of a cache is called this plus the cache name. */
  public static final String CIRCUIT_BREAKER_NAME_PREFIX = "tiered-cache-";
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

  /** A registry configuration of this name, if present, is used for breakers it creates. */
  static final String REGISTRY_CONFIGURATION = "tiered-cache";
  private static final int SCAN_COUNT = 1000;
  /** A call that must first wait for the connection to be made gets at least this long. */
  static final Duration CONNECT_GRACE = Duration.ofSeconds(2);
  private static final int MAX_DESCRIBED_KEY = 120;

  /** Stores the value only while the lease holds this caller's token, then releases the lease. */
  private static final byte[] FILL_SCRIPT = (
      "if redis.call('GET', KEYS[2]) == ARGV[1] then "
      + "redis.call('SET', KEYS[1], ARGV[2], 'PX', ARGV[3]) "
      + "redis.call('DEL', KEYS[2]) "
      + "return 1 end "
      + "return 0").getBytes(US_ASCII);
  /** Releases the lease only if it still holds this caller's token. */
  private static final byte[] RELEASE_SCRIPT = (
      "if redis.call('GET', KEYS[1]) == ARGV[1] then "
      + "return redis.call('DEL', KEYS[1]) end "
      + "return 0").getBytes(US_ASCII);
  private static final String FILL_SHA = sha1(FILL_SCRIPT);
  private static final String RELEASE_SHA = sha1(RELEASE_SCRIPT);

  private final String cacheName;
  private final KeyCodec<K> keyCodec;
  private final TierEvents events;
  private final KeyLayout layout;
  private final Envelope<V> envelope;
  private final CircuitBreaker breaker;
  private final SharedConnection connection;
  private final long timeoutNanos;
  private final long connectGraceNanos;
  private final int maxValueBytes;
  private final long leaseTtlMillis;
  private final AtomicBoolean closed = new AtomicBoolean();

  private RedisTier(Settings<V> settings, TierContext<K> context) {
    this.cacheName = context.cacheName();
    this.keyCodec = context.keyCodec();
    this.events = context.events();
    this.layout = new KeyLayout(settings.keyPrefix(), cacheName);
    this.envelope = new Envelope<>(settings.codec(), settings.compressAbove(), settings.maxValueBytes());
    this.breaker = settings.breakerFor(CIRCUIT_BREAKER_NAME_PREFIX + cacheName);
    this.timeoutNanos = settings.timeout().toNanos();
    this.connectGraceNanos = Math.max(timeoutNanos, CONNECT_GRACE.toNanos());
    this.maxValueBytes = settings.maxValueBytes();
    this.leaseTtlMillis = settings.leaseTtl().toMillis();
    this.connection = settings.client() != null
        ? SharedConnection.shared(settings.client())
        : ownedConnection(settings.redisUri(), settings.timeout());
  }

  /**
   * Starts building a tier over {@code client}, which you own: tiers share one connection per
   * client, and closing a tier never closes the client.
   */
  public static Builder<Object> builder(RedisClient client) {
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
    return breaker;
  }

  @Override
  public CompletableFuture<RemoteEntry<V>> get(K key) {
    KeyLayout.Keys keys;
    try {
      keys = keysOf(key);
    } catch (RuntimeException e) {
      return CompletableFuture.failedFuture(e);
    }
    return call(batch -> batch.add(batch.redis().get(keys.value())))
        .handle((bytes, failure) -> {
          if (failure != null) {
            report(failure);
            return RemoteEntry.<V>miss();
          }
          return bytes == null ? RemoteEntry.<V>miss() : decodeOrDrop(keys.value(), bytes);
        });
  }

  @Override
  public CompletableFuture<Map<K, RemoteEntry<V>>> getAll(Collection<? extends K> keys) {
    var lookup = new LinkedHashMap<K, byte[]>();
    try {
      for (K key : keys) {
        if (!lookup.containsKey(key)) {
          lookup.put(key, keysOf(key).value());
        }
      }
    } catch (RuntimeException e) {
      return CompletableFuture.failedFuture(e);
    }
    if (lookup.isEmpty()) {
      return CompletableFuture.completedFuture(new HashMap<>());
    }
    List<K> order = new ArrayList<>(lookup.keySet());
    byte[][] valueKeys = lookup.values().toArray(new byte[0][]);
    return call(batch -> batch.add(batch.redis().mget(valueKeys)))
        .handle((values, failure) -> {
          Map<K, RemoteEntry<V>> found = new HashMap<>();
          if (failure != null) {
            report(failure);
            return found;
          }
          List<byte[]> garbage = null;
          for (int i = 0; i < order.size() && i < values.size(); i++) {
            KeyValue<byte[], byte[]> stored = values.get(i);
            if (stored == null || !stored.hasValue()) {
              continue;
            }
            try {
              found.put(order.get(i), envelope.decode(stored.getValue()));
            } catch (Envelope.DecodeException e) {
              report(RemoteErrorKind.DECODE, undecodable(valueKeys[i], e));
              garbage = garbage == null ? new ArrayList<>() : garbage;
              garbage.add(valueKeys[i]);
            }
          }
          if (garbage != null) {
            drop(garbage);
          }
          return found;
        });
  }

  /**
   * {@inheritDoc}
   *
   * <p>Each entry is written with {@code SET .. PX ttl} after deleting the key's lease (so an older
   * load can no longer fill it); an entry that is too big, a {@link RemoteEntry.Kind#MISS} or a
   * non-positive TTL deletes the key instead, so no older value outlives the write. If the codec
   * cannot encode a value, that key is deleted, the others are written, and the future fails with
   * an {@link IllegalArgumentException} naming the key.
   */
  @Override
  public CompletableFuture<Void> putAll(Map<? extends K, RemoteEntry<V>> entries) {
    if (entries.isEmpty()) {
      return CompletableFuture.completedFuture(null);
    }
    var commands = new ArrayList<Function<Batch, CompletableFuture<?>>>(entries.size());
    IllegalArgumentException refused = null;
    try {
      for (Map.Entry<? extends K, RemoteEntry<V>> e : entries.entrySet()) {
        String encodedKey = keyCodec.encode(Objects.requireNonNull(e.getKey(), "key"));
        KeyLayout.Keys keys = layout.keys(encodedKey);
        RemoteEntry<V> entry = e.getValue();
        if (entry == null || !entry.isHit() || entry.ttlMillis() <= 0) {
          commands.add(batch -> batch.add(batch.redis().unlink(keys.value(), keys.lease())));
          continue;
        }
        byte[] bytes;
        try {
          bytes = envelope.encode(entry);
        } catch (Envelope.EncodeException failure) {
          var error = new IllegalArgumentException("cache '" + cacheName + "': cannot store the value of key '"
              + abbreviate(encodedKey) + "' in Redis: " + failure.getMessage()
              + (failure.getCause() == null ? "" : ": " + failure.getCause()), failure.getCause());
          if (refused == null) {
            refused = error;
          } else {
            refused.addSuppressed(error);
          }
          commands.add(batch -> batch.add(batch.redis().unlink(keys.value(), keys.lease())));
          continue;
        }
        if (bytes.length > maxValueBytes) {
          report(RemoteErrorKind.ENCODE, oversized(encodedKey, bytes.length));
          commands.add(batch -> batch.add(batch.redis().unlink(keys.value(), keys.lease())));
          continue;
        }
        long ttl = entry.ttlMillis();
        commands.add(batch -> {
          // Lease first: a fill that runs between the two commands finds no lease and is refused.
          batch.add(batch.redis().unlink(keys.lease()));
          return batch.add(batch.redis().set(keys.value(), bytes, SetArgs.Builder.px(ttl)));
        });
      }
    } catch (RuntimeException e) {
      return CompletableFuture.failedFuture(e);
    }
    CompletableFuture<Void> written = pipeline(commands);
    if (refused == null) {
      return written;
    }
    IllegalArgumentException error = refused;
    return written.thenCompose(ignored -> CompletableFuture.failedFuture(error));
  }

  @Override
  public CompletableFuture<Void> invalidate(Collection<? extends K> keys) {
    var commands = new ArrayList<Function<Batch, CompletableFuture<?>>>(keys.size());
    try {
      for (K key : keys) {
        KeyLayout.Keys both = keysOf(key);
        commands.add(batch -> batch.add(batch.redis().unlink(both.value(), both.lease())));
      }
    } catch (RuntimeException e) {
      return CompletableFuture.failedFuture(e);
    }
    return commands.isEmpty() ? CompletableFuture.completedFuture(null) : pipeline(commands);
  }

  /**
   * {@inheritDoc}
   *
   * <p>Walks this cache's keys (values and leases) with {@code SCAN MATCH <prefix>:<cache>:*}, one
   * step at a time, each step and its {@code UNLINK}s being one call with the usual time limit. A
   * key written while the walk runs may survive it.
   */
  @Override
  public CompletableFuture<Void> invalidateAll() {
    ScanArgs args = ScanArgs.Builder.matches(layout.scanPattern()).limit(SCAN_COUNT);
    return scanAndUnlink(ScanCursor.INITIAL, args)
        .whenComplete((ignored, failure) -> {
          if (failure != null) {
            report(failure);
          }
        });
  }

  private CompletableFuture<Void> scanAndUnlink(ScanCursor cursor, ScanArgs args) {
    CompletableFuture<KeyScanCursor<byte[]>> step = call(batch -> batch.add(batch.redis().scan(cursor, args)));
    return step.thenCompose(found -> {
      CompletableFuture<?> unlinked = found.getKeys().isEmpty()
          ? CompletableFuture.completedFuture(null)
          : call(batch -> {
            var replies = new ArrayList<CompletableFuture<?>>();
            // One UNLINK per hash tag: a value and its lease together, never across cluster slots.
            for (List<byte[]> group : byHashTag(found.getKeys())) {
              replies.add(batch.add(batch.redis().unlink(group.toArray(new byte[0][]))));
            }
            return CompletableFuture.allOf(replies.toArray(CompletableFuture<?>[]::new));
          });
      return unlinked.thenCompose(done -> found.isFinished()
          ? CompletableFuture.completedFuture(null)
          : scanAndUnlink(found, args));
    });
  }

  /**
   * {@inheritDoc}
   *
   * <p>One pipelined {@code SET <lease> <random token> NX PX <leaseTtl>} per key. A key whose
   * command failed gets {@link Lease#none()}.
   */
  @Override
  public CompletableFuture<Map<K, Lease>> acquireLeases(Collection<? extends K> keys) {
    var requests = new LinkedHashMap<K, KeyLayout.Keys>();
    try {
      for (K key : keys) {
        if (!requests.containsKey(key)) {
          requests.put(key, keysOf(key));
        }
      }
    } catch (RuntimeException e) {
      return CompletableFuture.failedFuture(e);
    }
    Map<K, Lease> leases = new HashMap<>();
    if (requests.isEmpty()) {
      return CompletableFuture.completedFuture(leases);
    }
    List<K> order = new ArrayList<>(requests.keySet());
    List<String> tokens = new ArrayList<>(order.size());
    var commands = new ArrayList<Function<Batch, CompletableFuture<?>>>(order.size());
    SetArgs args = SetArgs.Builder.nx().px(leaseTtlMillis);
    for (K key : order) {
      String token = newToken();
      tokens.add(token);
      byte[] lease = requests.get(key).lease();
      commands.add(batch -> batch.add(batch.redis().set(lease, token.getBytes(US_ASCII), args)));
    }
    return callPipeline(commands).handle((replies, failure) -> {
      Throwable partial = failure;
      for (int i = 0; i < order.size(); i++) {
        Reply reply = replies == null ? null : replies.get(i);
        Lease lease;
        if (reply == null || reply.failure() != null) {
          lease = Lease.none();
          partial = partial == null && reply != null ? reply.failure() : partial;
        } else {
          lease = "OK".equals(reply.value()) ? Lease.acquired(tokens.get(i)) : Lease.heldElsewhere();
        }
        leases.put(order.get(i), lease);
      }
      if (partial != null) {
        report(partial);
      }
      return leases;
    });
  }

  /**
   * {@inheritDoc}
   *
   * <p>Per key, pipelined: with an {@link Lease.State#ACQUIRED acquired} lease a Lua
   * compare-and-set ({@code EVALSHA}, {@code EVAL} on {@code NOSCRIPT}); with {@link Lease#none()}
   * a plain {@code SET .. PX}; with {@link Lease#heldElsewhere()} a {@code SET .. NX PX}, which
   * stores only if the holder has not filled yet.
   *
   * <p>The result holds the value entries that were stored, less those <em>fenced</em> (the lease
   * was lost to a write or an invalidation, or, held elsewhere, another value is already there)
   * and those whose command failed. One exception: a value the codec cannot encode or that is over
   * {@link Builder#maxValueBytes} is not stored (reported as {@link RemoteErrorKind#ENCODE}, its
   * lease released) yet stays in the result, because nothing newer is known to exist and L1 may
   * still keep it. A {@link RemoteEntry#miss() miss} entry only releases its lease. If the whole
   * call fails, the future completes exceptionally.
   */
  @Override
  public CompletableFuture<Set<K>> fill(Map<K, LeasedEntry<V>> fills) {
    Set<K> kept = new HashSet<>();
    var owners = new ArrayList<K>(fills.size()); // per command: the key it fills, or null for a release
    var commands = new ArrayList<Function<Batch, CompletableFuture<?>>>(fills.size());
    try {
      for (Map.Entry<K, LeasedEntry<V>> e : fills.entrySet()) {
        String encodedKey = keyCodec.encode(Objects.requireNonNull(e.getKey(), "key"));
        KeyLayout.Keys keys = layout.keys(encodedKey);
        Lease lease = e.getValue().lease();
        RemoteEntry<V> entry = e.getValue().entry();
        byte[] bytes = null;
        if (entry.isHit() && entry.ttlMillis() > 0) {
          kept.add(e.getKey());
          try {
            bytes = envelope.encode(entry);
            if (bytes.length > maxValueBytes) {
              report(RemoteErrorKind.ENCODE, oversized(encodedKey, bytes.length));
              bytes = null;
            }
          } catch (Envelope.EncodeException failure) {
            report(RemoteErrorKind.ENCODE, new Envelope.EncodeException("cache '" + cacheName
                + "': cannot store the loaded value of key '" + abbreviate(encodedKey) + "': "
                + failure.getMessage(), failure.getCause()));
          }
        }
        if (bytes == null) {
          if (lease.state() == Lease.State.ACQUIRED) {
            byte[] token = lease.token().getBytes(UTF_8);
            commands.add(batch -> script(batch, RELEASE_SHA, RELEASE_SCRIPT, new byte[][] {keys.lease()}, token));
            owners.add(null);
          }
          continue;
        }
        byte[] ttl = Long.toString(entry.ttlMillis()).getBytes(US_ASCII);
        byte[] value = bytes;
        owners.add(e.getKey());
        switch (lease.state()) {
          case ACQUIRED -> {
            byte[] token = lease.token().getBytes(UTF_8);
            byte[][] both = {keys.value(), keys.lease()};
            commands.add(batch -> script(batch, FILL_SHA, FILL_SCRIPT, both, token, value, ttl)
                .thenApply(stored -> Long.valueOf(1L).equals(stored)));
          }
          case HELD_ELSEWHERE -> commands.add(batch -> batch.add(batch.redis()
              .set(keys.value(), value, SetArgs.Builder.nx().px(entry.ttlMillis())))
              .thenApply("OK"::equals));
          case NONE -> commands.add(batch -> batch.add(batch.redis()
              .set(keys.value(), value, SetArgs.Builder.px(entry.ttlMillis())))
              .thenApply(reply -> true));
        }
      }
    } catch (RuntimeException e) {
      return CompletableFuture.failedFuture(e);
    }
    if (commands.isEmpty()) {
      return CompletableFuture.completedFuture(kept);
    }
    return callPipeline(commands).whenComplete((replies, failure) -> {
      if (failure != null) {
        report(failure);
      }
    }).thenApply(replies -> {
      Throwable partial = null;
      for (int i = 0; i < replies.size(); i++) {
        Reply reply = replies.get(i);
        K owner = owners.get(i);
        if (reply.failure() != null) {
          partial = partial == null ? reply.failure() : partial;
          if (owner != null) {
            kept.remove(owner); // unknown whether it was stored: do not vouch for it
          }
        } else if (owner != null && Boolean.FALSE.equals(reply.value())) {
          kept.remove(owner);
        }
      }
      if (partial != null) {
        report(partial);
      }
      return kept;
    });
  }

  @Override
  public void close() {
    if (closed.compareAndSet(false, true)) {
      connection.release();
    }
  }

  @Override
  public String toString() {
    return "RedisTier[" + layout.cacheSegment() + ", breaker " + breaker.getName() + " " + breaker.getState() + "]";
  }

  // ------------------------------------------------------------------ calls

  /**
   * Runs one Redis call through the breaker with the time limit: refused at once when the breaker
   * is open; a call that times out is recorded as a breaker failure and its commands are cancelled,
   * so a command still buffered by Lettuce is never sent late.
   */
  private <T> CompletableFuture<T> call(Function<Batch, CompletableFuture<T>> op) {
    if (closed.get()) {
      return CompletableFuture.failedFuture(new IllegalStateException("the Redis tier of cache '" + cacheName + "' is closed"));
    }
    if (!breaker.tryAcquirePermission()) {
      return CompletableFuture.failedFuture(CallNotPermittedException.createCallNotPermittedException(breaker));
    }
    long start = breaker.getCurrentTimestamp();
    // Only a freshly created tier waits for its first connection; after that, the plain limit.
    long limitNanos = connection.ready() ? timeoutNanos : connectGraceNanos;
    var batch = new Batch();
    CompletableFuture<T> result;
    try {
      result = connection.with(redis -> op.apply(batch.bind(redis)));
    } catch (RuntimeException e) {
      result = CompletableFuture.failedFuture(e);
    }
    var limited = new CompletableFuture<T>();
    result.whenComplete((value, failure) -> {
      if (failure == null) {
        limited.complete(value);
      } else {
        limited.completeExceptionally(Failures.unwrap(failure));
      }
    });
    limited.orTimeout(limitNanos, TimeUnit.NANOSECONDS);
    return limited.whenComplete((value, failure) -> {
      long elapsed = breaker.getCurrentTimestamp() - start;
      if (failure == null) {
        breaker.onResult(elapsed, breaker.getTimestampUnit(), value);
      } else {
        batch.cancel();
        breaker.onError(elapsed, breaker.getTimestampUnit(), Failures.unwrap(failure));
      }
    });
  }

  /**
   * Issues {@code commands} back to back on the connection (a pipeline: nobody waits per key) and
   * settles each reply. The call fails only if every command failed; otherwise each reply says
   * how it went.
   */
  private CompletableFuture<List<Reply>> callPipeline(List<Function<Batch, CompletableFuture<?>>> commands) {
    return call(batch -> {
      var replies = new ArrayList<CompletableFuture<Reply>>(commands.size());
      for (Function<Batch, CompletableFuture<?>> command : commands) {
        CompletableFuture<?> issued;
        try {
          issued = command.apply(batch);
        } catch (RuntimeException e) {
          issued = CompletableFuture.failedFuture(e);
        }
        replies.add(issued.handle((value, failure) -> new Reply(value, failure == null ? null : Failures.unwrap(failure))));
      }
      return CompletableFuture.allOf(replies.toArray(CompletableFuture<?>[]::new)).thenApply(done -> {
        var settled = new ArrayList<Reply>(replies.size());
        for (CompletableFuture<Reply> reply : replies) {
          settled.add(reply.join());
        }
        if (!settled.isEmpty() && settled.stream().allMatch(reply -> reply.failure() != null)) {
          throw new CompletionException(settled.get(0).failure());
        }
        return settled;
      });
    });
  }

  /**
   * A write pipeline: completes normally only if every command was applied; otherwise reports the
   * failure and completes exceptionally with it (the core then repairs those keys later).
   */
  private CompletableFuture<Void> pipeline(List<Function<Batch, CompletableFuture<?>>> commands) {
    return callPipeline(commands).thenApply(replies -> {
      for (Reply reply : replies) {
        if (reply.failure() != null) {
          throw new CompletionException(reply.failure());
        }
      }
      return (Void) null;
    }).whenComplete((ignored, failure) -> {
      if (failure != null) {
        report(failure);
      }
    });
  }

  /** {@code EVALSHA}, falling back to {@code EVAL} (which also caches the script) on {@code NOSCRIPT}. */
  private static CompletableFuture<Long> script(Batch batch, String sha, byte[] script, byte[][] keys, byte[]... args) {
    return batch.add(batch.redis().<Long>evalsha(sha, ScriptOutputType.INTEGER, keys, args))
        .exceptionallyCompose(failure -> isNoScript(failure)
            ? batch.add(batch.redis().<Long>eval(script, ScriptOutputType.INTEGER, keys, args))
            : CompletableFuture.failedFuture(failure));
  }

  private static boolean isNoScript(Throwable failure) {
    Throwable t = Failures.unwrap(failure);
    return t instanceof RedisNoScriptException
        || (t.getMessage() != null && t.getMessage().startsWith("NOSCRIPT"));
  }

  // ------------------------------------------------------------------ helpers

  private KeyLayout.Keys keysOf(K key) {
    return layout.keys(keyCodec.encode(Objects.requireNonNull(key, "key")));
  }

  private RemoteEntry<V> decodeOrDrop(byte[] valueKey, byte[] bytes) {
    try {
      return envelope.decode(bytes);
    } catch (Envelope.DecodeException e) {
      report(RemoteErrorKind.DECODE, undecodable(valueKey, e));
      drop(List.of(valueKey));
      return RemoteEntry.miss();
    }
  }

  /** Deletes undecodable entries, fire-and-forget (through the breaker like every call). */
  private void drop(List<byte[]> valueKeys) {
    var commands = new ArrayList<Function<Batch, CompletableFuture<?>>>(valueKeys.size());
    for (byte[] valueKey : valueKeys) {
      commands.add(batch -> batch.add(batch.redis().unlink(valueKey)));
    }
    pipeline(commands);
  }

  private void report(Throwable failure) {
    Throwable cause = Failures.unwrap(failure);
    report(Failures.classify(cause), cause);
  }

  private void report(RemoteErrorKind kind, Throwable cause) {
    try {
      events.remoteError(kind, cause);
    } catch (RuntimeException ignored) {
      // A broken listener must not turn an absorbed failure into a thrown one.
    }
  }

  private Envelope.DecodeException undecodable(byte[] valueKey, Envelope.DecodeException cause) {
    return new Envelope.DecodeException("cache '" + cacheName + "': deleted the undecodable entry at "
        + describe(valueKey) + ": " + cause.getMessage(), cause.getCause());
  }

  private Envelope.EncodeException oversized(String encodedKey, int size) {
    return new Envelope.EncodeException("cache '" + cacheName + "': value of key '" + abbreviate(encodedKey)
        + "' not stored: " + size + " bytes is over maxValueBytes " + maxValueBytes, null);
  }

  private static String describe(byte[] key) {
    String text = new String(key, UTF_8);
    return "'" + abbreviate(text) + "'";
  }

  private static String abbreviate(String text) {
    return text.length() <= MAX_DESCRIBED_KEY ? text : text.substring(0, MAX_DESCRIBED_KEY) + "...(" + text.length() + " chars)";
  }

  private static List<List<byte[]>> byHashTag(List<byte[]> keys) {
    var groups = new LinkedHashMap<String, List<byte[]>>();
    for (byte[] key : keys) {
      groups.computeIfAbsent(hashTag(key), tag -> new ArrayList<>(2)).add(key);
    }
    return new ArrayList<>(groups.values());
  }

  private static String hashTag(byte[] key) {
    int open = -1;
    for (int i = 0; i < key.length; i++) {
      if (key[i] == '{' && open < 0) {
        open = i;
      } else if (key[i] == '}' && open >= 0) {
        return new String(key, open + 1, i - open - 1, US_ASCII);
      }
    }
    return new String(key, UTF_8); // not ours: a group of its own
  }

  private static String newToken() {
    var random = ThreadLocalRandom.current();
    return HexFormat.of().toHexDigits(random.nextLong()) + HexFormat.of().toHexDigits(random.nextLong());
  }

  private static String sha1(byte[] script) {
    try {
      return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-1").digest(script));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("every Java platform has SHA-1", e);
    }
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

  /** The commands of one call, kept so that they can be cancelled if the call times out. */
  private static final class Batch {
    private final ConcurrentLinkedQueue<RedisFuture<?>> issued = new ConcurrentLinkedQueue<>();
    private volatile RedisAsyncCommands<byte[], byte[]> redis;
    private volatile boolean cancelled;

    Batch bind(RedisAsyncCommands<byte[], byte[]> commands) {
      this.redis = commands;
      return this;
    }

    RedisAsyncCommands<byte[], byte[]> redis() {
      return redis;
    }

    <T> CompletableFuture<T> add(RedisFuture<T> command) {
      issued.add(command);
      if (cancelled) {
        command.cancel(false);
      }
      return command.toCompletableFuture();
    }

    void cancel() {
      cancelled = true;
      for (RedisFuture<?> command : issued) {
        if (!command.isDone()) {
          command.cancel(false);
        }
      }
    }
  }

  /** How one command of a pipeline went. */
  private record Reply(Object value, Throwable failure) {}

  /** What a {@link Builder} fixed; shared by every tier its factory creates. */
  private record Settings<V>(
      RedisClient client, String redisUri, ValueCodec<V> codec, String keyPrefix, Duration timeout,
      CircuitBreaker circuitBreaker, CircuitBreakerRegistry registry, int maxValueBytes, int compressAbove,
      Duration leaseTtl) {

    CircuitBreaker breakerFor(String name) {
      if (circuitBreaker != null) {
        return circuitBreaker;
      }
      if (registry != null) {
        CircuitBreakerConfig config = registry.getConfiguration(name)
            .or(() -> registry.getConfiguration(REGISTRY_CONFIGURATION))
            .orElse(DEFAULT_CIRCUIT_BREAKER_CONFIG);
        return registry.circuitBreaker(name, config);
      }
      return CircuitBreaker.of(name, DEFAULT_CIRCUIT_BREAKER_CONFIG);
    }
  }

  /**
   * Configures a {@link RedisTier}; {@link #build()} returns the factory that
   * {@link io.tieredcache.TieredCacheBuilder#remoteTier} takes. A value type or codec is required.
   * Not thread-safe; the factory it builds is.
   *
   * @param <V> value type
   */
  public static final class Builder<V> {
    private final RedisClient client;
    private final String redisUri;
    private ValueCodec<?> codec;
    private String keyPrefix = DEFAULT_KEY_PREFIX;
    private Duration timeout = DEFAULT_TIMEOUT;
    private CircuitBreaker circuitBreaker;
    private CircuitBreakerRegistry circuitBreakerRegistry;
    private int maxValueBytes = DEFAULT_MAX_VALUE_BYTES;
    private int compressAbove = DEFAULT_COMPRESS_ABOVE;
    private Duration leaseTtl = DEFAULT_LEASE_TTL;

    private Builder(RedisClient client, String redisUri) {
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

    /** How long a fill lease lives if its holder never fills. Default 10 s. */
    public Builder<V> leaseTtl(Duration leaseTtl) {
      Objects.requireNonNull(leaseTtl, "leaseTtl");
      if (leaseTtl.toMillis() < 1) {
        throw new IllegalArgumentException("leaseTtl must be at least 1 ms, was " + leaseTtl);
      }
      this.leaseTtl = leaseTtl;
      return this;
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
      var settings = new Settings<>(client, redisUri, (ValueCodec<V>) codec, keyPrefix, timeout,
          circuitBreaker, circuitBreakerRegistry, maxValueBytes, compressAbove, leaseTtl);
      return context -> new RedisTier<>(settings, Objects.requireNonNull(context, "context"));
    }
  }
}
