package io.tieredcache.redis.bus;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.lettuce.core.RedisClient;
import io.lettuce.core.resource.ClientResources;
import io.lettuce.core.resource.Delay;
import io.lettuce.core.resource.DefaultClientResources;
import io.tieredcache.spi.InvalidationBus.Subscription;
import io.tieredcache.spi.InvalidationListener;
import io.tieredcache.testkit.IsolatedRedis;
import io.tieredcache.testkit.RedisAdmin;
import io.tieredcache.testkit.RedisServer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * What every Redis invalidation bus must do, run against a real redis-server of its own (the
 * fault tests kill connections and restart it). Every node is a bus on a {@link RedisClient} of its
 * own, as on separate machines; the clients share one {@link ClientResources} only to save threads,
 * with a fixed {@link #reconnectDelay()} so that a killed connection stays away long enough for a
 * message to be published meanwhile.
 */
@IsolatedRedis
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
abstract class InvalidationBusContract {

  static final Duration WAIT = Duration.ofSeconds(5);

  private ClientResources resources;

  RedisServer redis;
  RedisAdmin admin;
  /** The channel or stream of this test: no test hears another. */
  String name;
  private final List<Node> nodes = new ArrayList<>();

  /** A bus of the transport under test on {@code client}, on channel or stream {@code name}. */
  abstract RedisInvalidationBus newBus(RedisClient client, String name);

  /** Cuts the connection on which {@code node} receives; Lettuce reconnects after the delay. */
  abstract void killReceivingConnection(Node node);

  /** Whether the transport replays what a node missed during a short disconnect. */
  abstract boolean replaysAfterShortDisconnect();

  /** The reason every node must flush with after Redis restarted empty. */
  abstract String restartFlushReason();

  /** A bus of the transport under test with a client of its own for {@code uri}. */
  abstract RedisInvalidationBus newBus(String uri, String name);

  /** How long Lettuce waits before reconnecting a connection that dropped. */
  Duration reconnectDelay() {
    return Duration.ofMillis(300);
  }

  @BeforeAll
  void createResources() {
    resources = DefaultClientResources.builder()
        .ioThreadPoolSize(4)
        .computationThreadPoolSize(2)
        .reconnectDelay(Delay.constant(reconnectDelay()))
        .build();
  }

  @AfterAll
  void shutdownResources() {
    resources.shutdown(0, 2, TimeUnit.SECONDS);
  }

  @BeforeEach
  void setUp(RedisServer server) {
    redis = server;
    admin = server.admin();
    name = "bus-it:" + UUID.randomUUID();
  }

  @AfterEach
  void tearDown() {
    for (int i = nodes.size() - 1; i >= 0; i--) {
      nodes.get(i).close();
    }
    nodes.clear();
    admin.close();
  }

  // ---------------------------------------------------------------- fixtures

  Node node() {
    return node(client -> newBus(client, name));
  }

  Node node(Function<RedisClient, RedisInvalidationBus> factory) {
    RedisClient client = RedisClient.create(resources, redis.uri());
    try {
      Node node = new Node(client, factory.apply(client));
      nodes.add(node);
      return node;
    } catch (RuntimeException e) {
      client.shutdown(Duration.ZERO, Duration.ofSeconds(2));
      throw e;
    }
  }

  /** One application node: its own client and its bus. */
  static final class Node implements AutoCloseable {
    final RedisClient client;
    final RedisInvalidationBus bus;
    private boolean closed;

    Node(RedisClient client, RedisInvalidationBus bus) {
      this.client = client;
      this.bus = bus;
    }

    Recorder listen(String cache) {
      Recorder recorder = new Recorder();
      bus.subscribe(cache, recorder);
      return recorder;
    }

    void publish(String cache, String... keys) {
      join(bus.publish(cache, List.of(keys)));
    }

    @Override
    public void close() {
      if (!closed) {
        closed = true;
        bus.close();
        client.shutdown(Duration.ZERO, Duration.ofSeconds(2));
      }
    }
  }

  /** Records what a listener was told, in order. */
  static final class Recorder implements InvalidationListener {
    final List<String> keys = new CopyOnWriteArrayList<>();
    final List<String> flushes = new CopyOnWriteArrayList<>();
    final BlockingQueue<Long> keyArrivals = new LinkedBlockingQueue<>();

    @Override
    public void onKeys(Collection<String> encodedKeys) {
      keyArrivals.add(System.nanoTime());
      keys.addAll(encodedKeys);
    }

    @Override
    public void onAll(String reason) {
      flushes.add(reason);
    }
  }

  static void join(CompletableFuture<Void> future) {
    try {
      future.get(WAIT.toMillis(), TimeUnit.MILLISECONDS);
    } catch (Exception e) {
      throw new AssertionError("publish did not complete", e);
    }
  }

  /** Publishes a fresh key from {@code from} until {@code to} hears one: the bus works again. */
  static void awaitWorking(Node from, Recorder to, String cache) {
    AtomicInteger attempt = new AtomicInteger();
    await().atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(100)).until(() -> {
      from.bus.publish(cache, List.of("probe-" + attempt.incrementAndGet()));
      return to.keys.stream().anyMatch(k -> k.startsWith("probe-"));
    });
  }

  // ---------------------------------------------------------------- delivery

  @Test
  void deliversToOtherNodesButNeverBackToItsOrigin() {
    Node a = node();
    Node b = node();
    Node c = node();
    Recorder ra = a.listen("users");
    Recorder rb = b.listen("users");
    Recorder rc = c.listen("users");

    a.publish("users", "u1", "u2");
    await().atMost(WAIT).until(() -> rb.keys.size() == 2 && rc.keys.size() == 2);
    b.publish("users", "marker");
    await().atMost(WAIT).until(() -> ra.keys.contains("marker") && rc.keys.contains("marker"));

    assertThat(ra.keys).containsExactly("marker"); // its own u1, u2 came before marker, and were dropped
    assertThat(rb.keys).containsExactly("u1", "u2");
    assertThat(rc.keys).containsExactly("u1", "u2", "marker");
    assertThat(ra.flushes).isEmpty();
    assertThat(rb.flushes).isEmpty();
    assertThat(rc.flushes).isEmpty();
    assertThat(a.bus.nodeId()).isNotEqualTo(b.bus.nodeId());
    assertThat(a.bus.stats().messagesSent()).isEqualTo(1);
    assertThat(c.bus.stats().messagesReceived()).isEqualTo(2);
  }

  @Test
  void keysArriveExactly() {
    Node a = node();
    Node b = node();
    Recorder rb = b.listen("exact");
    join(a.bus.publish("exact", MessageCodecTest.AWKWARD_KEYS));
    await().atMost(WAIT).until(() -> rb.keys.size() == MessageCodecTest.AWKWARD_KEYS.size());
    assertThat(rb.keys).containsExactlyElementsOf(MessageCodecTest.AWKWARD_KEYS);
    assertThat(rb.keys.get(9)).hasSize(5_000);
  }

  @Test
  void allReachesOtherNodes() {
    Node a = node();
    Node b = node();
    Recorder ra = a.listen("c");
    Recorder rb = b.listen("c");
    join(a.bus.publishAll("c"));
    await().atMost(WAIT).until(() -> rb.flushes.contains("all"));
    b.publish("c", "marker");
    await().atMost(WAIT).until(() -> ra.keys.contains("marker"));
    assertThat(rb.flushes).containsExactly("all");
    assertThat(ra.flushes).isEmpty();
  }

  @Test
  void listenersHearOnlyTheirOwnCache() {
    Node a = node();
    Node b = node();
    Recorder users = b.listen("users");
    Recorder orders = b.listen("orders");
    Recorder orders2 = b.listen("orders");
    a.publish("users", "u1");
    a.publish("orders", "o1");
    join(a.bus.publishAll("orders"));
    a.publish("nobody-listens", "x");
    a.publish("users", "last");
    await().atMost(WAIT).until(() -> users.keys.contains("last"));
    assertThat(users.keys).containsExactly("u1", "last");
    assertThat(users.flushes).isEmpty();
    assertThat(orders.keys).containsExactly("o1");
    assertThat(orders.flushes).containsExactly("all");
    assertThat(orders2.keys).containsExactly("o1");
    assertThat(orders2.flushes).containsExactly("all");
  }

  @Test
  void publishesDuringAPublishInFlightAreCoalesced() {
    Node a = node();
    Node b = node();
    Recorder rb = b.listen("c");
    List<CompletableFuture<Void>> futures = IntStream.range(0, 1_000)
        .mapToObj(i -> a.bus.publish("c", List.of("k" + i))).toList();
    join(CompletableFuture.allOf(futures.toArray(CompletableFuture[]::new)));
    long messages = a.bus.stats().messagesSent();
    System.out.printf("[%s] 1000 publishes in a tight loop went out as %d messages%n",
        getClass().getSimpleName(), messages);
    assertThat(messages).isBetween(1L, 100L);

    await().atMost(WAIT).until(() -> rb.keys.size() >= 1_000);
    Set<String> expected = new HashSet<>();
    IntStream.range(0, 1_000).forEach(i -> expected.add("k" + i));
    assertThat(new HashSet<>(rb.keys)).isEqualTo(expected);
    assertThat(rb.keys).hasSize(1_000);
    assertThat(b.bus.stats().messagesReceived()).isEqualTo(messages);
  }

  @Test
  void largeBatchesAreSplitIntoBoundedMessages() {
    Node a = node();
    Node b = node();
    Recorder rb = b.listen("c");
    List<String> keys = IntStream.range(0, 2_500).mapToObj(i -> "key-" + i).toList();
    join(a.bus.publish("c", keys));
    assertThat(a.bus.stats().messagesSent()).isEqualTo(3); // 1000 + 1000 + 500
    await().atMost(WAIT).until(() -> rb.keys.size() == 2_500);
    assertThat(rb.keys).containsExactlyElementsOf(keys);
    assertThat(b.bus.stats().messagesReceived()).isEqualTo(3);
  }

  @Test
  void closedSubscriptionHearsNothingMore() {
    Node a = node();
    Node b = node();
    Recorder kept = b.listen("c");
    Recorder dropped = new Recorder();
    Subscription subscription = b.bus.subscribe("c", dropped);
    a.publish("c", "k1");
    await().atMost(WAIT).until(() -> dropped.keys.contains("k1") && kept.keys.contains("k1"));

    subscription.close();
    a.publish("c", "k2");
    join(a.bus.publishAll("c"));
    a.publish("c", "k3");
    await().atMost(WAIT).until(() -> kept.keys.contains("k3"));
    assertThat(dropped.keys).containsExactly("k1");
    assertThat(dropped.flushes).isEmpty();
    assertThat(kept.keys).containsExactly("k1", "k2", "k3");
  }

  @Test
  void closedBusRefusesPublishesWithoutThrowing() {
    Node a = node();
    a.close();
    assertThat(a.bus.publish("c", List.of("k"))).isCompletedExceptionally();
    assertThat(a.bus.publishAll("c")).isCompletedExceptionally();
  }

  @Test
  void closeReleasesItsConnectionsAndThreadsButNotTheClient() {
    Node a = node();
    Node b = node();
    Recorder rb = b.listen("c");
    String prefix = NodeIds.clientName(a.bus.nodeId(), "");
    await().atMost(WAIT).until(() -> clientNames().stream().filter(n -> n.startsWith(prefix)).count() == 2);
    assertThat(busThreads(a.bus.nodeId())).isNotEmpty();

    a.bus.close();
    a.bus.close(); // idempotent

    await().atMost(WAIT).until(() -> clientNames().stream().noneMatch(n -> n.startsWith(prefix)));
    await().atMost(WAIT).until(() -> busThreads(a.bus.nodeId()).isEmpty());
    try (var connection = a.client.connect()) {
      assertThat(connection.sync().ping()).isEqualTo("PONG"); // the caller's client still works
    }
    assertThat(a.bus.publish("c", List.of("k"))).isCompletedExceptionally();
    await().during(Duration.ofMillis(300)).atMost(WAIT).until(rb.keys::isEmpty);
  }

  @Test
  void busMayOwnAClientMadeFromAUri() {
    Node b = node();
    Recorder rb = b.listen("c");
    try (RedisInvalidationBus own = newBus(redis.uri(), name)) {
      Recorder mine = new Recorder();
      own.subscribe("c", mine);
      join(own.publish("c", List.of("from-uri")));
      await().atMost(WAIT).until(() -> rb.keys.contains("from-uri"));
      b.publish("c", "to-uri");
      await().atMost(WAIT).until(() -> mine.keys.contains("to-uri"));
    }
  }

  List<String> clientNames() {
    List<String> names = new ArrayList<>();
    for (String line : ((String) admin.command("CLIENT", "LIST")).split("\n")) {
      int start = line.indexOf(" name=");
      if (start >= 0) {
        names.add(line.substring(start + 6, line.indexOf(' ', start + 6)));
      }
    }
    return names;
  }

  static List<String> busThreads(String nodeId) {
    return Thread.getAllStackTraces().keySet().stream()
        .filter(Thread::isAlive)
        .map(Thread::getName)
        .filter(n -> n.startsWith("tiered-cache-bus-") && n.endsWith(nodeId))
        .toList();
  }

  // ---------------------------------------------------------------- faults

  @Test
  void recoversAfterItsReceivingConnectionIsKilled() {
    Node a = node();
    Node b = node();
    Recorder rb = b.listen("c");
    a.publish("c", "before");
    await().atMost(WAIT).until(() -> rb.keys.contains("before"));

    killReceivingConnection(b);
    a.publish("c", "during"); // b is away for the reconnect delay

    if (replaysAfterShortDisconnect()) {
      // The point of the streams transport: b catches up from its last id, and keeps its L1.
      await().atMost(WAIT).until(() -> rb.keys.contains("during"));
      a.publish("c", "after");
      await().atMost(WAIT).until(() -> rb.keys.contains("after"));
      assertThat(rb.keys).containsExactly("before", "during", "after");
      assertThat(rb.flushes).isEmpty();
      assertThat(b.bus.stats().disconnects()).isEqualTo(1);
      assertThat(b.bus.stats().trims()).isZero();
    } else {
      // At most once: "during" is lost for b, which flushes when the subscription drops and again
      // once it is back, because of what was published in between.
      await().atMost(WAIT).until(() -> Collections.frequency(rb.flushes, "disconnect") == 2);
      awaitWorking(a, rb, "c");
      assertThat(rb.keys).doesNotContain("during");
      assertThat(rb.flushes.subList(0, 2)).containsExactly("disconnect", "disconnect");
      // a's next heartbeat also shows b the number of the lost message: a gap, and nothing else
      assertThat(rb.flushes.subList(2, rb.flushes.size())).allMatch("gap"::equals);
      assertThat(b.bus.stats().disconnects()).isEqualTo(1);
    }
  }

  @Test
  void everyNodeFlushesWhenRedisRestartsAndWorksAgain() {
    Node a = node();
    Node b = node();
    Recorder ra = a.listen("c");
    Recorder rb = b.listen("c");
    a.publish("c", "before");
    await().atMost(WAIT).until(() -> rb.keys.contains("before"));

    redis.restart();

    await().atMost(Duration.ofSeconds(10))
        .until(() -> ra.flushes.contains(restartFlushReason()) && rb.flushes.contains(restartFlushReason()));
    awaitWorking(a, rb, "c");
    awaitWorking(b, ra, "c");
  }

  // ---------------------------------------------------------------- measurement

  @Test
  void propagationDelay() {
    Node a = node();
    Node b = node();
    Recorder rb = b.listen("latency");
    int warmUp = 50;
    int count = 500;
    long[] delays = new long[count];
    for (int i = -warmUp; i < count; i++) {
      long start = System.nanoTime();
      a.bus.publish("latency", List.of("k" + i));
      Long arrived;
      try {
        arrived = rb.keyArrivals.poll(WAIT.toMillis(), TimeUnit.MILLISECONDS);
      } catch (InterruptedException e) {
        throw new AssertionError(e);
      }
      assertThat(arrived).as("key %d arrived", i).isNotNull();
      if (i >= 0) {
        delays[i] = arrived - start;
      }
    }
    java.util.Arrays.sort(delays);
    double p50 = delays[count / 2] / 1e6;
    double p99 = delays[(int) Math.ceil(count * 0.99) - 1] / 1e6;
    double max = delays[count - 1] / 1e6;
    System.out.printf("[%s] propagation delay over %d publishes between two nodes: "
        + "p50=%.3f ms p99=%.3f ms max=%.3f ms%n", getClass().getSimpleName(), count, p50, p99, max);
    assertThat(max).as("max propagation delay in ms").isLessThan(1_000.0);
    assertThat(rb.flushes).isEmpty();
  }
}
