package io.tieredcache.redis.bus;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.lettuce.core.RedisURI;
import io.lettuce.core.cluster.RedisClusterClient;
import io.lettuce.core.cluster.SlotHash;
import io.lettuce.core.resource.ClientResources;
import io.lettuce.core.resource.DefaultClientResources;
import io.tieredcache.testkit.RedisAdmin;
import io.tieredcache.testkit.RedisClusterServers;
import io.tieredcache.testkit.RedisServer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Both buses on a local Redis Cluster of three primaries ({@link RedisClusterServers}): sharded
 * pub/sub and the stream bus live on the shard that owns their channel's or stream's slot, and
 * follow it when the slot moves to another primary or the primary restarts. Every node has a
 * {@link RedisClusterClient} of its own, as on separate machines.
 *
 * <p>A failover to a replica is the next case, once the fixture starts replicas: {@link
 * #failShardOver} is where it goes; the assertions of the restart tests are what it must meet.
 */
class ClusterBusIT {

  static final Duration WAIT = Duration.ofSeconds(10);
  /** Long enough for a restarted primary to be taken back by the others (twice the node timeout, and more). */
  static final Duration CLUSTER_WAIT = Duration.ofSeconds(30);

  private static RedisClusterServers cluster;
  private static ClientResources resources;
  private final List<Node> nodes = new ArrayList<>();

  @BeforeAll
  static void start() {
    cluster = RedisClusterServers.start();
    resources = DefaultClientResources.builder().ioThreadPoolSize(4).computationThreadPoolSize(2).build();
    awaitUsable();
  }

  @AfterAll
  static void stop() {
    if (resources != null) {
      resources.shutdown(0, 2, TimeUnit.SECONDS);
    }
    if (cluster != null) {
      cluster.close();
    }
  }

  @AfterEach
  void closeNodes() {
    for (int i = nodes.size() - 1; i >= 0; i--) {
      nodes.get(i).close();
    }
    nodes.clear();
  }

  // ---------------------------------------------------------------- sharded pub/sub

  @Test
  void shardedPubSubStaysOnItsShardAndFollowsTheChannelWhenItsSlotMoves() {
    String channel = "bus-it:" + UUID.randomUUID();
    int slot = SlotHash.getSlot(channel);
    Function<RedisClusterClient, RedisInvalidationBus> sharded = client -> PubSubInvalidationBus.create(client,
        PubSubBusOptions.builder().channel(channel).sharded(true).build());
    Node a = node(sharded);
    Node b = node(sharded);
    RecordingListener ra = a.listen("c");
    RecordingListener rb = b.listen("c");
    a.publish("c", "before");
    await().atMost(WAIT).until(() -> rb.keys.contains("before"));

    RedisServer owner = ownerOf(slot);
    assertThat(shardSubscribers(owner, channel)).as("both subscribed on the owner").isEqualTo(2);
    for (RedisServer other : others(owner)) {
      assertThat(shardSubscribers(other, channel)).isZero();
    }

    RedisServer target = others(owner).get(0);
    long movedAt = System.nanoTime();
    moveSlot(slot, owner, target);
    await().atMost(WAIT).until(() -> ra.notices.contains("hearing:false") && rb.notices.contains("hearing:false"));
    awaitWorking(a, rb, "c");
    awaitWorking(b, ra, "c");
    System.out.printf("[ClusterBusIT] sharded pub/sub: both nodes hear each other again %d ms after the slot"
        + " moved%n", TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - movedAt));

    for (RecordingListener r : List.of(ra, rb)) {
      assertThat(r.noticesStartingWith("deaf:")).containsExactly("deaf:moved");
      assertThat(r.noticesStartingWith("hearing:")).containsExactly("hearing:false");
    }
    assertThat(shardSubscribers(target, channel)).as("both followed the channel").isEqualTo(2);
    assertThat(shardSubscribers(owner, channel)).isZero();
    assertThat(b.bus.stats().reconnects()).isEqualTo(1);
  }

  @Test
  void shardedPubSubIsDeafWhileTheShardsPrimaryIsDownAndHearsAgainAfter() {
    String channel = "bus-it:" + UUID.randomUUID();
    Function<RedisClusterClient, RedisInvalidationBus> sharded = client -> PubSubInvalidationBus.create(client,
        PubSubBusOptions.builder().channel(channel).sharded(true).build());
    Node a = node(sharded);
    Node b = node(sharded);
    RecordingListener ra = a.listen("c");
    RecordingListener rb = b.listen("c");
    a.publish("c", "before");
    await().atMost(WAIT).until(() -> rb.keys.contains("before"));

    RedisServer owner = ownerOf(SlotHash.getSlot(channel));
    failShardOver(owner, () -> await().atMost(WAIT)
        .until(() -> ra.notices.contains("deaf:disconnect") && rb.notices.contains("deaf:disconnect")));
    awaitWorking(a, rb, "c");
    awaitWorking(b, ra, "c");

    for (RecordingListener r : List.of(ra, rb)) {
      assertThat(r.noticesStartingWith("deaf:")).containsExactly("deaf:disconnect");
      assertThat(r.noticesStartingWith("hearing:")).containsExactly("hearing:false");
    }
  }

  // ---------------------------------------------------------------- streams

  @Test
  void streamBusReplaysWhatANodeMissedAcrossAReconnectAndASlotMove() {
    String streamKey = "bus-it:stream:" + UUID.randomUUID();
    int slot = SlotHash.getSlot(streamKey);
    Function<RedisClusterClient, RedisInvalidationBus> streams = client -> StreamInvalidationBus.create(client,
        StreamBusOptions.builder().streamKey(streamKey).build());
    Node a = node(streams);
    Node b = node(streams);
    RecordingListener rb = b.listen("c");
    a.publish("c", "before");
    await().atMost(WAIT).until(() -> rb.keys.contains("before"));

    RedisServer owner = ownerOf(slot);
    try (RedisAdmin admin = owner.admin()) {
      assertThat((Long) admin.command("EXISTS", streamKey)).isEqualTo(1L);
      killClient(admin, NodeIds.clientNameSuffix(b.bus.nodeId(), "read"));
    }
    a.publish("c", "while-b-reconnects");
    await().atMost(WAIT).until(() -> rb.notices.contains("hearing:true"));
    a.publish("c", "after-reconnect");
    await().atMost(WAIT).until(() -> rb.keys.contains("after-reconnect"));
    assertThat(rb.notices).containsExactly("deaf:disconnect", "hearing:true");

    RedisServer target = others(owner).get(0);
    long movedAt = System.nanoTime();
    moveSlot(slot, owner, target); // the stream and its entries go with it
    a.publish("c", "after-move"); // Lettuce follows MOVED for the append
    await().atMost(WAIT).until(() -> rb.keys.contains("after-move") && rb.notices.size() == 4);
    System.out.printf("[ClusterBusIT] stream bus: b read a's entry on the new owner %d ms after the slot"
        + " moved%n", TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - movedAt));
    assertThat(rb.keys).containsExactly("before", "while-b-reconnects", "after-reconnect", "after-move");
    assertThat(rb.notices).containsExactly("deaf:disconnect", "hearing:true", "deaf:moved", "hearing:true");
    try (RedisAdmin admin = target.admin()) {
      assertThat((Long) admin.command("EXISTS", streamKey)).isEqualTo(1L);
      assertThat(clientNames(admin)).contains(NodeIds.clientName(null, b.bus.nodeId(), "read"));
    }
    assertThat(a.bus.stats().publishFailures()).isZero();
    assertThat(b.bus.stats().trims()).isZero();
  }

  @Test
  void streamBusIsDeafWhileTheStreamsPrimaryIsDownAndHearsAgainAfter() {
    String streamKey = "bus-it:stream:" + UUID.randomUUID();
    Function<RedisClusterClient, RedisInvalidationBus> streams = client -> StreamInvalidationBus.create(client,
        StreamBusOptions.builder().streamKey(streamKey).build());
    Node a = node(streams);
    Node b = node(streams);
    RecordingListener ra = a.listen("c");
    RecordingListener rb = b.listen("c");
    a.publish("c", "before");
    await().atMost(WAIT).until(() -> rb.keys.contains("before"));

    failShardOver(ownerOf(SlotHash.getSlot(streamKey)), () -> await().atMost(WAIT)
        .until(() -> ra.notices.contains("deaf:disconnect") && rb.notices.contains("deaf:disconnect")));
    awaitWorking(a, rb, "c");
    awaitWorking(b, ra, "c");
    for (RecordingListener r : List.of(ra, rb)) {
      assertThat(r.noticesStartingWith("deaf:")).containsExactly("deaf:disconnect");
      // the restarted primary came back empty (no persistence): the stream is gone, hence a loss
      assertThat(r.noticesStartingWith("hearing:")).containsExactly("hearing:false");
    }
  }

  // ---------------------------------------------------------------- fixtures

  /**
   * Takes the shard of {@code primary} away and brings it back: today by stopping the primary and
   * starting it again (the fixture has no replicas), with {@code whileDown} run in between. With
   * replicas, a failover (a replica promoted, the old primary back as a replica) goes here.
   */
  private static void failShardOver(RedisServer primary, Runnable whileDown) {
    primary.stop();
    try {
      whileDown.run();
    } finally {
      primary.start();
      awaitClusterOk();
    }
  }

  private Node node(Function<RedisClusterClient, RedisInvalidationBus> bus) {
    RedisClusterClient client = client();
    try {
      Node node = new Node(client, bus.apply(client));
      nodes.add(node);
      return node;
    } catch (RuntimeException e) {
      client.shutdown(Duration.ZERO, Duration.ofSeconds(2));
      throw e;
    }
  }

  private static RedisClusterClient client() {
    List<RedisURI> seeds = new ArrayList<>();
    cluster.uris().forEach(uri -> seeds.add(RedisURI.create(uri)));
    return RedisClusterClient.create(resources, seeds);
  }

  /** One application node: its own cluster client and its bus. */
  private static final class Node implements AutoCloseable {
    final RedisClusterClient client;
    final RedisInvalidationBus bus;

    Node(RedisClusterClient client, RedisInvalidationBus bus) {
      this.client = client;
      this.bus = bus;
    }

    RecordingListener listen(String cache) {
      RecordingListener recorder = new RecordingListener();
      bus.subscribe(cache, recorder);
      return recorder;
    }

    void publish(String cache, String key) {
      InvalidationBusContract.join(bus.publish(cache, List.of(key)));
    }

    @Override
    public void close() {
      bus.close();
      client.shutdown(Duration.ZERO, Duration.ofSeconds(2));
    }
  }

  /** Publishes fresh keys from {@code from} until {@code to} hears one. */
  private static void awaitWorking(Node from, RecordingListener to, String cache) {
    AtomicInteger attempt = new AtomicInteger();
    await().atMost(CLUSTER_WAIT).pollInterval(Duration.ofMillis(100)).until(() -> {
      from.bus.publish(cache, List.of("probe-" + attempt.incrementAndGet()));
      return to.keys.stream().anyMatch(k -> k.startsWith("probe-"));
    });
  }

  private static void awaitUsable() {
    RedisClusterClient probe = client();
    try {
      await().atMost(Duration.ofSeconds(20)).pollInterval(Duration.ofMillis(200)).ignoreExceptions().until(() -> {
        try (var connection = probe.connect()) {
          return "PONG".equals(connection.sync().ping());
        }
      });
    } finally {
      probe.shutdown(Duration.ZERO, Duration.ofSeconds(2));
    }
  }

  private static void awaitClusterOk() {
    await().atMost(CLUSTER_WAIT).pollInterval(Duration.ofMillis(100)).ignoreExceptions().until(() -> {
      for (RedisServer primary : cluster.primaries()) {
        try (RedisAdmin admin = primary.admin()) {
          if (!String.valueOf(admin.command("CLUSTER", "INFO")).contains("cluster_state:ok")) {
            return false;
          }
        }
      }
      return true;
    });
  }

  /** The primary that owns {@code slot}, as the first primary's {@code CLUSTER SLOTS} says. */
  private static RedisServer ownerOf(int slot) {
    try (RedisAdmin admin = cluster.primaries().get(0).admin()) {
      for (Object range : (List<?>) admin.command("CLUSTER", "SLOTS")) {
        List<?> r = (List<?>) range;
        if ((Long) r.get(0) <= slot && slot <= (Long) r.get(1)) {
          long port = (Long) ((List<?>) r.get(2)).get(1);
          return cluster.primaries().stream().filter(p -> p.port() == port).findFirst().orElseThrow();
        }
      }
    }
    throw new IllegalStateException("no primary owns slot " + slot);
  }

  private static List<RedisServer> others(RedisServer primary) {
    return cluster.primaries().stream().filter(p -> p.port() != primary.port()).toList();
  }

  private static String nodeId(RedisServer primary) {
    try (RedisAdmin admin = primary.admin()) {
      return (String) admin.command("CLUSTER", "MYID");
    }
  }

  /**
   * Moves {@code slot} from one primary to another as a resharding does: importing and migrating
   * states, its keys moved with {@code MIGRATE}, then every primary told the new owner.
   */
  private static void moveSlot(int slot, RedisServer from, RedisServer to) {
    String s = Integer.toString(slot);
    String fromId = nodeId(from);
    String toId = nodeId(to);
    try (RedisAdmin source = from.admin(); RedisAdmin target = to.admin()) {
      target.command("CLUSTER", "SETSLOT", s, "IMPORTING", fromId);
      source.command("CLUSTER", "SETSLOT", s, "MIGRATING", toId);
      for (int round = 0; round < 100; round++) {
        List<?> keys = (List<?>) source.command("CLUSTER", "GETKEYSINSLOT", s, "100");
        if (keys.isEmpty()) {
          break;
        }
        List<String> migrate = new ArrayList<>(List.of("MIGRATE", to.host(), Integer.toString(to.port()), "", "0",
            "5000", "KEYS"));
        keys.forEach(k -> migrate.add((String) k));
        source.command(migrate.toArray(String[]::new));
      }
      target.command("CLUSTER", "SETSLOT", s, "NODE", toId);
      source.command("CLUSTER", "SETSLOT", s, "NODE", toId);
    }
    for (RedisServer other : others(from)) {
      if (other.port() != to.port()) {
        try (RedisAdmin admin = other.admin()) {
          admin.command("CLUSTER", "SETSLOT", s, "NODE", toId);
        }
      }
    }
  }

  private static long shardSubscribers(RedisServer primary, String channel) {
    try (RedisAdmin admin = primary.admin()) {
      return (Long) ((List<?>) admin.command("PUBSUB", "SHARDNUMSUB", channel)).get(1);
    }
  }

  private static List<String> clientNames(RedisAdmin admin) {
    List<String> names = new ArrayList<>();
    for (String line : ((String) admin.command("CLIENT", "LIST")).split("\n")) {
      int start = line.indexOf(" name=");
      if (start >= 0) {
        names.add(line.substring(start + 6, line.indexOf(' ', start + 6)));
      }
    }
    return names;
  }

  /** Kills the one connection whose client name ends with {@code suffix}. */
  private static void killClient(RedisAdmin admin, String suffix) {
    List<String> ids = new ArrayList<>();
    for (String line : ((String) admin.command("CLIENT", "LIST")).split("\n")) {
      int start = line.indexOf(" name=");
      if (start >= 0 && line.substring(start + 6, line.indexOf(' ', start + 6)).endsWith(suffix)) {
        ids.add(line.substring(3, line.indexOf(' ')));
      }
    }
    assertThat(ids).as("connections named *%s", suffix).hasSize(1);
    assertThat(admin.command("CLIENT", "KILL", "ID", ids.get(0))).isEqualTo(1L);
  }
}
