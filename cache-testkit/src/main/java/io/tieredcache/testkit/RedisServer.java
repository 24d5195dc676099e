package io.tieredcache.testkit;

import java.lang.System.Logger.Level;
import java.util.Locale;
import java.util.List;
import java.util.Objects;
import java.util.function.Function;

/**
 * A Redis a test can use: an external one named by the environment, a Testcontainers container,
 * or a local {@code redis-server} process that this JVM started and owns.
 *
 * <p>{@link #resolve()} picks the first that works, in that order; {@link #startLocal()} always
 * starts a local process. Only a local process is {@link #controllable()}: a fault test can
 * {@link #stop()}, {@link #start()} and {@link #restart()} it (always on the same port, so clients
 * can reconnect). Local processes listen on a free loopback port (never 6379), keep nothing on
 * disk, log to a file in their own temporary directory, and are stopped by a JVM shutdown hook if
 * a test forgets to {@link #close()} them.
 *
 * <p>Environment variables: {@value #URI_ENV} (an external Redis, e.g. {@code redis://host:6379/0}),
 * {@code TIEREDCACHE_REDIS_SERVER} (path to redis-server), {@code TIEREDCACHE_REDIS_DOCKER=false}
 * (never try containers), {@code TIEREDCACHE_REDIS_IMAGE} (container image, default
 * {@code redis:7.0-alpine}).
 *
 * <p>Thread-safe.
 */
public final class RedisServer implements AutoCloseable {

  /** Environment variable naming an external Redis to use instead of starting one. */
  public static final String URI_ENV = "TIEREDCACHE_REDIS_URI";

  private static final System.Logger LOG = System.getLogger(RedisServer.class.getName());

  private enum Kind { EXTERNAL, CONTAINER, LOCAL }

  private final Kind kind;
  private final RedisUri uri;
  private final LocalRedisProcess local;                  // LOCAL only
  private final ContainerSupport.Handle container;        // CONTAINER only
  /** Set by {@link RedisExtension} for its shared server: tests may not stop or close it. */
  private final boolean shared;
  private boolean closed;

  private RedisServer(Kind kind, RedisUri uri, LocalRedisProcess local, ContainerSupport.Handle container,
      boolean shared) {
    this.kind = kind;
    this.uri = uri;
    this.local = local;
    this.container = container;
    this.shared = shared;
  }

  /**
   * The Redis for this environment: {@value #URI_ENV} if set (external, not controllable), else a
   * Testcontainers container if that library is present and a Docker engine answers, else
   * {@link #startLocal()}.
   */
  public static RedisServer resolve() {
    return resolve(System::getenv);
  }

  static RedisServer resolve(Function<String, String> env) {
    return resolve(env, false);
  }

  static RedisServer resolve(Function<String, String> env, boolean shared) {
    String external = env.apply(URI_ENV);
    if (external != null && !external.isBlank()) {
      RedisUri uri;
      try {
        uri = RedisUri.parse(external);
      } catch (IllegalArgumentException e) {
        throw new IllegalArgumentException(URI_ENV + " is not a usable Redis URI: " + e.getMessage(), e);
      }
      return new RedisServer(Kind.EXTERNAL, uri, null, null, shared);
    }
    ContainerSupport.Handle handle = ContainerSupport.tryStart(env);
    if (handle != null) {
      return new RedisServer(Kind.CONTAINER, RedisUri.of(handle.host(), handle.port()), null, handle, shared);
    }
    return startLocal(env, shared);
  }

  /**
   * Starts a {@code redis-server} (from {@code TIEREDCACHE_REDIS_SERVER} or the {@code PATH}) on a
   * free loopback port, with no persistence, and waits until it answers PING.
   *
   * @throws IllegalStateException if redis-server is missing or does not start in time (the message
   *     carries the end of its log)
   */
  public static RedisServer startLocal() {
    return startLocal(System::getenv, false);
  }

  /**
   * As {@link #startLocal()}, with more {@code redis-server} options (e.g. {@code --tls-port}); the
   * plain port stays open for {@link #admin()}.
   */
  public static RedisServer startLocal(List<String> extraArgs) {
    LocalRedisProcess process = LocalRedisProcess.launch(System::getenv, extraArgs);
    LOG.log(Level.DEBUG, "started {0}", process);
    return new RedisServer(Kind.LOCAL, RedisUri.of(LocalRedisProcess.HOST, process.port()), process, null, false);
  }

  /** A free loopback port, e.g. for a {@code --tls-port} given to {@link #startLocal(List)}. */
  public static int freePort() {
    return LocalRedisProcess.freePort();
  }

  static RedisServer startLocal(Function<String, String> env, boolean shared) {
    LocalRedisProcess process = LocalRedisProcess.launch(env);
    LOG.log(Level.DEBUG, "started {0}", process);
    return new RedisServer(Kind.LOCAL, RedisUri.of(LocalRedisProcess.HOST, process.port()), process, null, shared);
  }

  /** The host to connect to. */
  public String host() {
    return uri.host();
  }

  /** The port to connect to; for a local process it never changes across restarts. */
  public int port() {
    return uri.port();
  }

  /**
   * A URI Lettuce understands: {@code redis://127.0.0.1:<port>} for a local process or container,
   * the configured URI (credentials and database included) for an external Redis.
   */
  public String uri() {
    return uri.text();
  }

  /**
   * Whether a test may {@link #stop()}, {@link #start()} and {@link #restart()} this server: true
   * only for a local process this JVM started and that is not {@link RedisExtension}'s shared
   * server. Fault tests use {@link IsolatedRedis} to get one.
   */
  public boolean controllable() {
    return kind == Kind.LOCAL && !shared;
  }

  /**
   * Stops the local process (SIGTERM, SIGKILL if it lingers) and waits until it has exited; the
   * port then refuses connections. Does nothing if already stopped.
   *
   * @throws UnsupportedOperationException if this server is not {@link #controllable()}
   */
  public synchronized void stop() {
    requireControllable("stop");
    local.stop();
  }

  /**
   * Starts the local process again on the same port and waits until it answers PING. The data is
   * gone (nothing is persisted). Does nothing if it is running.
   *
   * @throws UnsupportedOperationException if this server is not {@link #controllable()}
   */
  public synchronized void start() {
    requireControllable("start");
    local.start();
  }

  /**
   * Kills the local process with SIGKILL, as a crash would, and waits until it has exited; its
   * temporary directory stays for a later {@link #start()}. For fixtures of this package (a
   * cluster node that dies without a clean shutdown).
   */
  synchronized void kill() {
    requireControllable("kill");
    local.kill();
  }

  /** {@link #stop()} then {@link #start()}. */
  public synchronized void restart() {
    stop();
    start();
  }

  /**
   * For a local process: whether it is alive. Otherwise: whether it answers PING within a couple
   * of seconds.
   */
  public boolean isRunning() {
    synchronized (this) {
      if (closed) {
        return false;
      }
      if (kind == Kind.LOCAL) {
        return local.isAlive();
      }
    }
    try (RedisAdmin admin = new RedisAdmin(uri)) {
      return "PONG".equals(admin.ping());
    } catch (RuntimeException e) {
      return false;
    }
  }

  /**
   * A new admin connection to this server; the caller closes it.
   *
   * @throws java.io.UncheckedIOException if the server does not accept the connection
   */
  public RedisAdmin admin() {
    return new RedisAdmin(uri);
  }

  /**
   * Stops a local process and deletes its temporary directory, or stops a container; leaves an
   * external Redis alone. Idempotent. Ignored on {@link RedisExtension}'s shared server, which
   * JUnit closes when the test run ends.
   */
  @Override
  public void close() {
    if (!shared) {
      shutdown();
    }
  }

  /** Really closes, whoever owns this server. */
  synchronized void shutdown() {
    if (closed) {
      return;
    }
    closed = true;
    if (kind == Kind.LOCAL) {
      local.destroy();
    } else if (kind == Kind.CONTAINER) {
      ContainerSupport.stopQuietly(container);
    }
  }

  /** The local process, for tests of this package; {@code null} unless local. */
  LocalRedisProcess localProcess() {
    return local;
  }

  @Override
  public String toString() {
    String what = kind == Kind.LOCAL ? "local, " + local : kind.name().toLowerCase(Locale.ROOT);
    return "RedisServer[" + uri + ", " + what + (shared ? ", shared" : "") + "]";
  }

  private void requireControllable(String action) {
    if (closed) {
      throw new IllegalStateException("cannot " + action + " " + this + ": it is closed");
    }
    if (!controllable()) {
      throw new UnsupportedOperationException("cannot " + action + " " + this + ": only a local redis-server"
          + " this test owns is controllable; annotate the test class with @IsolatedRedis or use startLocal()");
    }
    Objects.requireNonNull(local);
  }
}
