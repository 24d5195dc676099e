package io.tieredcache.testkit;

import java.io.IOException;
import java.io.InputStream;
import java.lang.System.Logger.Level;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.FutureTask;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Function;

/**
 * Starts Redis in a Testcontainers container when, and only when, that can work: no reference to
 * a Testcontainers type lives here (they sit in {@link TestcontainersRedis}, loaded only after
 * checking the library is present), nothing is probed when no Docker socket or host is configured,
 * and the probe and the start run on a daemon thread with a deadline. Any failure means
 * "no container": the caller falls through to a local redis-server.
 */
final class ContainerSupport {

  /** Set to {@code false} to never try Docker. */
  static final String DOCKER_ENV = "TIEREDCACHE_REDIS_DOCKER";
  /** The image to run; defaults to {@link #DEFAULT_IMAGE}. */
  static final String IMAGE_ENV = "TIEREDCACHE_REDIS_IMAGE";
  static final String DEFAULT_IMAGE = "redis:7.0-alpine";
  static final Duration PROBE_TIMEOUT = Duration.ofSeconds(5);
  static final Duration START_TIMEOUT = Duration.ofSeconds(120);
  private static final String PROBE_CLASS = "org.testcontainers.DockerClientFactory";
  private static final System.Logger LOG = System.getLogger(ContainerSupport.class.getName());

  /** A started container, free of Testcontainers types. */
  record Handle(String host, int port, AutoCloseable stopper) { }

  private ContainerSupport() { }

  /** A running container, or {@code null} when Docker is not there or anything goes wrong. */
  static Handle tryStart(Function<String, String> env) {
    if ("false".equalsIgnoreCase(trim(env.apply(DOCKER_ENV)))) {
      return null;
    }
    if (!dockerEndpointConfigured(env)) {
      LOG.log(Level.DEBUG, "no Docker socket or DOCKER_HOST: not trying Testcontainers");
      return null;
    }
    if (!testcontainersOnClasspath()) {
      LOG.log(Level.DEBUG, "Testcontainers is not on the classpath");
      return null;
    }
    String image = trim(env.apply(IMAGE_ENV));
    String chosen = image == null || image.isEmpty() ? DEFAULT_IMAGE : image;
    try {
      if (!Boolean.TRUE.equals(within(PROBE_TIMEOUT, "docker-probe", TestcontainersRedis::dockerAvailable, null))) {
        LOG.log(Level.DEBUG, "Docker does not answer: not using Testcontainers");
        return null;
      }
      return within(START_TIMEOUT, "container-start", () -> TestcontainersRedis.start(chosen), ContainerSupport::stopQuietly);
    } catch (Exception | LinkageError e) {
      LOG.log(Level.DEBUG, "Testcontainers could not start Redis; falling back to a local redis-server", e);
      return null;
    }
  }

  static boolean testcontainersOnClasspath() {
    try {
      Class.forName(PROBE_CLASS, false, ContainerSupport.class.getClassLoader());
      return true;
    } catch (ClassNotFoundException | LinkageError e) {
      return false;
    }
  }

  /** Whether DOCKER_HOST, ~/.testcontainers.properties or a usual Docker socket file is there. */
  static boolean dockerEndpointConfigured(Function<String, String> env) {
    String dockerHost = trim(env.apply("DOCKER_HOST"));
    if (dockerHost != null && !dockerHost.isEmpty()) {
      return endpointExists(dockerHost);
    }
    String home = trim(env.apply("HOME"));
    if (home == null || home.isEmpty()) {
      home = System.getProperty("user.home", "");
    }
    Path tcProperties = Paths.get(home, ".testcontainers.properties");
    if (Files.isRegularFile(tcProperties)) {
      Properties properties = new Properties();
      try (InputStream in = Files.newInputStream(tcProperties)) {
        properties.load(in);
        String configured = trim(properties.getProperty("docker.host"));
        if (configured != null && !configured.isEmpty() && endpointExists(configured)) {
          return true;
        }
      } catch (IOException | IllegalArgumentException ignored) {
        // unreadable: ignore it, as if absent
      }
    }
    List<Path> sockets = new ArrayList<>(List.of(
        Paths.get("/var/run/docker.sock"),
        Paths.get("/run/docker.sock"),
        Paths.get(home, ".docker", "run", "docker.sock"),
        Paths.get(home, ".docker", "desktop", "docker.sock"),
        Paths.get(home, ".colima", "default", "docker.sock"),
        Paths.get(home, ".rd", "docker.sock"),
        Paths.get(home, ".orbstack", "run", "docker.sock")));
    String runtimeDir = trim(env.apply("XDG_RUNTIME_DIR"));
    if (runtimeDir != null && !runtimeDir.isEmpty()) {
      sockets.add(Paths.get(runtimeDir, "docker.sock"));
    }
    return sockets.stream().anyMatch(Files::exists);
  }

  private static boolean endpointExists(String endpoint) {
    if (endpoint.startsWith("unix://")) {
      return Files.exists(Paths.get(endpoint.substring("unix://".length())));
    }
    return true;   // tcp://, npipe:// ...: only the probe can tell
  }

  /**
   * Runs the task on a daemon thread and waits at most {@code timeout}. If the task finishes after
   * the caller gave up, {@code onLate} disposes of its result.
   */
  private static <T> T within(Duration timeout, String name, Callable<T> task, java.util.function.Consumer<T> onLate)
      throws Exception {
    AtomicBoolean abandoned = new AtomicBoolean();
    FutureTask<T> future = new FutureTask<>(() -> {
      T result = task.call();
      if (abandoned.get() && onLate != null && result != null) {
        onLate.accept(result);
      }
      return result;
    });
    Thread thread = new Thread(future, "tiered-cache-redis-" + name);
    thread.setDaemon(true);
    thread.start();
    try {
      return future.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
    } catch (TimeoutException e) {
      abandoned.set(true);
      future.cancel(true);
      throw e;
    } catch (ExecutionException e) {
      Throwable cause = e.getCause();
      if (cause instanceof Exception) {
        throw (Exception) cause;
      }
      if (cause instanceof LinkageError) {
        throw (LinkageError) cause;
      }
      throw e;
    }
  }

  static void stopQuietly(Handle handle) {
    try {
      handle.stopper().close();
    } catch (Exception | LinkageError e) {
      LOG.log(Level.DEBUG, "could not stop the Redis container", e);
    }
  }

  private static String trim(String s) {
    return s == null ? null : s.trim();
  }
}
