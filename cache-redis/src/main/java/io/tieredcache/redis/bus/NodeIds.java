package io.tieredcache.redis.bus;

import java.security.SecureRandom;

/** Node ids and incarnations: unique without coordination, readable in logs and CLIENT LIST. */
final class NodeIds {

  private static final SecureRandom RANDOM = new SecureRandom();

  private NodeIds() {}

  /**
   * {@code <host>-<pid>-<random>}, e.g. {@code web-3-41233-k2x9q0zd1m}; the host comes from the
   * {@code HOSTNAME} or {@code COMPUTERNAME} variable (never a DNS lookup) and is left out when
   * neither is set. Only {@code [A-Za-z0-9._-]}.
   */
  static String generate() {
    String host = System.getenv("HOSTNAME");
    if (host == null || host.isBlank()) {
      host = System.getenv("COMPUTERNAME");
    }
    String random = Long.toString(RANDOM.nextLong() & Long.MAX_VALUE, 36);
    String pid = Long.toString(ProcessHandle.current().pid());
    String id = (host == null || host.isBlank() ? "" : sanitize(host) + "-") + pid + "-" + random;
    return id.length() > 120 ? id.substring(id.length() - 120) : id;
  }

  /** A random number that tells two runs of a bus with the same node id apart. */
  static long incarnation() {
    return RANDOM.nextLong();
  }

  /**
   * The client name of one of the bus's connections: {@code tiered-cache-bus:<node>:<role>}, after
   * the name the user gave the connection, if any, and a colon. Redis accepts it as a client name
   * (no spaces or control characters) as long as the user's name was accepted.
   */
  static String clientName(String userName, String nodeId, String role) {
    return (userName == null || userName.isEmpty() ? "" : userName + ":") + clientNameSuffix(nodeId, role);
  }

  /** What the bus adds after the user's client name. */
  static String clientNameSuffix(String nodeId, String role) {
    return "tiered-cache-bus:" + sanitize(nodeId) + ":" + role;
  }

  static String sanitize(String s) {
    StringBuilder out = new StringBuilder(Math.min(s.length(), 64));
    for (int i = 0; i < s.length() && out.length() < 64; i++) {
      char c = s.charAt(i);
      boolean ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')
          || c == '.' || c == '_' || c == '-';
      out.append(ok ? c : '_');
    }
    return out.length() == 0 ? "node" : out.toString();
  }
}
