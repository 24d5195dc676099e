package io.tieredcache.redis.bus;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The contract and every pub/sub loss check again, on sharded pub/sub ({@code SPUBLISH}/{@code
 * SSUBSCRIBE}) against a single Redis; {@code ClusterBusIT} runs it on a cluster whose shards move.
 */
class ShardedPubSubBusIT extends PubSubBusIT {

  @Override
  PubSubBusOptions options(String name) {
    return PubSubBusOptions.builder().channel(name).sharded(true).build();
  }

  @Override
  String publishCommand() {
    return "SPUBLISH";
  }

  @Test
  void travelsOnTheShardChannelOnly() {
    Node a = node();
    Node b = node();
    RecordingListener rb = b.listen("c");
    a.publish("c", "k");
    await().atMost(WAIT).until(() -> rb.keys.contains("k"));
    assertThat(admin.command("PUBSUB", "SHARDNUMSUB", name)).isEqualTo(List.of(name, 2L));
    assertThat(admin.command("PUBSUB", "NUMSUB", name)).isEqualTo(List.of(name, 0L));
    assertThat(((PubSubInvalidationBus) a.bus).options().sharded()).isTrue();
  }
}
