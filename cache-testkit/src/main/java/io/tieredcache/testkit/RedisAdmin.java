package io.tieredcache.testkit;

import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.ByteArrayOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import javax.net.ssl.SSLSocketFactory;

/**
 * A tiny blocking Redis client over a plain {@link Socket}, for test control only (flush, pause
 * clients, kill connections, read command statistics, plant raw bytes). It has no Lettuce
 * dependency, so a test can steer Redis without going through the code under test.
 *
 * <p>It speaks RESP2. Replies map to {@code String} (simple and bulk strings, decoded as UTF-8),
 * {@code Long}, {@code List<Object>} or {@code null}; an error reply (anywhere in the reply) is
 * thrown as {@link RedisAdminException} once the whole reply has been read, so the connection
 * stays usable. An I/O failure throws {@link UncheckedIOException} and drops the connection; the
 * next command reconnects (useful after the server restarted). Calls are bounded by a connect
 * timeout of {@value #CONNECT_TIMEOUT_MILLIS} ms and a read timeout of {@value #READ_TIMEOUT_MILLIS} ms.
 * Thread-safe (one command at a time). Obtain one from {@link RedisServer#admin()} and close it.
 */
public final class RedisAdmin implements AutoCloseable {

  static final int CONNECT_TIMEOUT_MILLIS = 2_000;
  static final int READ_TIMEOUT_MILLIS = 10_000;
  private static final byte[] CRLF = {'\r', '\n'};

  private final RedisUri uri;
  private Socket socket;
  private InputStream in;
  private OutputStream out;
  private boolean closed;

  RedisAdmin(RedisUri uri) {
    this.uri = Objects.requireNonNull(uri, "uri");
    connect();
  }

  /**
   * Sends one command and returns its reply.
   *
   * @throws RedisAdminException on an error reply
   * @throws UncheckedIOException when the connection fails
   */
  public Object command(String... args) {
    return decodeStrings(commandRaw(toBytes(args)));
  }

  /** {@code PING}; returns {@code "PONG"}. */
  public String ping() {
    return (String) command("PING");
  }

  /** {@code FLUSHALL}: empties every database. */
  public void flushAll() {
    command("FLUSHALL");
  }

  /**
   * {@code CLIENT PAUSE <ms> ALL}: every client's commands wait until the pause ends, which looks
   * to the code under test like a stalled Redis. Returns at once, but this connection's next
   * command waits too (Redis cannot be unpaused early from a paused client). Keep pauses well
   * under the {@value #READ_TIMEOUT_MILLIS} ms read timeout.
   */
  public void pauseClients(Duration duration) {
    long millis = Math.max(1, duration.toMillis());
    command("CLIENT", "PAUSE", Long.toString(millis), "ALL");
  }

  /**
   * {@code CLIENT KILL TYPE <type>} ({@code normal}, {@code pubsub}, {@code replica} or
   * {@code master}); never kills this admin connection. Returns how many connections were closed.
   */
  public long killClients(String type) {
    return (Long) command("CLIENT", "KILL", "TYPE", type);
  }

  /**
   * Calls per command since start or the last {@link #resetStats()}, from {@code INFO
   * commandstats}: lower-case command name ({@code "get"}, {@code "mget"}, {@code "evalsha"};
   * subcommands as {@code "client|kill"}) to number of calls. Commands never called are absent.
   */
  public Map<String, Long> commandCalls() {
    Map<String, Long> calls = new LinkedHashMap<>();
    for (String line : info("commandstats").split("\r?\n")) {
      if (!line.startsWith("cmdstat_")) {
        continue;
      }
      int colon = line.indexOf(':');
      if (colon < 0) {
        continue;
      }
      String name = line.substring("cmdstat_".length(), colon).toLowerCase(Locale.ROOT);
      for (String field : line.substring(colon + 1).split(",")) {
        if (field.startsWith("calls=")) {
          calls.put(name, Long.parseLong(field.substring("calls=".length()).trim()));
        }
      }
    }
    return Collections.unmodifiableMap(calls);
  }

  /** {@code CONFIG RESETSTAT}: zeroes the counters behind {@link #commandCalls()}. */
  public void resetStats() {
    command("CONFIG", "RESETSTAT");
  }

  /** {@code INFO <section>} as text. */
  public String info(String section) {
    return (String) command("INFO", section);
  }

  /** {@code CONFIG GET <name>}; {@code null} when no such parameter exists. */
  public String configGet(String name) {
    List<?> reply = (List<?>) command("CONFIG", "GET", name);
    if (reply == null || reply.size() < 2) {
      return null;
    }
    for (int i = 0; i + 1 < reply.size(); i += 2) {
      if (name.equalsIgnoreCase(String.valueOf(reply.get(i)))) {
        return (String) reply.get(i + 1);
      }
    }
    return (String) reply.get(1);
  }

  /** {@code CONFIG SET <name> <value>}. */
  public void configSet(String name, String value) {
    command("CONFIG", "SET", name, value);
  }

  /** {@code GET} returning the exact bytes stored (binary-safe); {@code null} when absent. */
  public byte[] getBytes(String key) {
    return (byte[]) commandRaw(toBytes("GET", key));
  }

  /** {@code SET} with the exact bytes given (binary-safe). */
  public void setBytes(String key, byte[] value) {
    commandRaw(new byte[][] {bytes("SET"), bytes(key), Objects.requireNonNull(value, "value")});
  }

  /**
   * Every key matching the glob pattern, by iterating {@code SCAN} (never {@code KEYS}, which
   * blocks the server). Each key once; order unspecified.
   */
  public List<String> scan(String pattern) {
    Set<String> keys = new LinkedHashSet<>();
    String cursor = "0";
    do {
      List<?> reply = (List<?>) command("SCAN", cursor, "MATCH", pattern, "COUNT", "1000");
      cursor = (String) reply.get(0);
      for (Object key : (List<?>) reply.get(1)) {
        keys.add((String) key);
      }
    } while (!cursor.equals("0"));
    return List.copyOf(keys);
  }

  /** Closes the connection; idempotent. */
  @Override
  public synchronized void close() {
    closed = true;
    disconnect();
  }

  @Override
  public String toString() {
    return "RedisAdmin[" + uri + "]";
  }

  // ---- protocol -----------------------------------------------------------------------------

  /** Sends a command of raw arguments; bulk replies stay {@code byte[]}. */
  synchronized Object commandRaw(byte[][] args) {
    if (closed) {
      throw new IllegalStateException("RedisAdmin is closed");
    }
    if (socket == null) {
      connect();
    }
    try {
      write(args);
      out.flush();
      RedisAdminException[] firstError = new RedisAdminException[1];
      Object reply = read(firstError);
      if (firstError[0] != null) {
        throw firstError[0];
      }
      return reply;
    } catch (IOException e) {
      disconnect();
      throw new UncheckedIOException("Redis admin connection to " + uri + " failed: " + e.getMessage(), e);
    }
  }

  private void connect() {
    Socket s = null;
    try {
      s = uri.ssl() ? SSLSocketFactory.getDefault().createSocket() : new Socket();
      s.setTcpNoDelay(true);
      s.setSoTimeout(READ_TIMEOUT_MILLIS);
      s.connect(new InetSocketAddress(uri.host(), uri.port()), CONNECT_TIMEOUT_MILLIS);
      socket = s;
      in = new BufferedInputStream(s.getInputStream());
      out = new BufferedOutputStream(s.getOutputStream());
    } catch (IOException e) {
      closeQuietly(s);
      socket = null;
      throw new UncheckedIOException("cannot connect to Redis at " + uri + ": " + e.getMessage(), e);
    }
    if (uri.password() != null) {
      commandRaw(uri.user() == null
          ? toBytes("AUTH", uri.password())
          : toBytes("AUTH", uri.user(), uri.password()));
    }
    if (uri.database() != 0) {
      commandRaw(toBytes("SELECT", Integer.toString(uri.database())));
    }
  }

  private void disconnect() {
    closeQuietly(socket);
    socket = null;
    in = null;
    out = null;
  }

  private static void closeQuietly(Socket s) {
    if (s != null) {
      try {
        s.close();
      } catch (IOException ignored) {
        // nothing to do: the socket is gone either way
      }
    }
  }

  private void write(byte[][] args) throws IOException {
    out.write('*');
    out.write(bytes(Integer.toString(args.length)));
    out.write(CRLF);
    for (byte[] arg : args) {
      out.write('$');
      out.write(bytes(Integer.toString(arg.length)));
      out.write(CRLF);
      out.write(arg);
      out.write(CRLF);
    }
  }

  private Object read(RedisAdminException[] firstError) throws IOException {
    int type = in.read();
    if (type < 0) {
      throw new EOFException("connection closed by Redis");
    }
    switch (type) {
      case '+':
        return readLine();
      case '-': {
        RedisAdminException error = new RedisAdminException(readLine());
        if (firstError[0] == null) {
          firstError[0] = error;
        }
        return error;
      }
      case ':':
        return Long.parseLong(readLine());
      case '$': {
        int length = Integer.parseInt(readLine());
        if (length < 0) {
          return null;
        }
        byte[] data = in.readNBytes(length);
        if (data.length < length || in.read() != '\r' || in.read() != '\n') {
          throw new EOFException("truncated bulk reply");
        }
        return data;
      }
      case '*': {
        int count = Integer.parseInt(readLine());
        if (count < 0) {
          return null;
        }
        List<Object> items = new ArrayList<>(count);
        for (int i = 0; i < count; i++) {
          items.add(read(firstError));
        }
        return items;
      }
      default:
        // RESP3 or garbage: the stream position is unknown, so the connection cannot be reused.
        throw new IOException("unsupported reply type '" + (char) type + "' (only RESP2 is spoken)");
    }
  }

  private String readLine() throws IOException {
    ByteArrayOutputStream line = new ByteArrayOutputStream(32);
    while (true) {
      int b = in.read();
      if (b < 0) {
        throw new EOFException("connection closed by Redis");
      }
      if (b == '\r') {
        if (in.read() != '\n') {
          throw new IOException("malformed reply line");
        }
        return line.toString(StandardCharsets.UTF_8);
      }
      line.write(b);
    }
  }

  private static Object decodeStrings(Object reply) {
    if (reply instanceof byte[]) {
      return new String((byte[]) reply, StandardCharsets.UTF_8);
    }
    if (reply instanceof List) {
      List<?> raw = (List<?>) reply;
      List<Object> decoded = new ArrayList<>(raw.size());
      for (Object item : raw) {
        decoded.add(decodeStrings(item));
      }
      return decoded;
    }
    return reply;
  }

  private static byte[][] toBytes(String... args) {
    byte[][] result = new byte[args.length][];
    for (int i = 0; i < args.length; i++) {
      result[i] = bytes(Objects.requireNonNull(args[i], "command argument"));
    }
    return result;
  }

  private static byte[] bytes(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }
}
