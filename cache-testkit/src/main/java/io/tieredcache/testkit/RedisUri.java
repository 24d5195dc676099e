package io.tieredcache.testkit;

import java.net.URI;
import java.net.URISyntaxException;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.Locale;

/** The parts of a {@code redis://} or {@code rediss://} URI that the admin client needs. */
record RedisUri(String text, String host, int port, boolean ssl, String user, String password, int database) {

  static final int DEFAULT_PORT = 6379;

  static RedisUri of(String host, int port) {
    return new RedisUri("redis://" + host + ":" + port, host, port, false, null, null, 0);
  }

  /** Parses {@code redis[s]://[[user]:password@]host[:port][/database]}. */
  static RedisUri parse(String text) {
    if (text == null || text.isBlank()) {
      throw new IllegalArgumentException("empty Redis URI");
    }
    String trimmed = text.trim();
    URI uri;
    try {
      uri = new URI(trimmed);
    } catch (URISyntaxException e) {
      throw new IllegalArgumentException("not a Redis URI: " + trimmed, e);
    }
    String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
    if (!scheme.equals("redis") && !scheme.equals("rediss")) {
      throw new IllegalArgumentException("not a redis:// or rediss:// URI: " + trimmed);
    }
    String host = uri.getHost();
    if (host == null || host.isEmpty()) {
      throw new IllegalArgumentException("Redis URI without a host: " + trimmed);
    }
    if (host.startsWith("[") && host.endsWith("]")) {
      host = host.substring(1, host.length() - 1);
    }
    int port = uri.getPort() < 0 ? DEFAULT_PORT : uri.getPort();
    String user = null;
    String password = null;
    String userInfo = uri.getRawUserInfo();
    if (userInfo != null && !userInfo.isEmpty()) {
      int colon = userInfo.indexOf(':');
      if (colon < 0) {
        password = decode(userInfo);   // redis://secret@host, as Lettuce reads it
      } else {
        user = colon == 0 ? null : decode(userInfo.substring(0, colon));
        password = decode(userInfo.substring(colon + 1));
      }
    }
    int database = 0;
    String path = uri.getPath();
    if (path != null && path.length() > 1) {
      try {
        database = Integer.parseInt(path.substring(1));
      } catch (NumberFormatException e) {
        throw new IllegalArgumentException("bad database number in Redis URI: " + trimmed, e);
      }
    }
    return new RedisUri(trimmed, host, port, scheme.equals("rediss"), user, password, database);
  }

  /** Percent-decoding only: unlike {@code URLDecoder}, a {@code +} stays a {@code +}. */
  private static String decode(String s) {
    return URLDecoder.decode(s.replace("+", "%2B"), StandardCharsets.UTF_8);
  }

  @Override
  public String toString() {
    // Never print a password.
    return (ssl ? "rediss://" : "redis://") + (password != null ? "***@" : "") + host + ":" + port
        + (database != 0 ? "/" + database : "");
  }
}
