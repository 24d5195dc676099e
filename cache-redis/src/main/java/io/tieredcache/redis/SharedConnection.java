package io.tieredcache.redis;

import io.lettuce.core.ReadFrom;
import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisURI;
import io.lettuce.core.AbstractRedisClient;
import io.lettuce.core.api.StatefulConnection;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.cluster.RedisClusterClient;
import io.lettuce.core.cluster.api.StatefulRedisClusterConnection;
import io.lettuce.core.cluster.api.async.RedisClusterAsyncCommands;
import io.lettuce.core.codec.ByteArrayCodec;
import io.lettuce.core.resource.ClientResources;
import java.lang.System.Logger.Level;
import java.time.Duration;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.Map;
import java.util.Set;
import java.util.WeakHashMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.BooleanSupplier;
import java.util.function.Function;
import java.util.function.Supplier;

/**
 * The one {@code byte[]} connection that all tiers on the same {@link RedisClient} share, counted
 * by reference: the first tier opens it, the last one to close closes it. Lettuce connections are
 * thread-safe and pipeline concurrent commands, so one per client is enough.
 *
 * <p>Connecting never blocks a caller: commands issued while the connection is being made wait for
 * it (within their own time limit). If the first attempt fails, the next command after
 * {@link #RETRY_INTERVAL} tries again. Once connected, a dropped connection is replaced by a fresh
 * one as soon as Redis accepts one (tried every {@link #FAST_RETRY_INTERVAL} while commands come),
 * instead of waiting for Lettuce's own reconnect back-off.
 */
final class SharedConnection {

  static final Duration RETRY_INTERVAL = Duration.ofSeconds(1);
  /** A cluster client is asked to re-read the topology at most this often, after failed commands. */
  static final Duration TOPOLOGY_REFRESH_INTERVAL = Duration.ofSeconds(1);
  /** While an established connection is down, a fresh one is tried this often. */
  static final Duration FAST_RETRY_INTERVAL = Duration.ofMillis(250);
  private static final Duration CHECK_TIMEOUT = Duration.ofSeconds(2);
  private static final System.Logger LOG = System.getLogger(RedisTier.class.getName());
  private static final Map<AbstractRedisClient, SharedConnection> SHARED = new IdentityHashMap<>();
  /** Clients and owned URIs whose eviction policy was already checked: one warning each per JVM. */
  private static final Set<AbstractRedisClient> CHECKED_CLIENTS = Collections.newSetFromMap(
      Collections.synchronizedMap(new WeakHashMap<>()));
  private static final Set<String> CHECKED_URIS = ConcurrentHashMap.newKeySet();
  /** Connections for reads from replicas, one per cluster client and {@link ReadFrom}; guarded by SHARED. */
  private static final Map<ReplicaReads, SharedConnection> SHARED_REPLICA_READS = new java.util.HashMap<>();

  /** Which replica-read connection: a client (compared by identity, as it does itself) and where to read. */
  private record ReplicaReads(AbstractRedisClient client, ReadFrom readFrom) {}

  private final AbstractRedisClient client;
  private final ClientResources ownedResources;
  private final boolean ownsClient;
  private final Supplier<CompletableFuture<StatefulConnection<byte[], byte[]>>> connector;
  private final Object lock = new Object();
  private int references; // guarded by SHARED
  /** Set for a connection of {@link #replicaReads}, the key it is shared under. */
  private ReplicaReads replicaKey; // guarded by SHARED
  private volatile CompletableFuture<StatefulConnection<byte[], byte[]>> connection;
  private volatile long lastAttemptNanos;
  private volatile boolean closed;
  /** A fresh connection being made while the current one is down; guarded by lock. */
  private CompletableFuture<StatefulConnection<byte[], byte[]>> replacement;

  private final BooleanSupplier firstCheck;
  /** When this connection last asked a cluster client to re-read the topology. */
  private final AtomicLong lastTopologyRefreshNanos = new AtomicLong(System.nanoTime() - TOPOLOGY_REFRESH_INTERVAL.toNanos());

  private SharedConnection(AbstractRedisClient client, boolean ownsClient, ClientResources ownedResources,
      Supplier<CompletableFuture<StatefulConnection<byte[], byte[]>>> connector, BooleanSupplier firstCheck) {
    this.client = client;
    this.firstCheck = firstCheck;
    this.ownsClient = ownsClient;
    this.ownedResources = ownedResources;
    this.connector = connector;
    this.connection = connect();
  }

  /** The connection shared by every tier on {@code client}, which the caller owns and closes. */
  static SharedConnection shared(AbstractRedisClient client) {
    synchronized (SHARED) {
      SharedConnection shared = SHARED.get(client);
      if (shared == null) {
        shared = new SharedConnection(client, false, null, () -> connectInBackground(client),
            () -> CHECKED_CLIENTS.add(client));
        SHARED.put(client, shared);
      }
      shared.references++;
      return shared;
    }
  }

  /**
   * A second cluster connection, shared by every tier on {@code client} that reads values from
   * {@code readFrom}: Lettuce sends its read-only commands ({@code GET}, {@code MGET}) where
   * {@code readFrom} says. Only value reads use it; every other command stays on {@link #shared}.
   */
  static SharedConnection replicaReads(RedisClusterClient client, ReadFrom readFrom) {
    var key = new ReplicaReads(client, readFrom);
    synchronized (SHARED) {
      SharedConnection shared = SHARED_REPLICA_READS.get(key);
      if (shared == null) {
        shared = new SharedConnection(client, false, null,
            () -> connectInBackground(client).thenApply(open -> {
              ((StatefulRedisClusterConnection<byte[], byte[]>) open).setReadFrom(readFrom);
              return open;
            }),
            () -> false); // the primary connection checks the eviction policy
        shared.replicaKey = key;
        SHARED_REPLICA_READS.put(key, shared);
      }
      shared.references++;
      return shared;
    }
  }

  /** A connection through a client (and resources) that this object owns and shuts down on release. */
  static SharedConnection owned(RedisClient client, ClientResources resources, RedisURI uri) {
    var owned = new SharedConnection(client, true, resources,
        () -> client.connectAsync(ByteArrayCodec.INSTANCE, uri).toCompletableFuture().thenApply(open -> open),
        () -> CHECKED_URIS.add(uri.getHost() + ":" + uri.getPort() + "/" + uri.getDatabase()));
    owned.references = 1;
    return owned;
  }

  /** Whether the connection has been made (Lettuce may still be reconnecting it). */
  boolean ready() {
    CompletableFuture<StatefulConnection<byte[], byte[]>> current = connection;
    return current.isDone() && !current.isCompletedExceptionally();
  }

  /** The commands of a standalone (or Sentinel) or a Cluster connection; both speak them. */
  static RedisClusterAsyncCommands<byte[], byte[]> commandsOf(StatefulConnection<byte[], byte[]> connection) {
    return connection instanceof StatefulRedisClusterConnection<byte[], byte[]> cluster
        ? cluster.async() : ((StatefulRedisConnection<byte[], byte[]>) connection).async();
  }

  /** Runs {@code op} on the connection now, or as soon as it is made. */
  <T> CompletableFuture<T> with(Function<RedisClusterAsyncCommands<byte[], byte[]>, CompletableFuture<T>> op) {
    CompletableFuture<StatefulConnection<byte[], byte[]>> current = connection;
    if (current.isDone() && !current.isCompletedExceptionally()) {
      StatefulConnection<byte[], byte[]> open = current.join();
      if (!open.isOpen()) {
        CompletableFuture<StatefulConnection<byte[], byte[]>> fresh = replaceIfDue(current);
        if (fresh != null) {
          // Wait for the fresh connection (within the caller's limit) rather than fail on the
          // dropped one: a breaker's trial call then finds Redis if it is back.
          return fresh.thenCompose(replacement -> op.apply(commandsOf(replacement)));
        }
      }
      return op.apply(commandsOf(open));
    }
    if (current.isCompletedExceptionally()) {
      current = reconnectIfDue(current);
    }
    return current.thenCompose(open -> op.apply(commandsOf(open)));
  }

  /**
   * A command failed in a way that a stale cluster topology explains (the node it went to is gone,
   * refuses connections, or says {@code CLUSTERDOWN}): on a {@link RedisClusterClient}, re-read
   * the topology now, at most once per {@link #TOPOLOGY_REFRESH_INTERVAL}. Lettuce refreshes by
   * itself on redirects and on a connection that keeps reconnecting, but not when connecting to a
   * dead node keeps failing, and its periodic refresh is off by default: without this, a tier whose
   * primary was killed would keep sending that shard's commands to the dead node after its replica
   * had been promoted. Never blocks; a failed refresh is retried on the next failure.
   */
  void topologySuspect() {
    if (!(client instanceof RedisClusterClient cluster) || closed) {
      return;
    }
    long last = lastTopologyRefreshNanos.get();
    long now = System.nanoTime();
    if (now - last < TOPOLOGY_REFRESH_INTERVAL.toNanos() || !lastTopologyRefreshNanos.compareAndSet(last, now)) {
      return;
    }
    try {
      cluster.refreshPartitionsAsync().whenComplete((done, failure) -> {
        if (failure != null) {
          LOG.log(Level.DEBUG, "could not re-read the Redis Cluster topology: " + Failures.unwrap(failure));
        }
      });
    } catch (RuntimeException e) {
      LOG.log(Level.DEBUG, "could not re-read the Redis Cluster topology: " + e);
    }
  }

  /** Drops one reference; the last one closes the connection (and the client, if owned). */
  void release() {
    if (!ownsClient) {
      synchronized (SHARED) {
        if (--references > 0) {
          return;
        }
        if (replicaKey != null) {
          SHARED_REPLICA_READS.remove(replicaKey, this);
        } else {
          SHARED.remove(client, this);
        }
      }
    }
    CompletableFuture<StatefulConnection<byte[], byte[]>> current;
    synchronized (lock) {
      closed = true; // no replacement is installed after this
      current = connection;
    }
    CompletableFuture<Void> closing = current
        .thenCompose(open -> open.closeAsync())
        .exceptionally(e -> null);
    if (ownsClient) {
      closing = closing
          .thenCompose(ignored -> client.shutdownAsync(0, 2, TimeUnit.SECONDS))
          .exceptionally(e -> null)
          .thenCompose(ignored -> shutdown(ownedResources))
          .exceptionally(e -> null);
    }
    // Bounded wait, so that the caller can shut its client down right after (Lettuce warns about
    // closing a connection twice) and an owned client's threads are gone when close() returns.
    try {
      closing.get(ownsClient ? 3 : 1, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } catch (Exception e) {
      LOG.log(Level.DEBUG, "closing the Redis connection did not finish in time", e);
    }
  }

  private static CompletableFuture<Void> shutdown(ClientResources resources) {
    var done = new CompletableFuture<Void>();
    if (resources == null) {
      done.complete(null);
    } else {
      resources.shutdown(0, 2, TimeUnit.SECONDS).addListener(future -> done.complete(null));
    }
    return done;
  }

  /**
   * Lettuce reconnects a dropped connection by itself, but with a growing back-off (seconds after
   * a long outage). While the connection is down, a fresh one is tried every
   * {@link #FAST_RETRY_INTERVAL} on the side; the first that opens replaces it, so the tiers use
   * Redis again within a fraction of a second of its return.
   */
  private CompletableFuture<StatefulConnection<byte[], byte[]>> replaceIfDue(
      CompletableFuture<StatefulConnection<byte[], byte[]>> down) {
    CompletableFuture<StatefulConnection<byte[], byte[]>> attempt;
    synchronized (lock) {
      if (connection != down || closed) {
        return null;
      }
      if (replacement != null) {
        return replacement;
      }
      if (System.nanoTime() - lastAttemptNanos < FAST_RETRY_INTERVAL.toNanos()) {
        return null;
      }
      lastAttemptNanos = System.nanoTime();
      try {
        attempt = connector.get();
      } catch (RuntimeException e) {
        attempt = CompletableFuture.failedFuture(e);
      }
      replacement = attempt;
    }
    attempt.whenComplete((fresh, failure) -> {
      boolean swapped = false;
      synchronized (lock) {
        replacement = null;
        if (failure == null && connection == down && !closed) {
          connection = CompletableFuture.completedFuture(fresh);
          swapped = true;
        }
      }
      if (swapped) {
        down.join().closeAsync();
        LOG.log(Level.DEBUG, "replaced a dropped Redis connection");
      } else if (fresh != null) {
        fresh.closeAsync();
      }
    });
    return attempt;
  }

  private CompletableFuture<StatefulConnection<byte[], byte[]>> reconnectIfDue(
      CompletableFuture<StatefulConnection<byte[], byte[]>> failed) {
    synchronized (lock) {
      if (connection != failed || closed || System.nanoTime() - lastAttemptNanos < RETRY_INTERVAL.toNanos()) {
        return connection;
      }
      connection = connect();
      return connection;
    }
  }

  private CompletableFuture<StatefulConnection<byte[], byte[]>> connect() {
    lastAttemptNanos = System.nanoTime();
    CompletableFuture<StatefulConnection<byte[], byte[]>> attempt;
    try {
      attempt = connector.get();
    } catch (RuntimeException e) {
      attempt = CompletableFuture.failedFuture(e);
    }
    attempt.thenAccept(open -> {
      if (closed) {
        open.closeAsync();
      } else if (firstCheck.getAsBoolean()) {
        checkEvictionPolicy(open);
      }
    });
    return attempt;
  }

  /**
   * Warns once per client (or per URI of an owned client) if Redis would refuse writes when full instead of evicting: a cache needs an
   * eviction policy. Managed services often disable CONFIG; that is fine and logged at DEBUG.
   */
  private static void checkEvictionPolicy(StatefulConnection<byte[], byte[]> open) {
    commandsOf(open).configGet("maxmemory-policy").toCompletableFuture()
        .orTimeout(CHECK_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS)
        .whenComplete((config, failure) -> {
          if (failure != null) {
            LOG.log(Level.DEBUG, "could not read maxmemory-policy (CONFIG may be disabled on a managed Redis): "
                + Failures.unwrap(failure));
            return;
          }
          String policy = config == null ? null : config.get("maxmemory-policy");
          if ("noeviction".equalsIgnoreCase(policy)) {
            LOG.log(Level.WARNING, "Redis has maxmemory-policy=noeviction: once it reaches maxmemory it will refuse cache writes "
                + "instead of evicting old entries. For a cache, set an eviction policy such as "
                + "'CONFIG SET maxmemory-policy allkeys-lru' (or volatile-lru, allkeys-lfu).");
          } else {
            LOG.log(Level.DEBUG, "Redis maxmemory-policy is " + policy);
          }
        });
  }

  /**
   * {@link RedisClient#connect} blocks up to the client's connect timeout, and the client's own
   * URI is not public, so the first connection is made on a short-lived daemon thread.
   */
  private static CompletableFuture<StatefulConnection<byte[], byte[]>> connectInBackground(AbstractRedisClient client) {
    var result = new CompletableFuture<StatefulConnection<byte[], byte[]>>();
    var thread = new Thread(() -> {
      try {
        result.complete(client instanceof RedisClusterClient cluster
            ? cluster.connect(ByteArrayCodec.INSTANCE) : ((RedisClient) client).connect(ByteArrayCodec.INSTANCE));
      } catch (Throwable e) {
        result.completeExceptionally(e);
      }
    }, "tiered-cache-redis-connect");
    thread.setDaemon(true);
    thread.start();
    return result;
  }
}
