package io.tieredcache.testkit;

import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.RandomAccessFile;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import java.util.stream.Stream;

/**
 * One {@code redis-server} child process of this JVM, on a fixed loopback port, with its own
 * temporary directory and log file. Only ever stopped through its own {@link Process} handle.
 * Not thread-safe: {@link RedisServer} serialises calls.
 */
final class LocalRedisProcess {

  static final String HOST = "127.0.0.1";
  static final String SERVER_ENV = "TIEREDCACHE_REDIS_SERVER";
  static final Duration STARTUP_TIMEOUT = Duration.ofSeconds(15);
  static final Duration STOP_TIMEOUT = Duration.ofSeconds(5);
  /** How long {@link #start()} keeps retrying while its fixed port is still held by someone else. */
  static final Duration PORT_BUSY_RETRY = Duration.ofSeconds(5);
  private static final int LAUNCH_ATTEMPTS = 5;
  private static final int RESERVED_PORT = 6379;   // somebody else's Redis may live there
  private static final String LOG_FILE = "redis-server.log";

  /** Every process still running, for the shutdown hook. */
  private static final Set<LocalRedisProcess> LIVE = ConcurrentHashMap.newKeySet();

  static {
    Thread hook = new Thread(LocalRedisProcess::stopAllOnExit, "tiered-cache-redis-shutdown");
    Runtime.getRuntime().addShutdownHook(hook);
  }

  private final Path executable;
  private final Path dir;
  private final int port;
  /** More {@code redis-server} options, e.g. a TLS port and its certificates. */
  private final List<String> extraArgs;
  private volatile Process process;
  /** Where the current run's output starts in the (appended) log. */
  private long logStart;

  private LocalRedisProcess(Path executable, Path dir, int port, List<String> extraArgs) {
    this.executable = executable;
    this.dir = dir;
    this.port = port;
    this.extraArgs = List.copyOf(extraArgs);
  }

  /** Launches a server on a free loopback port, trying another port if the chosen one got taken. */
  static LocalRedisProcess launch(Function<String, String> env) {
    return launch(env, List.of());
  }

  /** As {@link #launch(Function)}, with more {@code redis-server} options. */
  static LocalRedisProcess launch(Function<String, String> env, List<String> extraArgs) {
    Path executable = findExecutable(env);
    Path dir;
    try {
      dir = Files.createTempDirectory("tiered-cache-redis-");
    } catch (IOException e) {
      throw new UncheckedIOException("cannot create a temporary directory for redis-server", e);
    }
    PortInUseException last = null;
    for (int attempt = 0; attempt < LAUNCH_ATTEMPTS; attempt++) {
      LocalRedisProcess candidate = new LocalRedisProcess(executable, dir, freePort(), extraArgs);
      try {
        candidate.startOnce();
        return candidate;
      } catch (PortInUseException e) {
        last = e;   // lost a race for the port: pick another
      } catch (RuntimeException | Error e) {
        deleteRecursively(dir);
        throw e;
      }
    }
    deleteRecursively(dir);
    throw new IllegalStateException("redis-server could not bind a free port in " + LAUNCH_ATTEMPTS
        + " attempts", last);
  }

  int port() {
    return port;
  }

  Path dir() {
    return dir;
  }

  boolean isAlive() {
    return process != null && process.isAlive();
  }

  long pid() {
    return process == null ? -1 : process.pid();
  }

  /** Starts again on the same port; retries for a short while if the port is still busy. */
  void start() {
    if (isAlive()) {
      return;
    }
    long deadline = System.nanoTime() + PORT_BUSY_RETRY.toNanos();
    while (true) {
      try {
        startOnce();
        return;
      } catch (PortInUseException e) {
        if (System.nanoTime() - deadline >= 0) {
          throw new IllegalStateException("port " + port + " is still in use; cannot restart redis-server on it", e);
        }
        pause(Duration.ofMillis(100));
      }
    }
  }

  /** Stops the process (SIGTERM, then SIGKILL after a bound) and waits until it has exited. */
  void stop() {
    Process p = process;
    if (p == null) {
      return;
    }
    try {
      p.descendants().forEach(ProcessHandle::destroy);
      p.destroy();
      if (!waitFor(p, STOP_TIMEOUT)) {
        p.descendants().forEach(ProcessHandle::destroyForcibly);
        p.destroyForcibly();
        if (!waitFor(p, STOP_TIMEOUT)) {
          throw new IllegalStateException("redis-server pid " + p.pid() + " did not exit after SIGKILL");
        }
      }
    } finally {
      if (!p.isAlive()) {
        LIVE.remove(this);
        process = null;
      }
    }
  }

  /**
   * Kills the process at once (SIGKILL: no shutdown, no last words to replicas or clients), as a
   * crashed machine would, and waits until it has exited. The directory stays, so {@link #start()}
   * finds what the server kept there (a cluster node's {@code nodes.conf}).
   */
  void kill() {
    Process p = process;
    if (p == null) {
      return;
    }
    try {
      p.destroyForcibly();
      if (!waitFor(p, STOP_TIMEOUT)) {
        throw new IllegalStateException("redis-server pid " + p.pid() + " did not exit after SIGKILL");
      }
    } finally {
      if (!p.isAlive()) {
        LIVE.remove(this);
        process = null;
      }
    }
  }

  /** Stops the process and deletes the temporary directory. */
  void destroy() {
    try {
      stop();
    } finally {
      deleteRecursively(dir);
    }
  }

  /** The last lines the current run wrote to the server's log, for error messages. */
  String logTail() {
    Path log = dir.resolve(LOG_FILE);
    if (!Files.isRegularFile(log)) {
      return "(no log)";
    }
    try (RandomAccessFile file = new RandomAccessFile(log.toFile(), "r")) {
      long length = file.length();
      int size = (int) Math.min(Math.max(0, length - logStart), 4_096);
      byte[] tail = new byte[size];
      file.seek(length - size);
      file.readFully(tail);
      return new String(tail, StandardCharsets.UTF_8).strip();
    } catch (IOException e) {
      return "(cannot read " + log + ": " + e + ")";
    }
  }

  @Override
  public String toString() {
    return "redis-server pid " + pid() + " on " + HOST + ":" + port;
  }

  // ---- starting -----------------------------------------------------------------------------

  private void startOnce() {
    List<String> command = new java.util.ArrayList<>(List.of(executable.toString()));
    // A configuration file (a Sentinel needs one it can rewrite) must come first.
    if (!extraArgs.isEmpty() && extraArgs.get(0).endsWith(".conf")) {
      command.add(extraArgs.get(0));
    }
    command.addAll(List.of(
        "--port", Integer.toString(port),
        "--bind", HOST,
        "--save", "",
        "--appendonly", "no",
        "--maxmemory-policy", "allkeys-lru",
        "--daemonize", "no",
        "--dir", dir.toString()));
    command.addAll(!extraArgs.isEmpty() && extraArgs.get(0).endsWith(".conf")
        ? extraArgs.subList(1, extraArgs.size()) : extraArgs);
    File log = dir.resolve(LOG_FILE).toFile();
    logStart = log.length();
    ProcessBuilder builder = new ProcessBuilder(command)
        .directory(dir.toFile())
        .redirectErrorStream(true)
        .redirectOutput(ProcessBuilder.Redirect.appendTo(log))
        .redirectInput(ProcessBuilder.Redirect.PIPE);
    Process started;
    try {
      started = builder.start();
    } catch (IOException e) {
      throw new IllegalStateException("cannot run " + executable + ": " + e.getMessage()
          + ". Install redis-server (e.g. apt-get install redis-server) or set " + SERVER_ENV, e);
    }
    process = started;
    LIVE.add(this);
    try {
      awaitReady(started);
    } catch (RuntimeException | Error e) {
      stop();
      throw e;
    }
  }

  /** Polls until our own process answers PING on our port, with a deadline. */
  private void awaitReady(Process started) {
    long deadline = System.nanoTime() + STARTUP_TIMEOUT.toNanos();
    while (true) {
      if (!started.isAlive()) {
        String tail = logTail();
        if (tail.contains("Address already in use")) {
          throw new PortInUseException(port, tail);
        }
        throw new IllegalStateException("redis-server exited with code " + started.exitValue()
            + " while starting on port " + port + "; log " + dir.resolve(LOG_FILE) + " ends with:\n" + tail);
      }
      Long pid = pingAndReadPid(port);
      if (pid != null) {
        if (pid == started.pid()) {
          return;
        }
        // Another Redis answers on "our" port: our process cannot bind it and will exit.
        throw new PortInUseException(port, "another Redis (pid " + pid + ") answers on port " + port);
      }
      if (System.nanoTime() - deadline >= 0) {
        throw new IllegalStateException("redis-server did not answer PING on port " + port + " within "
            + STARTUP_TIMEOUT.toSeconds() + " s; log " + dir.resolve(LOG_FILE) + " ends with:\n" + logTail());
      }
      pause(Duration.ofMillis(25));
    }
  }

  /** The {@code process_id} of the Redis answering on the port, or {@code null} if none answers yet. */
  private static Long pingAndReadPid(int port) {
    try (Socket socket = new Socket()) {
      socket.setSoTimeout(1_000);
      socket.connect(new InetSocketAddress(HOST, port), 250);
      OutputStream out = socket.getOutputStream();
      out.write("*1\r\n$4\r\nPING\r\n*2\r\n$4\r\nINFO\r\n$6\r\nserver\r\n".getBytes(StandardCharsets.US_ASCII));
      out.flush();
      InputStream in = socket.getInputStream();
      String all = readSome(in, 64 * 1024);
      if (!all.startsWith("+PONG")) {
        return null;   // e.g. "-LOADING": not ready yet
      }
      int at = all.indexOf("process_id:");
      while (at < 0 || all.indexOf('\n', at) < 0) {
        String more = readSome(in, 64 * 1024);
        if (more.isEmpty()) {
          return null;
        }
        all += more;
        at = all.indexOf("process_id:");
      }
      int end = all.indexOf('\n', at);
      return Long.parseLong(all.substring(at + "process_id:".length(), end).trim());
    } catch (IOException | RuntimeException e) {
      return null;
    }
  }

  private static String readSome(InputStream in, int max) throws IOException {
    byte[] buffer = new byte[max];
    int n = in.read(buffer);
    return n <= 0 ? "" : new String(buffer, 0, n, StandardCharsets.UTF_8);
  }

  // ---- helpers ------------------------------------------------------------------------------

  /** A port that was free on the loopback interface a moment ago (never 6379). */
  static int freePort() {
    for (int i = 0; i < 10; i++) {
      try (ServerSocket socket = new ServerSocket()) {
        socket.setReuseAddress(false);
        socket.bind(new InetSocketAddress(InetAddress.getByName(HOST), 0));
        int port = socket.getLocalPort();
        if (port != RESERVED_PORT) {
          return port;
        }
      } catch (IOException e) {
        throw new UncheckedIOException("cannot find a free loopback port", e);
      }
    }
    throw new IllegalStateException("cannot find a free loopback port");
  }

  /** Where redis-server often lives even when the {@code PATH} of a test JVM misses it. */
  static final List<String> USUAL_DIRS = List.of("/usr/bin", "/usr/local/bin", "/opt/homebrew/bin", "/usr/sbin");

  static Path findExecutable(Function<String, String> env) {
    return findExecutable(env, USUAL_DIRS);
  }

  /** {@code TIEREDCACHE_REDIS_SERVER} if set, else {@code redis-server} on the {@code PATH} or in a usual directory. */
  static Path findExecutable(Function<String, String> env, List<String> usualDirs) {
    String configured = env.apply(SERVER_ENV);
    if (configured != null && !configured.isBlank()) {
      Path path = Paths.get(configured.trim());
      if (!Files.isExecutable(path)) {
        throw new IllegalStateException(SERVER_ENV + "=" + configured + " is not an executable file."
            + " Point it at redis-server or unset it; install redis-server with e.g. apt-get install redis-server");
      }
      return path;
    }
    List<String> dirs = new ArrayList<>();
    String pathVar = env.apply("PATH");
    if (pathVar != null) {
      dirs.addAll(List.of(pathVar.split(File.pathSeparator)));
    }
    dirs.addAll(usualDirs);
    for (String d : dirs) {
      if (d.isBlank()) {
        continue;
      }
      Path candidate = Paths.get(d, "redis-server");
      if (Files.isRegularFile(candidate) && Files.isExecutable(candidate)) {
        return candidate;
      }
    }
    throw new IllegalStateException("redis-server was not found on the PATH. Install it (apt-get install"
        + " redis-server, or brew install redis), set " + SERVER_ENV + " to its path, or point "
        + RedisServer.URI_ENV + " at a running Redis");
  }

  private static boolean waitFor(Process p, Duration timeout) {
    try {
      return p.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return !p.isAlive();
    }
  }

  private static void pause(Duration duration) {
    try {
      Thread.sleep(duration.toMillis());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while waiting for redis-server", e);
    }
  }

  static void deleteRecursively(Path dir) {
    if (dir == null || !Files.exists(dir)) {
      return;
    }
    try (Stream<Path> paths = Files.walk(dir)) {
      paths.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
    } catch (IOException | UncheckedIOException ignored) {
      // best effort: it is a temporary directory
    }
  }

  private static void stopAllOnExit() {
    for (LocalRedisProcess p : LIVE.toArray(new LocalRedisProcess[0])) {
      Process process = p.process;
      if (process != null) {
        process.destroy();
      }
    }
    for (LocalRedisProcess p : LIVE.toArray(new LocalRedisProcess[0])) {
      Process process = p.process;
      if (process != null && !waitFor(process, Duration.ofSeconds(2))) {
        process.destroyForcibly();
      }
      deleteRecursively(p.dir);
    }
  }

  /** redis-server could not bind its port because something else holds it. */
  static final class PortInUseException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    PortInUseException(int port, String detail) {
      super("port " + port + " is in use: " + detail);
    }
  }
}
