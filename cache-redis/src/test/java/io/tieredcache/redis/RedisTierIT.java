package io.tieredcache.redis;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.github.resilience4j.circuitbreaker.CircuitBreakerConfig;
import io.github.resilience4j.circuitbreaker.CircuitBreakerRegistry;
import io.lettuce.core.RedisClient;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.tieredcache.spi.FillOutcome;
import io.tieredcache.spi.Lease;
import io.tieredcache.spi.RemoteEntry;
import io.tieredcache.spi.RemoteErrorKind;
import io.tieredcache.spi.RemoteTier;
import io.tieredcache.spi.WriteResult;
import io.tieredcache.spi.RemoteTier.LeasedEntry;
import io.tieredcache.testkit.RedisAdmin;
import io.tieredcache.testkit.RedisExtension;
import io.tieredcache.testkit.RedisServer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import tools.jackson.core.type.TypeReference;

/** The tier against a real Redis shared with other tests: every test has its own key prefix. */
@ExtendWith(RedisExtension.class)
class RedisTierIT {

  record Item(String name, int quantity) {}

  /** A value Jackson cannot write when its text is "boom". */
  record Fragile(String text) {
    @Override
    public String text() {
      if ("boom".equals(text)) {
        throw new IllegalStateException("this value refuses to be written");
      }
      return text;
    }
  }

  /** Functional tests are not about timing: a generous limit keeps them steady on a busy machine. */
  private static final Duration RELAXED = Duration.ofSeconds(2);
  private static final Duration MINUTE = Duration.ofMinutes(1);
  private static RedisClient nodeA;
  private static RedisClient nodeB;
  private static RedisAdmin admin;

  private final RecordingEvents events = new RecordingEvents();
  private final List<RemoteTier<?, ?>> tiers = new ArrayList<>();
  private String prefix;

  @BeforeAll
  static void connect(RedisServer redis) {
    Tiers.warmUp(redis.uri());
    nodeA = Tiers.client(redis.uri());
    nodeB = Tiers.client(redis.uri());
    admin = redis.admin();
  }

  @AfterAll
  static void disconnect() {
    admin.close();
    nodeA.shutdown(0, 2, TimeUnit.SECONDS);
    nodeB.shutdown(0, 2, TimeUnit.SECONDS);
  }

  @BeforeEach
  void newPrefix() {
    prefix = Tiers.uniquePrefix();
  }

  @AfterEach
  void closeTiers() {
    tiers.forEach(RemoteTier::close);
    for (String key : admin.scan(prefix + ":*")) {
      admin.command("UNLINK", key);
    }
  }

  private <V> RemoteTier<String, V> tier(RedisTier.Builder<V> builder, String cacheName) {
    RemoteTier<String, V> tier = Tiers.create(builder.keyPrefix(prefix).timeout(RELAXED).build(), cacheName, events);
    tiers.add(tier);
    return tier;
  }

  private RemoteTier<String, Item> items(RedisClient client, String cacheName) {
    return tier(RedisTier.builder(client).valueType(Item.class), cacheName);
  }

  private static <V> Map<String, RemoteEntry<V>> hits(Map<String, RemoteEntry<V>> found) {
    Map<String, RemoteEntry<V>> hits = new LinkedHashMap<>();
    found.forEach((key, entry) -> {
      if (entry.isHit()) {
        hits.put(key, entry);
      }
    });
    return hits;
  }

  @Test
  void storesAndReadsAValueWithItsTimestamps() {
    var tier = items(nodeA, "items");
    var entry = RemoteEntry.value(new Item("tea", 3), 60_000, 1_700_000_000_000L, 1_700_000_030_000L, 5_000_000);
    tier.putAll(Map.of("k1", entry)).join();

    RemoteEntry<Item> read = tier.get("k1").join();
    assertThat(read.kind()).isEqualTo(RemoteEntry.Kind.VALUE);
    assertThat(read.value()).isEqualTo(new Item("tea", 3));
    assertThat(read.writtenAtMillis()).isEqualTo(1_700_000_000_000L);
    assertThat(read.softExpiresAtMillis()).isEqualTo(1_700_000_030_000L);
    assertThat(read.loadNanos()).isEqualTo(5_000_000);
    assertThat(tier.get("other").join()).isEqualTo(RemoteEntry.miss());
    assertThat(events.total()).isZero();
  }

  @Test
  void everyWriteCarriesItsTtlAndAbsentMarkersTheirOwn() {
    var tier = items(nodeA, "ttl");
    tier.putAll(Map.of(
        "value", Tiers.value(new Item("a", 1), Duration.ofSeconds(30)),
        "absent", RemoteEntry.absent(5_000, System.currentTimeMillis()))).join();

    long valueTtl = (Long) admin.command("PTTL", Tiers.valueKey(prefix, "ttl", "value"));
    long absentTtl = (Long) admin.command("PTTL", Tiers.valueKey(prefix, "ttl", "absent"));
    assertThat(valueTtl).isBetween(25_000L, 30_000L);
    assertThat(absentTtl).isBetween(1_000L, 5_000L);

    assertThat(tier.get("absent").join().kind()).isEqualTo(RemoteEntry.Kind.ABSENT);
    assertThat(admin.getBytes(Tiers.valueKey(prefix, "ttl", "absent"))).hasSize(Envelope.HEADER_BYTES);
  }

  @Test
  void readsGenericValueTypes() {
    RemoteTier<String, List<Item>> tier = tier(RedisTier.builder(nodeA).valueType(new TypeReference<List<Item>>() {}), "lists");
    var value = List.of(new Item("a", 1), new Item("b", 2));
    tier.putAll(Map.of("both", Tiers.value(value, MINUTE))).join();

    List<Item> read = tier.get("both").join().value();
    assertThat(read).isEqualTo(value);
    assertThat(read.get(0)).isInstanceOf(Item.class);
  }

  @Test
  void anyKeyIsSafe() {
    RemoteTier<String, String> tier = tier(RedisTier.builder(nodeA).valueType(String.class), "odd keys");
    List<String> keys = List.of("", " ", "with space", "{", "}", "{}", "}{", "{user}:1", "a*b?[c]", "ключ ✓ 😀",
        "line\nbreak", "k".repeat(10_000), "k".repeat(10_001));
    Map<String, RemoteEntry<String>> entries = new LinkedHashMap<>();
    for (int i = 0; i < keys.size(); i++) {
      entries.put(keys.get(i), Tiers.value("value " + i, MINUTE));
    }
    tier.putAll(entries).join();

    for (int i = 0; i < keys.size(); i++) {
      assertThat(tier.get(keys.get(i)).join().value()).as("key #%d", i).isEqualTo("value " + i);
    }
    Map<String, RemoteEntry<String>> all = tier.getAll(keys).join();
    assertThat(all).hasSize(keys.size());
    assertThat(all.get("k".repeat(10_000)).value()).isEqualTo("value 11");
    List<String> stored = admin.scan(prefix + ":*");
    assertThat(stored).hasSize(keys.size()).allSatisfy(key -> assertThat(key.length()).isLessThan(700));
    assertThat(events.total()).isZero();
  }

  @Test
  void twoCachesWithTheSameKeyDoNotCollide() {
    var first = items(nodeA, "a");
    var second = items(nodeA, "b");
    var tricky = items(nodeA, "a:b");
    first.putAll(Map.of("k", Tiers.value(new Item("first", 1), MINUTE))).join();
    second.putAll(Map.of("k", Tiers.value(new Item("second", 2), MINUTE))).join();
    tricky.putAll(Map.of("k", Tiers.value(new Item("tricky", 3), MINUTE))).join();

    assertThat(first.get("k").join().value().name()).isEqualTo("first");
    assertThat(second.get("k").join().value().name()).isEqualTo("second");
    assertThat(tricky.get("k").join().value().name()).isEqualTo("tricky");
    // Another application (prefix) with the same cache and key.
    var otherApp = Tiers.create(RedisTier.builder(nodeA).valueType(Item.class).keyPrefix(prefix + "x").timeout(RELAXED).build(), "a", events);
    tiers.add(otherApp);
    assertThat(otherApp.get("k").join().isHit()).isFalse();
  }

  @Test
  void invalidateAllRetiresOnlyItsOwnCacheAndFencesLoadsThatBeganBefore() {
    var users = items(nodeA, "users");
    var usersOnB = items(nodeB, "users");
    var lookalike = items(nodeA, "users:x");
    var neighbour = items(nodeA, "users2");
    Map<String, RemoteEntry<Item>> many = new LinkedHashMap<>();
    for (int i = 0; i < 2_500; i++) {
      many.put("u" + i, Tiers.value(new Item("u", i), MINUTE));
    }
    users.putAll(many).join();
    Lease before = users.acquireLeases(List.of("loading")).join().get("loading");
    lookalike.putAll(Map.of("u1", Tiers.value(new Item("x", 1), MINUTE))).join();
    neighbour.putAll(Map.of("u1", Tiers.value(new Item("n", 1), MINUTE))).join();
    assertThat(usersOnB.get("u1").join().isHit()).isTrue();

    assertThat(users.invalidateAll().join()).isEqualTo(1L);

    assertThat(users.get("u1").join().isHit()).isFalse();
    assertThat(lookalike.get("u1").join().value().name()).isEqualTo("x");
    assertThat(neighbour.get("u1").join().value().name()).isEqualTo("n");
    // A load that took its lease before cannot put its value back.
    assertThat(users.fill(Map.of("loading", new LeasedEntry<>(before, Tiers.value(new Item("old", 0), MINUTE)))).join())
        .containsExactly(Map.entry("loading", FillOutcome.FENCED));
    assertThat(users.get("loading").join().isHit()).isFalse();
    // Another node switches when told (the core relays the epoch on its bus).
    usersOnB.advanceEpoch(1);
    assertThat(usersOnB.get("u1").join().isHit()).isFalse();
    // The retired keys stay until their TTL: nothing was scanned or deleted.
    assertThat(admin.getBytes(Tiers.valueKey(prefix, "users", "u1"))).isNotNull();
    assertThat((Long) admin.command("PTTL", Tiers.valueKey(prefix, "users", "u1"))).isPositive();
    assertThat(admin.getBytes(prefix + ":users:epoch")).asString(UTF_8).isEqualTo("1");
  }

  @Test
  void aNodeThatMissedInvalidateAllLearnsItFromItsOwnCheck() {
    var a = items(nodeA, "missed-all");
    var eventsOnB = new RecordingEvents();
    RemoteTier<String, Item> b = Tiers.create(RedisTier.builder(nodeB).valueType(Item.class).keyPrefix(prefix)
        .timeout(RELAXED).epochCheckInterval(Duration.ofMillis(100)).build(), "missed-all", eventsOnB);
    tiers.add(b);
    a.putAll(Map.of("k", Tiers.value(new Item("old", 1), MINUTE))).join();
    assertThat(b.get("k").join().isHit()).isTrue();

    a.invalidateAll().join(); // B hears nothing of it

    await().atMost(Duration.ofSeconds(3)).until(() -> eventsOnB.epochMoves() == 1);
    assertThat(b.get("k").join().isHit()).isFalse();
  }

  @Test
  void aWriteFromANodeThatMissedInvalidateAllAlsoReachesTheNewEpoch() {
    // Neither checks the epoch on its own during the test: only the write may find the move.
    var behind = tier(RedisTier.builder(nodeA).valueType(Item.class).epochCheckInterval(Duration.ofHours(1)), "chase");
    var ahead = tier(RedisTier.builder(nodeB).valueType(Item.class).epochCheckInterval(Duration.ofHours(1)), "chase");
    assertThat(behind.get("k").join().isHit()).isFalse(); // knows epoch 0
    assertThat(ahead.invalidateAll().join()).isEqualTo(1L); // the behind node hears nothing of it
    // In the new epoch: a value loaded before the write below, and a load under way.
    ahead.putAll(Map.of("k", Tiers.value(new Item("old", 1), MINUTE))).join();
    Lease loading = ahead.acquireLeases(List.of("loading")).join().get("loading");

    assertThat(behind.invalidate(List.of("k", "loading")).join().isComplete()).isTrue();

    assertThat(ahead.get("k").join().isHit()).as("the older value is gone from the new epoch").isFalse();
    assertThat(ahead.fill(Map.of("loading", new LeasedEntry<>(loading, Tiers.value(new Item("old", 0), MINUTE)))).join())
        .containsExactly(Map.entry("loading", FillOutcome.FENCED));
    // The write taught the behind node the epoch: its next write lands in it directly.
    behind.putAll(Map.of("p", Tiers.value(new Item("new", 2), MINUTE))).join();
    assertThat(ahead.get("p").join().value()).isEqualTo(new Item("new", 2));
  }

  @Test
  void resyncReportsWhetherTheEpochMoved() {
    var a = items(nodeA, "resync");
    var b = items(nodeB, "resync");
    assertThat(b.get("k").join().isHit()).isFalse(); // B knows epoch 0
    assertThat(b.resync().join()).isFalse();

    a.invalidateAll().join();

    assertThat(b.resync().join()).isTrue();
    assertThat(b.resync().join()).isFalse();
  }

  @Test
  void anEpochCounterThatWentBackIsRaisedToTheHighestAnyNodeKnew() {
    var a = tier(RedisTier.builder(nodeA).valueType(Item.class).epochCheckInterval(Duration.ofMillis(100)), "lost");
    a.invalidateAll().join();
    a.invalidateAll().join();

    admin.command("DEL", prefix + ":lost:epoch"); // as if Redis restarted without its data

    await().atMost(Duration.ofSeconds(3))
        .until(() -> "2".equals(admin.getBytes(prefix + ":lost:epoch") == null ? null
            : new String(admin.getBytes(prefix + ":lost:epoch"), UTF_8)));
  }

  @Test
  void invalidateDeletesValuesAndTheirLeases() {
    var tier = items(nodeA, "inv");
    tier.putAll(Map.of("a", Tiers.value(new Item("a", 1), MINUTE), "b", Tiers.value(new Item("b", 2), MINUTE))).join();
    tier.acquireLeases(List.of("c")).join();

    tier.invalidate(List.of("a", "c")).join();

    assertThat(hits(tier.getAll(List.of("a", "b", "c")).join())).containsOnlyKeys("b");
    assertThat(admin.getBytes(Tiers.leaseKey(prefix, "inv", "c"))).isNull();
  }

  @Test
  void undecodableEntriesAreMissesThatGetDeleted() {
    var tier = items(nodeA, "garbage");
    String bad = Tiers.valueKey(prefix, "garbage", "bad");
    String alsoBad = Tiers.valueKey(prefix, "garbage", "also bad");
    admin.setBytes(bad, "{\"written by\":\"someone else\"}".getBytes(UTF_8));
    admin.setBytes(alsoBad, new byte[] {(byte) 0xE7, 0x1C, 9, 0});
    tier.putAll(Map.of("good", Tiers.value(new Item("good", 1), MINUTE))).join();

    assertThat(tier.get("bad").join()).isEqualTo(RemoteEntry.miss());
    await().atMost(Duration.ofSeconds(5)).until(() -> admin.getBytes(bad) == null);
    assertThat(events.count(RemoteErrorKind.DECODE)).isEqualTo(1);
    assertThat(events.all().get(0).cause()).hasMessageContaining("garbage").hasMessageContaining("bad");

    admin.setBytes(bad, "junk".getBytes(UTF_8));
    Map<String, RemoteEntry<Item>> found = tier.getAll(List.of("bad", "good", "also bad", "missing")).join();
    assertThat(found).containsOnlyKeys("bad", "good", "also bad", "missing");
    assertThat(hits(found)).as("decoded by the caller: the undecodable are misses").containsOnlyKeys("good");
    await().atMost(Duration.ofSeconds(5)).until(() -> admin.getBytes(bad) == null && admin.getBytes(alsoBad) == null);
    assertThat(events.count(RemoteErrorKind.DECODE)).isEqualTo(3);
    assertThat(events.total()).isEqualTo(3);
  }

  @Test
  void oversizedValuesAreNotStoredButCounted() {
    RemoteTier<String, String> tier = tier(RedisTier.builder(nodeA).valueType(String.class).maxValueBytes(1_024), "big");
    tier.putAll(Map.of("k", Tiers.value("small", MINUTE))).join();

    tier.putAll(Map.of("k", Tiers.value("x".repeat(10_000), MINUTE), "other", Tiers.value("fine", MINUTE))).join();

    assertThat(events.count(RemoteErrorKind.ENCODE)).isEqualTo(1);
    assertThat(events.all().get(0).cause()).hasMessageContaining("maxValueBytes");
    // The older value did not survive the write that could not be stored.
    assertThat(tier.get("k").join().isHit()).isFalse();
    assertThat(tier.get("other").join().value()).isEqualTo("fine");
  }

  @Test
  void compressesLargeValuesWhenAsked() {
    RemoteTier<String, String> tier = tier(RedisTier.builder(nodeA).valueType(String.class).compressAbove(256), "zip");
    String text = "compress me please ".repeat(5_000);
    tier.putAll(Map.of("k", Tiers.value(text, MINUTE))).join();

    byte[] stored = admin.getBytes(Tiers.valueKey(prefix, "zip", "k"));
    assertThat(stored.length).isLessThan(text.length() / 20);
    assertThat(stored[3] & Envelope.FLAG_DEFLATED).isNotZero();
    assertThat(tier.get("k").join().value()).isEqualTo(text);
  }

  @Test
  void anUnencodableValueFailsTheApplicationWriteWithAClearError() {
    RemoteTier<String, Fragile> tier = tier(RedisTier.builder(nodeA).valueType(Fragile.class), "fragile");
    tier.putAll(Map.of("bad", Tiers.value(new Fragile("old"), MINUTE))).join();

    WriteResult<String> write = tier.putAll(Map.of(
        "bad", Tiers.value(new Fragile("boom"), MINUTE),
        "ok", Tiers.value(new Fragile("fine"), MINUTE))).join();

    assertThat(write.unapplied()).isEmpty();
    assertThat(write.refused()).containsOnlyKeys("bad");
    assertThat(write.refused().get("bad")).isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("'bad'").hasMessageContaining("fragile").hasMessageContaining("refuses to be written");
    assertThat(tier.get("ok").join().value().text()).isEqualTo("fine");
    assertThat(tier.get("bad").join().isHit()).as("the older value is gone").isFalse();
  }

  @Test
  void anUnencodableLoadedValueIsSkippedAndReported() {
    RemoteTier<String, Fragile> tier = tier(RedisTier.builder(nodeA).valueType(Fragile.class), "fragile-fill");
    Lease lease = tier.acquireLeases(List.of("k")).join().get("k");
    assertThat(lease.state()).isEqualTo(Lease.State.ACQUIRED);

    Map<String, FillOutcome> stored = tier.fill(Map.of("k", new LeasedEntry<>(lease, Tiers.value(new Fragile("boom"), MINUTE)))).join();

    assertThat(stored).as("not fenced: L1 may keep it").containsExactly(Map.entry("k", FillOutcome.SKIPPED));
    assertThat(events.count(RemoteErrorKind.ENCODE)).isEqualTo(1);
    assertThat(tier.get("k").join().isHit()).isFalse();
    assertThat(admin.getBytes(Tiers.leaseKey(prefix, "fragile-fill", "k"))).as("lease released").isNull();
  }

  @Test
  void oneNodeLoadsWhileTheOtherWaitsThenReadsTheFill() {
    var a = items(nodeA, "leases");
    var b = items(nodeB, "leases");

    Lease leaseA = a.acquireLeases(List.of("k")).join().get("k");
    Lease leaseB = b.acquireLeases(List.of("k")).join().get("k");
    assertThat(leaseA.state()).isEqualTo(Lease.State.ACQUIRED);
    assertThat(leaseB.state()).isEqualTo(Lease.State.HELD_ELSEWHERE);
    long leaseTtl = (Long) admin.command("PTTL", Tiers.leaseKey(prefix, "leases", "k"));
    assertThat(leaseTtl).isBetween(1L, RedisTier.DEFAULT_LEASE_TTL.toMillis());

    Map<String, FillOutcome> stored = a.fill(Map.of("k", new LeasedEntry<>(leaseA, Tiers.value(new Item("loaded", 1), MINUTE)))).join();

    assertThat(stored).containsExactly(Map.entry("k", FillOutcome.STORED));
    assertThat(b.get("k").join().value().name()).isEqualTo("loaded");
    assertThat(admin.getBytes(Tiers.leaseKey(prefix, "leases", "k"))).as("lease released by the fill").isNull();
    long ttl = (Long) admin.command("PTTL", Tiers.valueKey(prefix, "leases", "k"));
    assertThat(ttl).isBetween(50_000L, 60_000L);
  }

  @Test
  void anInvalidationVoidsTheLeaseSoAStaleFillIsRefused() {
    var a = items(nodeA, "fenced");
    var b = items(nodeB, "fenced");
    Lease lease = a.acquireLeases(List.of("k")).join().get("k");

    b.invalidate(List.of("k")).join();
    Map<String, FillOutcome> stored = a.fill(Map.of("k", new LeasedEntry<>(lease, Tiers.value(new Item("stale", 1), MINUTE)))).join();

    assertThat(stored).containsExactly(Map.entry("k", FillOutcome.FENCED));
    assertThat(b.get("k").join().isHit()).isFalse();
  }

  @Test
  void anApplicationWriteVoidsTheLeaseAndWins() {
    var a = items(nodeA, "fenced-put");
    var b = items(nodeB, "fenced-put");
    Map<String, Lease> leases = a.acquireLeases(List.of("k", "untouched")).join();

    b.putAll(Map.of("k", Tiers.value(new Item("written", 2), MINUTE))).join();
    Map<String, FillOutcome> stored = a.fill(Map.of(
        "k", new LeasedEntry<>(leases.get("k"), Tiers.value(new Item("stale", 1), MINUTE)),
        "untouched", new LeasedEntry<>(leases.get("untouched"), Tiers.value(new Item("loaded", 3), MINUTE)))).join();

    assertThat(stored).containsOnly(Map.entry("k", FillOutcome.FENCED), Map.entry("untouched", FillOutcome.STORED));
    assertThat(b.get("k").join().value().name()).isEqualTo("written");
    assertThat(b.get("untouched").join().value().name()).isEqualTo("loaded");
  }

  @Test
  void fillsWithoutALeaseAreWrittenPlainlyAndOthersNever() {
    var a = items(nodeA, "plain");
    var b = items(nodeB, "plain");
    Map<String, FillOutcome> stored = a.fill(Map.of("k", new LeasedEntry<>(Lease.none(), Tiers.value(new Item("plain", 1), MINUTE)))).join();
    assertThat(stored).containsExactly(Map.entry("k", FillOutcome.STORED));
    assertThat(b.get("k").join().value().name()).isEqualTo("plain");

    Map<String, FillOutcome> late = b.fill(Map.of(
        "k", new LeasedEntry<>(Lease.heldElsewhere(), Tiers.value(new Item("late", 2), MINUTE)),
        "gap", new LeasedEntry<>(Lease.unknown(), Tiers.value(new Item("gap", 3), MINUTE)))).join();
    assertThat(late).containsOnly(Map.entry("k", FillOutcome.FENCED), Map.entry("gap", FillOutcome.FENCED));
    assertThat(a.get("k").join().value().name()).isEqualTo("plain");
    assertThat(a.get("gap").join().isHit()).as("an unknown lease never fills").isFalse();
  }

  @Test
  void aMissFillOnlyReleasesTheLease() {
    var a = items(nodeA, "release");
    var b = items(nodeB, "release");
    Lease lease = a.acquireLeases(List.of("k")).join().get("k");

    Map<String, FillOutcome> stored = a.fill(Map.of("k", new LeasedEntry<>(lease, RemoteEntry.<Item>miss()))).join();

    assertThat(stored).containsExactly(Map.entry("k", FillOutcome.RELEASED));
    assertThat(b.acquireLeases(List.of("k")).join().get("k").state()).isEqualTo(Lease.State.ACQUIRED);
    assertThat(b.get("k").join().isHit()).isFalse();
  }

  @Test
  void aLeaseIsKeptWhileItsHolderLoadsAndLapsesWhenTheHolderIsGone() throws Exception {
    var a = tier(RedisTier.builder(nodeA).valueType(Item.class).leaseTtl(Duration.ofMillis(300)), "expiring");
    var b = tier(RedisTier.builder(nodeB).valueType(Item.class).leaseTtl(Duration.ofMillis(300)), "expiring");
    Lease slow = a.acquireLeases(List.of("slow")).join().get("slow");
    assertThat(a.acquireLeases(List.of("k")).join().get("k").state()).isEqualTo(Lease.State.ACQUIRED);
    assertThat(b.acquireLeases(List.of("k")).join().get("k").state()).isEqualTo(Lease.State.HELD_ELSEWHERE);

    // A load three times longer than the lease's life still fills: its holder renews the lease.
    Thread.sleep(900);
    assertThat(b.acquireLeases(List.of("k")).join().get("k").state()).isEqualTo(Lease.State.HELD_ELSEWHERE);
    assertThat(a.fill(Map.of("slow", new LeasedEntry<>(slow, Tiers.value(new Item("slow", 1), MINUTE)))).join())
        .containsExactly(Map.entry("slow", FillOutcome.STORED));

    a.close(); // the holder is gone: nobody renews its lease on "k"
    await().atMost(Duration.ofSeconds(3)).pollInterval(Duration.ofMillis(50))
        .until(() -> b.acquireLeases(List.of("k")).join().get("k").state() == Lease.State.ACQUIRED);
  }

  @Test
  void fillsSurviveAScriptCacheFlush() {
    var tier = items(nodeA, "noscript");
    Lease first = tier.acquireLeases(List.of("k1")).join().get("k1");
    tier.fill(Map.of("k1", new LeasedEntry<>(first, Tiers.value(new Item("one", 1), MINUTE)))).join();

    admin.command("SCRIPT", "FLUSH");
    Lease second = tier.acquireLeases(List.of("k2")).join().get("k2");
    Map<String, FillOutcome> stored = tier.fill(Map.of("k2", new LeasedEntry<>(second, Tiers.value(new Item("two", 2), MINUTE)))).join();

    assertThat(stored).containsExactly(Map.entry("k2", FillOutcome.STORED));
    assertThat(tier.get("k2").join().value().name()).isEqualTo("two");
    assertThat(events.total()).isZero();
  }

  @Test
  void takesEachCachesBreakerFromTheUsersRegistry() {
    var registry = CircuitBreakerRegistry.ofDefaults();
    var plain = (RedisTier<String, Item>) tier(RedisTier.builder(nodeA).valueType(Item.class).circuitBreakerRegistry(registry), "registered");
    assertThat(registry.find("tiered-cache-registered")).containsSame(plain.circuitBreaker());
    assertThat(plain.circuitBreaker().getCircuitBreakerConfig().getWaitIntervalFunctionInOpenState().apply(1))
        .as("the library's default, not Resilience4j's 60 s").isEqualTo(1_000L);

    registry.addConfiguration("tiered-cache", CircuitBreakerConfig.custom().minimumNumberOfCalls(42).build());
    var configured = (RedisTier<String, Item>) tier(RedisTier.builder(nodeA).valueType(Item.class).circuitBreakerRegistry(registry), "configured");
    assertThat(configured.circuitBreaker().getCircuitBreakerConfig().getMinimumNumberOfCalls()).isEqualTo(42);

    var meters = new SimpleMeterRegistry();
    RedisTierMetrics.bind(registry, meters);
    assertThat(meters.find("resilience4j.circuitbreaker.state").tag("name", "tiered-cache-configured").gauges()).isNotEmpty();
  }

  @Test
  void tiersOnOneClientShareOneConnectionThatCloseLeavesOpenForTheOthers() {
    var first = items(nodeA, "shared-1");
    var second = items(nodeA, "shared-2");
    first.putAll(Map.of("k", Tiers.value(new Item("one", 1), MINUTE))).join();
    first.close();

    second.putAll(Map.of("k", Tiers.value(new Item("two", 2), MINUTE))).join();
    assertThat(second.get("k").join().value().name()).isEqualTo("two");
    assertThat(events.total()).isZero();
  }
}
