package io.tieredcache.redis.bus;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.HashSet;
import java.util.Set;
import org.junit.jupiter.api.Test;

class BusOptionsTest {

  @Test
  void pubSubDefaultsKeepTheStalenessBoundUnderOneSecond() {
    PubSubBusOptions defaults = PubSubBusOptions.create();
    assertThat(defaults.channel()).isEqualTo(PubSubBusOptions.DEFAULT_CHANNEL);
    assertThat(defaults.heartbeatInterval()).isEqualTo(Duration.ofMillis(250));
    assertThat(defaults.heartbeatTimeout()).isEqualTo(defaults.heartbeatInterval().multipliedBy(3));
    assertThat(defaults.maxKeysPerMessage()).isEqualTo(1_000);
    assertThat(defaults.reconnectInterval()).isEqualTo(Duration.ofMillis(250));
    assertThat(defaults.nodeId()).isEmpty();
    assertThat(defaults.sharded()).isFalse();
    // timeout + one watchdog tick, leaving room for a round trip
    assertThat(defaults.heartbeatTimeout().plus(defaults.heartbeatInterval().dividedBy(5)))
        .isLessThanOrEqualTo(Duration.ofMillis(800));
  }

  @Test
  void streamDefaultsKeepTheStalenessBoundUnderOneSecond() {
    StreamBusOptions defaults = StreamBusOptions.create();
    assertThat(defaults.streamKey()).isEqualTo(StreamBusOptions.DEFAULT_STREAM_KEY);
    assertThat(defaults.maxLength()).isEqualTo(10_000);
    assertThat(defaults.readBatch()).isEqualTo(500);
    assertThat(defaults.silenceTimeout()).isEqualTo(defaults.blockTimeout().multipliedBy(3));
    assertThat(defaults.reconnectInterval()).isEqualTo(Duration.ofMillis(250));
    assertThat(defaults.silenceTimeout().plus(defaults.blockTimeout().dividedBy(5)))
        .isLessThanOrEqualTo(Duration.ofMillis(800));
  }

  @Test
  void mutateChangesOnlyWhatIsSet() {
    PubSubBusOptions pubsub = PubSubBusOptions.builder().channel("a").nodeId("n1").build();
    PubSubBusOptions changed = pubsub.mutate().heartbeatInterval(Duration.ofMillis(100)).build();
    assertThat(changed.channel()).isEqualTo("a");
    assertThat(changed.nodeId()).contains("n1");
    assertThat(changed.heartbeatInterval()).isEqualTo(Duration.ofMillis(100));
    assertThat(pubsub.heartbeatInterval()).isEqualTo(PubSubBusOptions.DEFAULT_HEARTBEAT_INTERVAL);

    StreamBusOptions streams = StreamBusOptions.builder().streamKey("s").maxLength(50).readBatch(10)
        .reconnectInterval(Duration.ofMillis(40)).build();
    assertThat(streams.mutate().nodeId("x").build().maxLength()).isEqualTo(50);
    assertThat(streams.mutate().nodeId("x").build().reconnectInterval()).isEqualTo(Duration.ofMillis(40));
    assertThat(pubsub.mutate().reconnectInterval(Duration.ofSeconds(1)).build().reconnectInterval())
        .isEqualTo(Duration.ofSeconds(1));
    assertThat(changed.toString()).contains("reconnectInterval=PT0.25S");
    PubSubBusOptions sharded = pubsub.mutate().sharded(true).build();
    assertThat(sharded.sharded()).isTrue();
    assertThat(sharded.mutate().nodeId("n2").build().sharded()).isTrue();
    assertThat(sharded.toString()).contains("sharded=true");
  }

  @Test
  void rejectsSettingsThatBreakTheGuarantees() {
    assertThatThrownBy(() -> PubSubBusOptions.builder().heartbeatTimeout(Duration.ofMillis(400)).build())
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("twice");
    assertThatThrownBy(() -> PubSubBusOptions.builder().heartbeatInterval(Duration.ZERO))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> PubSubBusOptions.builder().channel(" "))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> PubSubBusOptions.builder().maxKeysPerMessage(0))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> StreamBusOptions.builder().maxLength(100).readBatch(101).build())
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("maxLength");
    assertThatThrownBy(() -> StreamBusOptions.builder().silenceTimeout(Duration.ofMillis(300)).build())
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("twice");
    assertThatThrownBy(() -> StreamBusOptions.builder().blockTimeout(Duration.ofNanos(10)))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> PubSubBusOptions.builder().reconnectInterval(Duration.ZERO))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> StreamBusOptions.builder().reconnectInterval(Duration.ofMillis(-1)))
        .isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void generatedNodeIdsAreUniqueAndPlain() {
    Set<String> ids = new HashSet<>();
    for (int i = 0; i < 1_000; i++) {
      String id = NodeIds.generate();
      assertThat(id).matches("[A-Za-z0-9._-]+").hasSizeLessThanOrEqualTo(120);
      ids.add(id);
    }
    assertThat(ids).hasSize(1_000);
  }

  @Test
  void clientNamesAreValidForRedis() {
    assertThat(NodeIds.clientName(null, "web 1/😀", "read")).isEqualTo("tiered-cache-bus:web_1___:read");
    assertThat(NodeIds.clientName(null, "", "read")).isEqualTo("tiered-cache-bus:node:read");
  }

  @Test
  void clientNamesKeepTheUsersNameFirst() {
    assertThat(NodeIds.clientName("orders-service", "n1", "subscribe"))
        .isEqualTo("orders-service:tiered-cache-bus:n1:subscribe");
    assertThat(NodeIds.clientName("", "n1", "publish")).isEqualTo("tiered-cache-bus:n1:publish");
    assertThat(NodeIds.clientName("app", "n1", "read")).endsWith(NodeIds.clientNameSuffix("n1", "read"));
  }
}
