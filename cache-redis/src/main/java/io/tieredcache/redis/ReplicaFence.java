package io.tieredcache.redis;

import io.lettuce.core.RedisURI;
import io.lettuce.core.cluster.SlotHash;
import io.lettuce.core.cluster.api.StatefulRedisClusterConnection;
import io.lettuce.core.cluster.api.async.RedisAdvancedClusterAsyncCommands;
import io.lettuce.core.cluster.models.partitions.Partitions;
import io.lettuce.core.cluster.models.partitions.RedisClusterNode;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeoutException;

/**
 * Used only while values are read from replicas: after a write, waits until every replica of the
 * primaries that took it has it ({@code WAIT}), so that a node that hears the write's invalidation
 * and reads the key again from a replica cannot get the older value.
 *
 * <p>{@code WAIT} counts the writes of the connection it is sent on, so it goes to each primary
 * over the very connection Lettuce routed the writes of that primary's slots through (Lettuce keys
 * its slot connections by host and port, as {@code getConnectionAsync(host, port)} does). Keys of
 * a primary whose replicas do not all confirm within half the tier's time limit are answered
 * unconfirmed: the writer reports them unapplied, and the cache repairs them (deletes and
 * announces them again) until they do.
 */
final class ReplicaFence {

  private final RedisCalls calls;
  private final long waitMillis;

  ReplicaFence(RedisCalls calls, Duration timeout) {
    this.calls = calls;
    // WAIT must answer within the call's own limit, else the call times out instead of saying how many.
    this.waitMillis = Math.max(1, timeout.toMillis() / 2);
  }

  /**
   * Waits for the replicas of the primaries holding {@code valueKeys}' slots; completes with the
   * keys whose replicas did not all confirm (all of them if the call failed). Never fails.
   */
  <K> CompletableFuture<Set<K>> unconfirmed(Map<K, byte[]> valueKeys) {
    if (valueKeys.isEmpty()) {
      return CompletableFuture.completedFuture(Set.of());
    }
    return calls.call(batch -> {
      StatefulRedisClusterConnection<byte[], byte[]> cluster =
          ((RedisAdvancedClusterAsyncCommands<byte[], byte[]>) batch.redis()).getStatefulConnection();
      Partitions partitions = cluster.getPartitions();
      Map<RedisClusterNode, List<K>> byPrimary = new HashMap<>();
      Set<K> unknown = new HashSet<>();
      valueKeys.forEach((key, valueKey) -> {
        RedisClusterNode primary = partitions.getMasterBySlot(SlotHash.getSlot(valueKey));
        if (primary == null) {
          unknown.add(key);
        } else {
          byPrimary.computeIfAbsent(primary, p -> new ArrayList<>()).add(key);
        }
      });
      var waits = new ArrayList<CompletableFuture<List<K>>>();
      byPrimary.forEach((primary, keys) -> {
        int replicas = readableReplicas(partitions, primary);
        if (replicas == 0) {
          return;
        }
        RedisURI uri = primary.getUri();
        waits.add(cluster.getConnectionAsync(uri.getHost(), uri.getPort())
            .thenCompose(node -> batch.add(node.async().waitForReplication(replicas, waitMillis)))
            .thenApply(acked -> acked >= replicas ? List.<K>of() : keys));
      });
      return CompletableFuture.allOf(waits.toArray(CompletableFuture<?>[]::new)).thenApply(done -> {
        Set<K> unconfirmed = new HashSet<>(unknown);
        waits.forEach(wait -> unconfirmed.addAll(wait.join()));
        return unconfirmed;
      });
    }, (unconfirmed, failure) -> {
      if (failure != null) {
        calls.report(failure);
        return new HashSet<>(valueKeys.keySet());
      }
      if (!unconfirmed.isEmpty()) {
        calls.report(new TimeoutException("the replicas of " + unconfirmed.size()
            + " written key(s) did not confirm the write within " + waitMillis + " ms; the keys go to repair"));
      }
      return unconfirmed;
    });
  }

  /**
   * The replicas of {@code primary} that Lettuce may read from: those it lists with data
   * (a non-zero replication offset, its own rule for read candidates), less those the cluster
   * marks failed.
   */
  private static int readableReplicas(Partitions partitions, RedisClusterNode primary) {
    int count = 0;
    for (RedisClusterNode node : partitions) {
      if (primary.getNodeId().equals(node.getSlaveOf()) && node.getReplOffset() != 0
          && !node.is(RedisClusterNode.NodeFlag.FAIL)) {
        count++;
      }
    }
    return count;
  }
}
