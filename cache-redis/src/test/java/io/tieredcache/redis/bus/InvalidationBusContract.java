package io.tieredcache.redis.bus;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisURI;
import io.lettuce.core.resource.ClientResources;
import io.lettuce.core.resource.DefaultClientResources;
import io.tieredcache.spi.InvalidationBus.Subscription;
import io.tieredcache.testkit.IsolatedRedis;
import io.tieredcache.testkit.RedisAdmin;
import io.tieredcache.testkit.RedisServer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
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
 * fault tests kill connections, pause, stop and restart it). Every node is a bus on a {@link
 * RedisClient} of its own, as on separate machines; the clients share one {@link ClientResources}
 * only to save threads, except where a test needs Lettuce's defaults.
 */
@IsolatedRedis
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
abstract class InvalidationBusContract {

  static final Duration WAIT = Duration.ofSeconds(5);
  /** Scheduling slack on a busy machine, on top of what the bus documents. */
  static final Duration MARGIN = Duration.ofMillis(500);

  private ClientResources resources;

  RedisServer redis;
  RedisAdmin admin;
  /** The channel or stream of this test: no test hears another. */
  String name;
  private final List<Node> nodes = new ArrayList<>();

  /** A bus of the transport under test on {@code client}, on channel or stream {@code name}. */
  abstract RedisInvalidationBus newBus(RedisClient client, String name);

  /** A bus of the transport under test with a client of its own for {@code uri}. */
  abstract RedisInvalidationBus newBus(String uri, String name);

  /** The role of the connection on which the transport receives ({@code subscribe}, {@code read}). */
  abstract String receivingRole();

  /** The role of the connection on which the transport sends ({@code publish}, {@code append}). */
  abstract String sendingRole();

  /** Whether the transport replays what a node missed while deaf (then it hears with {@code true}). */
  abstract boolean replays();

  /** How long the transport may hear nothing before it is deaf. */
  abstract Duration silenceTimeout();

  /** Stops the node's heartbeats, if the transport has any. */
  abstract void pauseHeartbeats(Node node);

  @BeforeAll
  void createResources() {
    resources = DefaultClientResources.builder().ioThreadPoolSize(4).computationThreadPoolSize(2).build();
  }

  @AfterAll
  void shutdownResources() {
    resources.shutdown(0, 2, TimeUnit.SECONDS);
  }

  @BeforeEach
  void setUp(RedisServer server) {
    redis = server;
    redis.start(); // in case a test stopped it and failed before starting it again
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
    return node(RedisClient.create(resources, redis.uri()), factory);
  }

  /** A node whose client has a {@code ClientResources} of its own, with Lettuce's defaults. */
  Node nodeWithDefaultResources() {
    return node(RedisClient.create(redis.uri()), client -> newBus(client, name));
  }

  Node node(RedisClient client, Function<RedisClient, RedisInvalidationBus> factory) {
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

    RecordingListener listen(String cache) {
      RecordingListener recorder = new RecordingListener();
      bus.subscribe(cache, recorder);
      return recorder;
    }

    void publish(String cache, String... keys) {
      join(bus.publish(cache, List.of(keys)));
    }

    BusCore core() {
      return ((CoreBackedBus) bus).core();
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

  static void join(CompletableFuture<Void> future) {
    try {
      future.get(WAIT.toMillis(), TimeUnit.MILLISECONDS);
    } catch (Exception e) {
      throw new AssertionError("publish did not complete", e);
    }
  }

  /** Publishes a fresh key from {@code from} until {@code to} hears one: the bus works again. */
  static void awaitWorking(Node from, RecordingListener to, String cache) {
    AtomicInteger attempt = new AtomicInteger();
    await().atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(100)).until(() -> {
      from.bus.publish(cache, List.of("probe-" + attempt.incrementAndGet()));
      return to.keys.stream().anyMatch(k -> k.startsWith("probe-"));
    });
  }

  /** What {@code receiver} last saw of {@code sender}'s numbers (-1: unknown), read in order with deliveries. */
  static long lastSeen(Node receiver, Node sender) {
    return receiver.core().lastSeen(sender.bus.nodeId());
  }

  // ---------------------------------------------------------------- delivery

  @Test
  void deliversToOtherNodesButNeverBackToItsOrigin() {
    Node a = node();
    Node b = node();
    Node c = node();
    RecordingListener ra = a.listen("users");
    RecordingListener rb = b.listen("users");
    RecordingListener rc = c.listen("users");

    a.publish("users", "u1", "u2");
    await().atMost(WAIT).until(() -> rb.keys.size() == 2 && rc.keys.size() == 2);
    b.publish("users", "marker");
    await().atMost(WAIT).until(() -> ra.keys.contains("marker") && rc.keys.contains("marker"));

    assertThat(ra.keys).containsExactly("marker"); // its own u1, u2 came before marker, and were dropped
    assertThat(rb.keys).containsExactly("u1", "u2");
    assertThat(rc.keys).containsExactly("u1", "u2", "marker");
    assertThat(ra.notices).isEmpty();
    assertThat(rb.notices).isEmpty();
    assertThat(rc.notices).isEmpty();
    assertThat(a.bus.nodeId()).isNotEqualTo(b.bus.nodeId());
    assertThat(a.bus.stats().messagesSent()).isEqualTo(1);
    assertThat(c.bus.stats().messagesReceived()).isEqualTo(2);
  }

  @Test
  void keysArriveExactly() {
    Node a = node();
    Node b = node();
    RecordingListener rb = b.listen("exact");
    join(a.bus.publish("exact", MessageCodecTest.AWKWARD_KEYS));
    await().atMost(WAIT).until(() -> rb.keys.size() == MessageCodecTest.AWKWARD_KEYS.size());
    assertThat(rb.keys).containsExactlyElementsOf(MessageCodecTest.AWKWARD_KEYS);
    assertThat(rb.keys.get(9)).hasSize(5_000);
  }

  @Test
  void allReachesOtherNodesWithItsEpoch() {
    Node a = node();
    Node b = node();
    RecordingListener ra = a.listen("c");
    RecordingListener rb = b.listen("c");
    join(a.bus.publishAll("c", 41));
    join(a.bus.publishAll("c", 0));
    await().atMost(WAIT).until(() -> rb.notices.size() == 2);
    b.publish("c", "marker");
    await().atMost(WAIT).until(() -> ra.keys.contains("marker"));
    assertThat(rb.notices).containsExactly("all:41", "all:0");
    assertThat(ra.notices).isEmpty();
  }

  @Test
  void listenersHearOnlyTheirOwnCache() {
    Node a = node();
    Node b = node();
    RecordingListener users = b.listen("users");
    RecordingListener orders = b.listen("orders");
    a.publish("users", "u1");
    a.publish("orders", "o1");
    join(a.bus.publishAll("orders", 3));
    a.publish("nobody-listens", "x");
    a.publish("users", "last");
    await().atMost(WAIT).until(() -> users.keys.contains("last"));
    assertThat(users.keys).containsExactly("u1", "last");
    assertThat(users.notices).isEmpty();
    assertThat(orders.keys).containsExactly("o1");
    assertThat(orders.notices).containsExactly("all:3");
  }

  @Test
  void aSecondCacheOfTheSameNameIsRejected() {
    Node a = node();
    Subscription first = a.bus.subscribe("users", new RecordingListener());
    assertThatThrownBy(() -> a.bus.subscribe("users", new RecordingListener()))
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("'users'")
        .hasMessageContaining("never invalidate each other");
    a.bus.subscribe("orders", new RecordingListener()); // other names are fine
    first.close();
    a.bus.subscribe("users", new RecordingListener()); // and the name is free again once closed
  }

  @Test
  void publishesDuringAPublishInFlightAreCoalesced() {
    Node a = node();
    Node b = node();
    RecordingListener rb = b.listen("c");
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
    RecordingListener rb = b.listen("c");
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
    RecordingListener marker = b.listen("marker");
    RecordingListener dropped = new RecordingListener();
    Subscription subscription = b.bus.subscribe("c", dropped);
    a.publish("c", "k1");
    await().atMost(WAIT).until(() -> dropped.keys.contains("k1"));

    subscription.close();
    a.publish("c", "k2");
    join(a.bus.publishAll("c", 1));
    a.publish("marker", "m");
    await().atMost(WAIT).until(() -> marker.keys.contains("m"));
    assertThat(dropped.keys).containsExactly("k1");
    assertThat(dropped.notices).isEmpty();
  }

  @Test
  void closedBusRefusesPublishesAndSubscriptionsWithoutHanging() {
    Node a = node();
    a.close();
    assertThat(a.bus.publish("c", List.of("k"))).isCompletedExceptionally();
    assertThat(a.bus.publishAll("c", 1)).isCompletedExceptionally();
    assertThatThrownBy(() -> a.bus.subscribe("c", new RecordingListener()))
        .isInstanceOf(IllegalStateException.class);
  }

  @Test
  void closeReleasesItsConnectionsAndThreadsButNotTheClient() {
    Node a = node();
    Node b = node();
    RecordingListener rb = b.listen("c");
    String suffix = NodeIds.clientNameSuffix(a.bus.nodeId(), "");
    await().atMost(WAIT).until(() -> clients(suffix).size() == 2);
    assertThat(busThreads(a.bus.nodeId())).isNotEmpty();

    a.bus.close();
    a.bus.close(); // idempotent

    await().atMost(WAIT).until(() -> clients(suffix).isEmpty());
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
    RecordingListener rb = b.listen("c");
    try (RedisInvalidationBus own = newBus(redis.uri(), name)) {
      RecordingListener mine = new RecordingListener();
      own.subscribe("c", mine);
      join(own.publish("c", List.of("from-uri")));
      await().atMost(WAIT).until(() -> rb.keys.contains("from-uri"));
      b.publish("c", "to-uri");
      await().atMost(WAIT).until(() -> mine.keys.contains("to-uri"));
    }
  }

  /** Id to name of every client connection whose name contains {@code part}. */
  Map<String, String> clients(String part) {
    Map<String, String> clients = new LinkedHashMap<>();
    for (String line : ((String) admin.command("CLIENT", "LIST")).split("\n")) {
      int start = line.indexOf(" name=");
      if (start >= 0) {
        String clientName = line.substring(start + 6, line.indexOf(' ', start + 6));
        if (clientName.contains(part)) {
          clients.put(line.substring(3, line.indexOf(' ')), clientName);
        }
      }
    }
    return clients;
  }

  static List<String> busThreads(String nodeId) {
    return Thread.getAllStackTraces().keySet().stream()
        .filter(Thread::isAlive)
        .map(Thread::getName)
        .filter(n -> n.startsWith("tiered-cache-bus-") && n.endsWith(nodeId))
        .toList();
  }

  /** Kills the connection of {@code node} that has {@code role}, found by its client name. */
  void kill(Node node, String role) {
    Map<String, String> found = clients(NodeIds.clientNameSuffix(node.bus.nodeId(), role));
    assertThat(found).as("%s connection of %s", role, node.bus.nodeId()).hasSize(1);
    assertThat(admin.command("CLIENT", "KILL", "ID", found.keySet().iterator().next())).isEqualTo(1L);
  }

  // ---------------------------------------------------------------- client names

  @Test
  void clientNamesKeepTheUsersNameAndStayTheSameAcrossReconnects() {
    RedisURI uri = RedisURI.builder(RedisURI.create(redis.uri())).withClientName("orders-service").build();
    Node named = node(RedisClient.create(resources, uri), client -> newBus(client, name));
    Node unnamed = node();
    String namedSuffix = NodeIds.clientNameSuffix(named.bus.nodeId(), "");
    String unnamedSuffix = NodeIds.clientNameSuffix(unnamed.bus.nodeId(), "");
    Map<String, String> before = clients(namedSuffix);
    assertThat(before.values()).containsExactlyInAnyOrder(
        "orders-service:" + NodeIds.clientNameSuffix(named.bus.nodeId(), receivingRole()),
        "orders-service:" + NodeIds.clientNameSuffix(named.bus.nodeId(), sendingRole()));
    assertThat(clients(unnamedSuffix).values()).containsExactlyInAnyOrder(
        NodeIds.clientNameSuffix(unnamed.bus.nodeId(), receivingRole()),
        NodeIds.clientNameSuffix(unnamed.bus.nodeId(), sendingRole()));
    try (var own = named.client.connect()) { // the user's other connections keep the user's name
      assertThat(own.sync().clientGetname()).isEqualTo("orders-service");
    }

    kill(named, receivingRole());
    kill(named, sendingRole());
    await().atMost(WAIT).until(() -> named.bus.stats().reconnects() == 2);
    await().atMost(WAIT).until(() -> clients(namedSuffix).size() == 2);
    Map<String, String> after = clients(namedSuffix);
    assertThat(after.keySet()).doesNotContainAnyElementsOf(before.keySet()); // fresh connections
    assertThat(new HashSet<>(after.values())).isEqualTo(new HashSet<>(before.values()));

    RecordingListener ru = unnamed.listen("c");
    RecordingListener rn = named.listen("c");
    awaitWorking(named, ru, "c");
    awaitWorking(unnamed, rn, "c");
    assertThat(clients(namedSuffix)).isEqualTo(after); // still, after using them
  }

  // ---------------------------------------------------------------- losses (items 4 and 12)

  @Test
  void aLossFollowedByACleanCloseIsNoticed() {
    Node a = node();
    Node b = node();
    RecordingListener rb = b.listen("c");
    a.publish("c", "k1");
    await().atMost(WAIT).until(() -> rb.keys.contains("k1"));
    pauseHeartbeats(a); // only the goodbye may tell

    a.core().outbox.loseNextMessages(1);
    a.publish("c", "lost"); // numbered, never reached Redis
    a.close();
    await().atMost(WAIT).until(() -> rb.notices.contains("lost:gap"));
    assertThat(rb.notices).containsExactly("lost:gap");
    assertThat(rb.keys).containsExactly("k1");
    await().atMost(WAIT).until(() -> lastSeen(b, a) == -1); // then forgotten
  }

  @Test
  void aCleanCloseIsNoLoss() {
    Node a = node();
    Node b = node();
    RecordingListener rb = b.listen("c");
    a.publish("c", "k");
    await().atMost(WAIT).until(() -> rb.keys.contains("k"));
    a.close();
    await().atMost(WAIT).until(() -> lastSeen(b, a) == -1);
    await().during(silenceTimeout().plus(MARGIN)).atMost(silenceTimeout().multipliedBy(3))
        .until(rb.notices::isEmpty);
  }

  @Test
  void theFirstMessageHeardFromANodeRevealsALossBeforeIt() {
    Node a = node();
    pauseHeartbeats(a); // b must not hear of a before its first message
    Node b = node();
    RecordingListener rb = b.listen("c");
    a.core().outbox.loseNextMessages(1);
    a.publish("c", "lost");
    a.publish("c", "next");
    await().atMost(WAIT).until(() -> rb.keys.contains("next"));
    b.core().sync();
    assertThat(rb.notices).containsExactly("lost:gap");
    assertThat(rb.keys).containsExactly("next");
  }

  @Test
  void theFirstMessageHeardFromANodeIsABaselineWhenNothingFailed() {
    Node a = node();
    pauseHeartbeats(a);
    a.publish("c", "before-b");
    Node b = node();
    RecordingListener rb = b.listen("c");
    a.publish("c", "next");
    await().atMost(WAIT).until(() -> rb.keys.contains("next"));
    b.core().sync();
    assertThat(rb.notices).isEmpty();
    assertThat(rb.keys).containsExactly("next");
  }

  @Test
  void aLossRightAfterANodeStartsIsNoticed() {
    Node b = node();
    RecordingListener rb = b.listen("c");
    Node a = node();
    await().atMost(WAIT).until(() -> lastSeen(b, a) == 0); // a's hello
    a.core().outbox.loseNextMessages(1);
    a.publish("c", "1-lost");
    a.publish("c", "2");
    await().atMost(WAIT).until(() -> rb.keys.contains("2"));
    b.core().sync();
    assertThat(rb.notices).containsExactly("lost:gap");
    assertThat(b.bus.stats().gaps()).isEqualTo(1);
  }

  @Test
  void lostMessageShowsAsAGapWithTheNextOne() {
    Node a = node();
    Node b = node();
    RecordingListener rb = b.listen("c");
    a.publish("c", "first");
    await().atMost(WAIT).until(() -> rb.keys.contains("first"));

    a.core().outbox.loseNextMessages(1);
    a.publish("c", "lost");
    a.publish("c", "next");
    await().atMost(WAIT).until(() -> rb.keys.contains("next"));
    b.core().sync();
    assertThat(rb.keys).containsExactly("first", "next");
    assertThat(rb.notices).containsExactly("lost:gap");
    assertThat(b.bus.stats().gaps()).isEqualTo(1);
  }

  // ---------------------------------------------------------------- deaf and hearing

  @Test
  void aKilledReceivingConnectionIsDeafOnceThenHearsAgain() {
    Node a = node();
    Node b = node();
    RecordingListener rb = b.listen("c");
    a.publish("c", "before");
    await().atMost(WAIT).until(() -> rb.keys.contains("before"));

    long killedAt = System.nanoTime();
    kill(b, receivingRole());
    a.publish("c", "during"); // b may or may not be listening again yet
    await().atMost(WAIT).until(() -> rb.notices.size() >= 2);
    a.publish("c", "after");
    await().atMost(WAIT).until(() -> rb.keys.contains("after"));
    b.core().sync();

    // whatever b missed of a reached Redis while b was deaf: onDeaf covered it, nothing else is said
    assertThat(rb.notices).containsExactly("deaf:disconnect", "hearing:" + replays());
    assertThat(rb.deafSince.get(0)).isLessThanOrEqualTo(killedAt);
    if (replays()) {
      assertThat(rb.keys).containsExactly("before", "during", "after");
    }
    assertThat(b.bus.stats().disconnects()).isEqualTo(1);
    assertThat(b.bus.stats().reconnects()).isEqualTo(1);
    assertThat(b.bus.stats().gaps()).isZero();
  }

  @Test
  void aStalledRedisMakesEveryNodeDeafOnceThenHearingAgain() {
    Node a = node();
    Node b = node();
    RecordingListener ra = a.listen("c");
    RecordingListener rb = b.listen("c");
    a.publish("c", "before");
    await().atMost(WAIT).until(() -> rb.keys.contains("before"));

    Duration pause = silenceTimeout().multipliedBy(2); // 1.5 s: twice the timeout, once deaf
    long pausedAt = System.nanoTime();
    admin.pauseClients(pause);
    await().atMost(silenceTimeout().plus(Duration.ofMillis(250)).plus(MARGIN))
        .until(() -> ra.notices.contains("deaf:silence") && rb.notices.contains("deaf:silence"));
    System.out.printf("[%s] stalled Redis: deaf after %d ms (timeout %d ms)%n", getClass().getSimpleName(),
        TimeUnit.NANOSECONDS.toMillis(rb.healthArrivals.get(0) - pausedAt), silenceTimeout().toMillis());
    assertThat(admin.ping()).isEqualTo("PONG"); // waits for the pause to end
    await().atMost(WAIT).until(() -> ra.notices.size() == 2 && rb.notices.size() == 2);
    awaitWorking(a, rb, "c");
    awaitWorking(b, ra, "c");

    for (RecordingListener r : List.of(ra, rb)) {
      assertThat(r.notices).containsExactly("deaf:silence", "hearing:" + replays());
      // the last moment it heard everything: before the pause, and at least the timeout before it said so
      assertThat(r.deafSince.get(0)).isLessThanOrEqualTo(r.healthArrivals.get(0) - silenceTimeout().toNanos());
      assertThat(r.deafSince.get(0)).isGreaterThan(pausedAt - MARGIN.toNanos());
    }
    assertThat(b.bus.stats().silences()).isEqualTo(1);
    assertThat(b.bus.stats().deafSpells()).isEqualTo(1);
  }

  @Test
  void afterAFifteenSecondOutageEveryNodeWasDeafOnceAndInvalidationWorksWithinASecond() {
    // Lettuce's default reconnect delay grows exponentially: by the end of a 15 s outage it is
    // seconds long. The bus must not wait for it.
    Node a = nodeWithDefaultResources();
    Node b = nodeWithDefaultResources();
    RecordingListener ra = a.listen("c");
    RecordingListener rb = b.listen("c");
    a.publish("c", "before");
    await().atMost(WAIT).until(() -> rb.keys.contains("before"));

    long stopping = System.nanoTime();
    redis.stop();
    long stopped = System.nanoTime();
    await().atMost(WAIT).until(() -> ra.notices.contains("deaf:disconnect") && rb.notices.contains("deaf:disconnect"));
    CompletableFuture<Void> duringOutage = a.bus.publish("c", List.of("written-during-the-outage"));
    assertThatThrownBy(() -> duringOutage.get(WAIT.toMillis(), TimeUnit.MILLISECONDS))
        .isInstanceOf(ExecutionException.class);
    // told once, not again every timeout while it lasts
    await().during(Duration.ofSeconds(14)).atMost(Duration.ofSeconds(15))
        .until(() -> ra.notices.equals(List.of("deaf:disconnect")) && rb.notices.equals(List.of("deaf:disconnect")));

    redis.start(); // returns once it answers PING
    long started = System.nanoTime();
    AtomicInteger attempt = new AtomicInteger();
    await().atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(10)).until(() -> {
      a.bus.publish("c", List.of("probe-" + attempt.incrementAndGet()));
      return rb.keys.stream().anyMatch(k -> k.startsWith("probe-"));
    });
    long recoveredMillis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started);
    System.out.printf("[%s] after a 15 s outage (default ClientResources), a's invalidation reached b"
        + " %d ms after Redis answered PING again (%d probes)%n",
        getClass().getSimpleName(), recoveredMillis, attempt.get());
    assertThat(recoveredMillis).isLessThan(1_000);

    awaitWorking(b, ra, "c");
    b.core().sync();
    for (RecordingListener r : List.of(ra, rb)) {
      assertThat(r.noticesStartingWith("deaf:")).containsExactly("deaf:disconnect");
      assertThat(r.noticesStartingWith("hearing:")).containsExactly("hearing:false"); // Redis came back empty
      assertThat(r.deafSince.get(0)).isBetween(stopping - Duration.ofSeconds(1).toNanos(), stopped);
    }
    // a's publish during the outage failed: b must not think it heard everything of a
    assertThat(rb.notices).contains("lost:gap");
    assertThat(rb.keys).doesNotContain("written-during-the-outage");
  }

  @Test
  void closeNeverHangsWhileRedisIsDown() {
    Node a = node();
    a.listen("c");
    a.bus.publish("c", List.of("k"));
    redis.stop();
    assertTimeoutPreemptively(Duration.ofSeconds(10), a::close);
    redis.start();
    await().atMost(WAIT).until(() -> busThreads(a.bus.nodeId()).isEmpty());
  }

  // ---------------------------------------------------------------- measurement

  @Test
  void propagationDelay() throws InterruptedException, TimeoutException {
    Node a = node();
    Node b = node();
    RecordingListener rb = b.listen("latency");
    int warmUp = 50;
    int count = 500;
    long[] delays = new long[count];
    for (int i = -warmUp; i < count; i++) {
      long start = System.nanoTime();
      a.bus.publish("latency", List.of("k" + i));
      Long arrived = rb.keyArrivals.poll(WAIT.toMillis(), TimeUnit.MILLISECONDS);
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
    assertThat(rb.notices).isEmpty();
  }
}
