package io.tieredcache.redis.consistency;

import static org.assertj.core.api.Assertions.assertThat;

import io.tieredcache.testkit.RedisAdmin;
import io.tieredcache.testkit.RedisExtension;
import io.tieredcache.testkit.RedisServer;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Node B's bus connection is cut and node A updates a key at once, so B misses the message. With
 * pub/sub B must notice and stop serving the old value within the documented bound; with Redis
 * Streams it must apply the missed invalidation when it resumes, without a full flush.
 */
@ExtendWith(RedisExtension.class)
class MissedMessageIT {

  @Test
  void pubSubNoticesTheLossAndStopsServingTheOldValueWithinTheBound(RedisServer redis) {
    VersionedStore db = new VersionedStore();
    try (Cluster cluster = new Cluster(redis.uri(), Transport.PUBSUB); RedisAdmin admin = redis.admin()) {
      Cluster.Node a = cluster.node("a", db::read);
      Cluster.Node b = cluster.node("b", db::read);
      long old = b.cache.get("k");

      Connections.killReceiver(admin, b, "subscribe");
      db.write("k");
      a.cache.invalidate("k");
      long invalidated = System.nanoTime();

      Duration stale = staleFor(b, "k", old, invalidated);
      System.out.printf("missed message, pub/sub: B served the old value for %.1f ms after A's invalidate "
          + "(bound %d ms)%n", stale.toNanos() / 1e6, Cluster.STALENESS_BOUND.toMillis());
      assertThat(stale).isLessThanOrEqualTo(Cluster.STALENESS_BOUND);
      assertThat(b.cache.get("k")).isGreaterThan(old);
      assertThat(b.cache.stats().lossFlushes()).isPositive();
    }
  }

  @Test
  void streamsReplayTheMissedInvalidationWithoutAFlush(RedisServer redis) {
    VersionedStore db = new VersionedStore();
    try (Cluster cluster = new Cluster(redis.uri(), Transport.STREAMS); RedisAdmin admin = redis.admin()) {
      Cluster.Node a = cluster.node("a", db::read);
      Cluster.Node b = cluster.node("b", db::read);
      long old = b.cache.get("k");
      long kept = b.cache.get("untouched");

      Connections.killReceiver(admin, b, "read");
      db.write("k");
      a.cache.invalidate("k");
      long invalidated = System.nanoTime();

      Duration stale = staleFor(b, "k", old, invalidated);
      System.out.printf("missed message, streams: B served the old value for %.1f ms after A's invalidate "
          + "(bound %d ms)%n", stale.toNanos() / 1e6, Cluster.STALENESS_BOUND.toMillis());
      assertThat(stale).isLessThanOrEqualTo(Cluster.STALENESS_BOUND);
      long l1HitsBefore = b.cache.stats().l1Hits();
      assertThat(b.cache.getIfPresent("untouched")).isEqualTo(kept);
      assertThat(b.cache.stats().l1Hits()).as("the rest of B's L1 survived: no flush").isEqualTo(l1HitsBefore + 1);
      assertThat(b.cache.stats().lossFlushes()).isZero();
      assertThat(b.cache.stats().invalidationsReceived()).isEqualTo(1);
    }
  }

  /** How long {@code node} kept serving {@code old} for {@code key}; gives up at twice the bound. */
  static Duration staleFor(Cluster.Node node, String key, long old, long since) {
    long giveUp = since + 2 * Cluster.STALENESS_BOUND.toNanos();
    while (Long.valueOf(old).equals(node.cache.getIfPresent(key)) && System.nanoTime() < giveUp) {
      Thread.onSpinWait();
    }
    return Duration.ofNanos(System.nanoTime() - since);
  }
}
