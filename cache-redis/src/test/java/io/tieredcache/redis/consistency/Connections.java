package io.tieredcache.redis.consistency;

import static org.assertj.core.api.Assertions.assertThat;

import io.tieredcache.testkit.RedisAdmin;

/** Finds and cuts one node's bus connection, as a network blip would. */
final class Connections {

  private Connections() {}

  /**
   * Kills the connection on which {@code node} receives invalidations (role {@code subscribe} for
   * pub/sub, {@code read} for streams), found by the client name the bus sets.
   */
  static void killReceiver(RedisAdmin admin, Cluster.Node node, String role) {
    String sanitized = node.bus.nodeId().replaceAll("[^A-Za-z0-9._-]", "_");
    String name = "tiered-cache-bus:" + sanitized.substring(0, Math.min(64, sanitized.length())) + ":" + role;
    String id = null;
    for (String line : ((String) admin.command("CLIENT", "LIST")).split("\n")) {
      if (line.contains(" name=" + name + " ")) {
        id = line.substring("id=".length(), line.indexOf(' '));
      }
    }
    assertThat(id).as("connection named %s", name).isNotNull();
    assertThat(admin.command("CLIENT", "KILL", "ID", id)).isEqualTo(1L);
  }
}
