package io.tieredcache.testkit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import java.util.function.ToIntFunction;
import org.junit.jupiter.api.Test;

/**
 * {@link RedisClusterServers} with replicas: a planned failover swaps a primary and its replica
 * without losing a write, a killed primary's replica is promoted with the data, and the killed
 * node comes back as a replica of the node that took its slots. Checked through plain admin
 * connections (no cluster client), node by node.
 */
class RedisClusterServersIT {

  @Test
  void failsOverKillsAndRestartsAPrimary() {
    try (RedisClusterServers cluster = RedisClusterServers.startWithReplicas()) {
      assertThat(cluster.servers()).hasSize(6);
      assertThat(cluster.uris()).hasSize(6);
      assertThat(cluster.primaries()).hasSize(3);
      assertThat(cluster.replicas()).hasSize(3);
      RedisServer first = cluster.primaries().get(0);
      String key = keyOwnedBy(cluster, first);
      try (RedisAdmin admin = first.admin()) {
        admin.command("SET", key, "before");
        admin.command("WAIT", "1", "5000"); // on the replica before the crash below
      }

      RedisServer second = cluster.failover(first);
      assertThat(second).isNotEqualTo(first);
      assertThat(cluster.primaries()).hasSize(3).contains(second).doesNotContain(first);
      assertThat(cluster.replicaOf(second)).isEqualTo(first);
      try (RedisAdmin admin = second.admin()) {
        assertThat(admin.command("GET", key)).as("the write survived the planned failover").isEqualTo("before");
        admin.command("SET", key, "after");
        admin.command("WAIT", "1", "5000");
      }

      RedisServer third = cluster.kill(second);
      assertThat(third).isEqualTo(first);
      assertThat(second.isRunning()).isFalse();
      assertThat(cluster.primaries()).hasSize(3).contains(first).doesNotContain(second);
      assertThat(cluster.replicas()).hasSize(2);
      try (RedisAdmin admin = first.admin()) {
        assertThat(admin.command("GET", key)).as("the promoted replica has the write").isEqualTo("after");
      }

      cluster.restart(second);
      assertThat(cluster.replicas()).hasSize(3).contains(second);
      assertThat(cluster.replicaOf(first)).isEqualTo(second);
      try (RedisAdmin admin = second.admin()) {
        admin.command("READONLY");
        assertThat(admin.command("GET", key)).as("the restarted node synced from its new primary").isEqualTo("after");
      }
      assertThatThrownBy(() -> cluster.restart(second)).isInstanceOf(IllegalStateException.class);
      assertThatThrownBy(() -> cluster.failover(second)).isInstanceOf(IllegalStateException.class);
    }
  }

  @Test
  void aClusterWithoutReplicasHasNoReplicaToFailOverTo() {
    try (RedisClusterServers cluster = RedisClusterServers.start()) {
      List<RedisServer> primaries = cluster.primaries();
      assertThat(primaries).hasSize(3);
      assertThat(cluster.replicas()).isEmpty();
      assertThatThrownBy(() -> cluster.failover(primaries.get(0))).isInstanceOf(IllegalStateException.class)
          .hasMessageContaining("no running replica");
    }
  }

  /** A key whose slot {@code primary} serves (others answer MOVED), as every primary agrees. */
  private static String keyOwnedBy(RedisClusterServers cluster, RedisServer primary) {
    try (RedisAdmin admin = primary.admin()) {
      ToIntFunction<String> slotOf = key -> ((Long) admin.command("CLUSTER", "KEYSLOT", key)).intValue();
      String key = cluster.keysServedBy(primary, "key-", 1, slotOf).get(0);
      assertThat(cluster.primaryForSlot(slotOf.applyAsInt(key))).isEqualTo(primary);
      return key;
    }
  }
}
