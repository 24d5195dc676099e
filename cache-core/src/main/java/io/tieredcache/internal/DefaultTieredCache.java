package io.tieredcache.internal;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import com.github.benmanes.caffeine.cache.Ticker;
import io.tieredcache.CacheLoadException;
import io.tieredcache.CacheStats;
import io.tieredcache.KeyCodec;
import io.tieredcache.TieredCache;
import io.tieredcache.spi.InvalidationBus;
import io.tieredcache.spi.InvalidationListener;
import io.tieredcache.spi.Lease;
import io.tieredcache.spi.RemoteEntry;
import io.tieredcache.spi.RemoteTier;
import io.tieredcache.spi.RemoteTier.LeasedEntry;
import io.tieredcache.spi.TierContext;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executor;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;
import java.util.function.Function;

/**
 * The read path, write path and fencing behind {@link TieredCache}.
 *
 * <p>Reads: an L1 hit returns at once (one Caffeine lookup, one field read, one counter). A miss
 * joins or starts the key's {@link Flight}; the flight looks in the remote tier, then takes the
 * key's fill lease, calls the loader and fills the remote tier under the lease.
 *
 * <p>Fencing: a flight installs its result into L1 inside {@code flights.compute(key)}, only while
 * it is still the registered flight of its key and the cache's epoch has not moved. Writes and
 * invalidations of a key remove (and fence) its flight under the same bin lock after the remote
 * tier has been updated, and {@code invalidateAll} moves the epoch; so an invalidation that
 * happens while a load is in flight always wins.
 */
public final class DefaultTieredCache<K, V> implements TieredCache<K, V> {

  private static final System.Logger LOG = System.getLogger(TieredCache.class.getName());
  /** A tier must answer within its own time limit; this only guards against a tier that never does. */
  private static final long REMOTE_SAFETY_TIMEOUT_NANOS = TimeUnit.SECONDS.toNanos(10);
  private static final long LEASE_POLL_MIN_NANOS = TimeUnit.MILLISECONDS.toNanos(2);
  private static final long LEASE_POLL_MAX_NANOS = TimeUnit.MILLISECONDS.toNanos(50);

  private final CacheSettings<K, V> settings;
  private final String name;
  private final Cache<K, L1Entry<V>> l1;
  private final ConcurrentHashMap<K, Flight<V>> flights = new ConcurrentHashMap<>();
  private final AtomicLong epoch = new AtomicLong();
  private final Stats stats;
  private final Ticker ticker;
  private final Executor executor;
  private final KeyCodec<K> keyCodec;
  private final RemoteTier<K, V> remote;
  private final InvalidationBus bus;
  private final InvalidationBus.Subscription subscription;
  private final long hardTtlNanos;
  private final long softTtlNanos;
  private final long staleNanos;
  private final long absentTtlNanos;
  private final long remoteTtlMillis;
  private final double jitter;
  private final long leaseWaitNanos;
  private final RemoteRepair<K> repair;

  public DefaultTieredCache(CacheSettings<K, V> settings) {
    this.settings = settings;
    this.name = settings.name();
    this.stats = new Stats(name);
    this.ticker = settings.ticker();
    this.executor = settings.executor();
    this.keyCodec = settings.keyCodec();
    this.hardTtlNanos = settings.expireAfterWrite().toNanos();
    this.softTtlNanos = settings.refreshAfterWrite() == null ? 0 : settings.refreshAfterWrite().toNanos();
    this.staleNanos = settings.staleIfError().toNanos();
    this.absentTtlNanos = settings.absentTtl().toNanos();
    this.remoteTtlMillis = settings.remoteExpireAfterWrite().toMillis();
    this.jitter = settings.jitter();
    this.leaseWaitNanos = settings.leaseWait().toNanos();
    this.l1 = settings.maximumSize() == 0 ? null : Caffeine.newBuilder()
        .maximumSize(settings.maximumSize())
        .expireAfter(new EntryExpiry<K, V>())
        .ticker(ticker)
        .evictionListener((K key, L1Entry<V> entry, com.github.benmanes.caffeine.cache.RemovalCause cause) ->
            stats.evictions.increment())
        .build();
    this.remote = settings.remoteTier() == null ? null
        : Objects.requireNonNull(settings.remoteTier().create(new TierContext<>(name, keyCodec, stats)),
            "remote tier factory returned null");
    this.repair = new RemoteRepair<>(new RemoteRepair.Attempt<>() {
      @Override
      public boolean keys(List<K> keys) {
        boolean applied = repairWrite(remote.invalidate(keys).thenApply(r -> {
          if (!r.unapplied().isEmpty()) {
            throw new CompletionException(new IllegalStateException("unapplied"));
          }
          return null;
        }));
        if (applied) {
          publish(keys);
        }
        return applied;
      }

      @Override
      public boolean everything() {
        boolean applied = repairWrite(remote.invalidateAll().thenApply(e -> null));
        if (applied && bus != null) {
          bus.publishAll(name, 0);
        }
        return applied;
      }
    });
    this.bus = settings.invalidationBus();
    this.subscription = bus == null ? null : bus.subscribe(name, new BusListener());
  }

  @Override
  public String name() {
    return name;
  }

  // ---------------------------------------------------------------------------------------------
  // Reads

  @Override
  public V get(K key, Function<? super K, ? extends V> loader) {
    Objects.requireNonNull(key, "key");
    L1Entry<V> entry = l1 == null ? null : l1.getIfPresent(key);
    if (entry != null && entry.state == 0) {
      stats.l1Hits.increment();
      return entry.value;
    }
    return getSlow(key, Objects.requireNonNull(loader, "loader"), entry);
  }

  @Override
  public V get(K key) {
    return get(key, defaultLoader());
  }

  @Override
  public V getIfPresent(K key) {
    Objects.requireNonNull(key, "key");
    L1Entry<V> entry = l1 == null ? null : l1.getIfPresent(key);
    if (servable(key, entry, settings.loader())) {
      return entry.value;
    }
    if (remote == null) {
      return null;
    }
    // Answered from the remote tier without filling L1: only a flight can be fenced safely.
    RemoteEntry<V> found = remoteGet(key);
    if (!found.isHit()) {
      stats.l2Misses.increment();
      return null;
    }
    stats.l2Hits.increment();
    return found.value();
  }

  private V getSlow(K key, Function<? super K, ? extends V> loader, L1Entry<V> entry) {
    if (servable(key, entry, loader)) {
      return entry.value;
    }
    return valueOf(key, awaitOrLoad(key, loader, entry, null));
  }

  /**
   * Counts an L1 lookup and says whether {@code entry} may be served: present and within its
   * hard TTL. A servable entry past its soft TTL starts its background refresh with
   * {@code loader} (if there is one). An entry that is not servable is null or past its hard TTL,
   * kept only as the stale-if-error fallback of the load that follows.
   */
  private boolean servable(K key, L1Entry<V> entry, Function<? super K, ? extends V> loader) {
    if (entry == null || entry.isExpired()) {
      stats.l1Misses.increment();
      return false;
    }
    stats.l1Hits.increment();
    if (entry.state != 0 && loader != null) {
      maybeRefresh(key, entry, loader);
    }
    return true;
  }

  @Override
  public CompletableFuture<V> getAsync(K key, Function<? super K, ? extends V> loader) {
    Objects.requireNonNull(key, "key");
    Objects.requireNonNull(loader, "loader");
    L1Entry<V> entry = l1 == null ? null : l1.getIfPresent(key);
    if (servable(key, entry, loader)) {
      return CompletableFuture.completedFuture(entry.value);
    }
    return awaitOrLoad(key, loader, entry, executor).thenApply(loaded -> loaded.value);
  }

  @Override
  public CompletableFuture<V> getAsync(K key) {
    return getAsync(key, defaultLoader());
  }

  /**
   * Joins the key's flight, or starts one: run on this thread when {@code executor} is null
   * (sync reads keep the caller's thread and its context), else on the executor.
   */
  private CompletableFuture<L1Entry<V>> awaitOrLoad(
      K key, Function<? super K, ? extends V> loader, L1Entry<V> stale, Executor runOn) {
    while (true) {
      Flight<V> current = flights.get(key);
      if (current != null) {
        return current.result;
      }
      Flight<V> mine = new Flight<>(epoch.get(), stale);
      if (flights.putIfAbsent(key, mine) != null) {
        continue;
      }
      // A flight that just finished installed its entry before leaving the map: use it.
      L1Entry<V> installed = l1 == null ? null : l1.getIfPresent(key);
      if (installed != null && !installed.isExpired()) {
        flights.remove(key, mine);
        mine.result.complete(installed);
        return mine.result;
      }
      if (runOn == null) {
        runFlight(key, mine, loader, false);
      } else {
        try {
          runOn.execute(() -> runFlight(key, mine, loader, false));
        } catch (RuntimeException rejected) {
          flights.remove(key, mine);
          mine.result.completeExceptionally(asLoadFailure(key, rejected));
        }
      }
      return mine.result;
    }
  }

  /** Runs a registered flight to completion; never throws. */
  private void runFlight(K key, Flight<V> flight, Function<? super K, ? extends V> loader, boolean refresh) {
    try {
      Resolved<V> resolved = resolve(key, loader, refresh);
      if (resolved.install) {
        install(key, flight, resolved.entry);
      } else {
        leaveUninstalled(key, flight);
      }
      flight.result.complete(resolved.entry);
    } catch (Throwable failure) {
      fail(key, flight, failure);
    }
  }

  /**
   * Ends a failed flight: its callers get the entry it replaces while that is within its hard TTL
   * (a failed refresh), or within the stale-if-error window (counted), else the failure.
   */
  private void fail(K key, Flight<V> flight, Throwable failure) {
    flights.remove(key, flight);
    L1Entry<V> previous = flight.stale;
    long now = ticker.read();
    if (previous != null && now < previous.expireAt) {
      flight.result.complete(previous);
    } else if (previous != null && staleNanos > 0 && now < previous.retainUntil) {
      stats.staleServes.increment();
      flight.result.complete(previous);
    } else {
      flight.result.completeExceptionally(asLoadFailure(key, failure));
    }
  }

  /** What a flight found: the entry for its callers, and whether it may be installed. */
  private record Resolved<V>(L1Entry<V> entry, boolean install) {}

  private Resolved<V> resolve(K key, Function<? super K, ? extends V> loader, boolean refresh) {
    if (remote == null) {
      return new Resolved<>(newEntry(callLoader(key, loader), System.currentTimeMillis()), true);
    }
    RemoteEntry<V> found = isTrusted(key) ? remoteGet(key) : RemoteEntry.miss();
    if (found.isHit() && !(refresh && isSoftExpired(found))) {
      stats.l2Hits.increment();
      return new Resolved<>(fromRemote(found), true);
    }
    stats.l2Misses.increment();
    Lease lease = single(key, remoteRead(remote.acquireLeases(List.of(key)), Map.of())).orElse(Lease.none());
    if (lease.state() == Lease.State.HELD_ELSEWHERE) {
      RemoteEntry<V> filled = awaitFills(List.of(key)).getOrDefault(key, RemoteEntry.miss());
      if (filled.isHit()) {
        stats.l2Hits.increment();
        return new Resolved<>(fromRemote(filled), true);
      }
      // The holder is slow or dead: load here; fill only if its lease has lapsed meanwhile.
      lease = single(key, remoteRead(remote.acquireLeases(List.of(key)), Map.of())).orElse(Lease.none());
    }
    long writtenAt = System.currentTimeMillis();
    long started = System.nanoTime();
    V value;
    try {
      value = callLoader(key, loader);
    } catch (RuntimeException | Error e) {
      releaseLeases(Map.of(key, lease), Set.of(key));
      throw e;
    }
    L1Entry<V> entry = newEntry(value, writtenAt);
    if (lease.state() == Lease.State.HELD_ELSEWHERE) {
      return new Resolved<>(entry, true);
    }
    RemoteEntry<V> toStore = toRemote(value, writtenAt, System.nanoTime() - started);
    Set<K> stored = remoteFill(Map.of(key, new LeasedEntry<>(lease, toStore)));
    if (stored.contains(key) && toStore.isHit()) {
      stats.l2Puts.increment();
    }
    if (stored.contains(key) || !toStore.isHit()) {
      return new Resolved<>(entry, true);
    }
    // A write or invalidation voided our lease while we loaded: our value may be stale.
    return new Resolved<>(entry, lease.state() != Lease.State.ACQUIRED);
  }

  private static <K> Optional<Lease> single(K key, Map<K, Lease> leases) {
    return Optional.ofNullable(leases.get(key));
  }

  /**
   * Polls the remote tier with backoff, at most {@code leaseWait}, for keys other nodes are
   * loading; returns the fills that landed (keys still missing when the wait ran out are left out).
   */
  private Map<K, RemoteEntry<V>> awaitFills(Collection<K> keys) {
    Map<K, RemoteEntry<V>> filled = new HashMap<>();
    List<K> waiting = new ArrayList<>(keys);
    long deadline = System.nanoTime() + leaseWaitNanos;
    long pause = LEASE_POLL_MIN_NANOS;
    while (!waiting.isEmpty()) {
      long left = deadline - System.nanoTime();
      if (left <= 0) {
        break;
      }
      LockSupport.parkNanos(Math.min(pause, left));
      Map<K, RemoteEntry<V>> found = remoteRead(remote.getAll(List.copyOf(waiting)), Map.of());
      for (var it = waiting.iterator(); it.hasNext(); ) {
        K key = it.next();
        RemoteEntry<V> hit = found.get(key);
        if (hit != null && hit.isHit()) {
          filled.put(key, hit);
          it.remove();
        }
      }
      pause = Math.min(pause * 2, LEASE_POLL_MAX_NANOS);
    }
    return filled;
  }

  @Override
  public Map<K, V> getAll(
      Iterable<? extends K> keys,
      Function<? super Set<? extends K>, ? extends Map<? extends K, ? extends V>> bulkLoader) {
    Objects.requireNonNull(bulkLoader, "bulkLoader");
    Set<K> wanted = requireKeys(keys);
    Map<K, CompletableFuture<L1Entry<V>>> pending = new HashMap<>();
    Map<K, L1Entry<V>> found = new HashMap<>();
    Map<K, Flight<V>> mine = new LinkedHashMap<>();
    for (K key : wanted) {
      L1Entry<V> entry = l1 == null ? null : l1.getIfPresent(key);
      // Only an entry due for refresh needs the bulk loader adapted to one key.
      if (servable(key, entry, entry != null && entry.state != 0 ? singleKey(bulkLoader) : null)) {
        found.put(key, entry);
        continue;
      }
      Flight<V> flight = new Flight<>(epoch.get(), entry);
      Flight<V> existing = flights.putIfAbsent(key, flight);
      if (existing != null) {
        pending.put(key, existing.result);
      } else {
        mine.put(key, flight);
        pending.put(key, flight.result);
      }
    }
    if (!mine.isEmpty()) {
      runBulk(mine, bulkLoader);
    }
    CacheLoadException firstFailure = null;
    for (Map.Entry<K, CompletableFuture<L1Entry<V>>> wait : pending.entrySet()) {
      try {
        found.put(wait.getKey(), wait.getValue().join());
      } catch (CompletionException e) {
        RuntimeException cause = unwrap(e);
        if (!(cause instanceof CacheLoadException failure)) {
          throw cause;
        }
        if (firstFailure == null) {
          firstFailure = failure;
        }
      }
    }
    if (firstFailure != null) {
      throw firstFailure;
    }
    Map<K, V> result = new LinkedHashMap<>();
    for (K key : wanted) {
      L1Entry<V> entry = found.get(key);
      if (entry != null && entry.value != null) {
        result.put(key, entry.value);
      }
    }
    return Collections.unmodifiableMap(result);
  }

  @Override
  public CompletableFuture<Map<K, V>> getAllAsync(
      Iterable<? extends K> keys,
      Function<? super Set<? extends K>, ? extends Map<? extends K, ? extends V>> bulkLoader) {
    Objects.requireNonNull(bulkLoader, "bulkLoader");
    Set<K> wanted = requireKeys(keys);
    return CompletableFuture.supplyAsync(() -> getAll(wanted, bulkLoader), executor);
  }

  /** One remote batch lookup, then one bulk-loader call for what is still missing. */
  private void runBulk(
      Map<K, Flight<V>> mine,
      Function<? super Set<? extends K>, ? extends Map<? extends K, ? extends V>> bulkLoader) {
    Map<K, Flight<V>> open = new LinkedHashMap<>(mine);
    Map<K, Lease> leases = Map.of();
    try {
      // Flights that ended just before ours were registered installed their entries first.
      if (l1 != null) {
        for (var it = open.entrySet().iterator(); it.hasNext(); ) {
          var next = it.next();
          L1Entry<V> installed = l1.getIfPresent(next.getKey());
          if (installed != null && !installed.isExpired()) {
            flights.remove(next.getKey(), next.getValue());
            next.getValue().result.complete(installed);
            it.remove();
          }
        }
      }
      if (remote != null && !open.isEmpty()) {
        resolveFromRemote(open, remoteRead(remote.getAll(trusted(open.keySet())), Map.of()));
        if (!open.isEmpty()) {
          leases = remoteRead(remote.acquireLeases(List.copyOf(open.keySet())), Map.of());
          awaitOtherFills(open, leases);
        }
      }
      if (open.isEmpty()) {
        return;
      }
      long writtenAt = System.currentTimeMillis();
      long started = System.nanoTime();
      Map<? extends K, ? extends V> loaded = callBulkLoader(open.keySet(), bulkLoader);
      long loadNanos = System.nanoTime() - started;
      Map<K, LeasedEntry<V>> fills = new LinkedHashMap<>();
      Map<K, L1Entry<V>> entries = new LinkedHashMap<>();
      for (K key : open.keySet()) {
        V value = loaded.get(key);
        entries.put(key, newEntry(value, writtenAt));
        Lease lease = leases.getOrDefault(key, Lease.none());
        if (remote != null && lease.state() != Lease.State.HELD_ELSEWHERE) {
          fills.put(key, new LeasedEntry<>(lease, toRemote(value, writtenAt, loadNanos)));
        }
      }
      Set<K> stored = fills.isEmpty() ? Set.of() : remoteFill(fills);
      fills.forEach((key, fill) -> {
        if (fill.entry().isHit() && stored.contains(key)) {
          stats.l2Puts.increment(); // a miss entry only released its lease
        }
      });
      for (Map.Entry<K, L1Entry<V>> done : entries.entrySet()) {
        K key = done.getKey();
        Flight<V> flight = open.get(key);
        LeasedEntry<V> fill = fills.get(key);
        boolean lostLease = fill != null && fill.lease().state() == Lease.State.ACQUIRED
            && fill.entry().isHit() && !stored.contains(key);
        if (lostLease) {
          leaveUninstalled(key, flight);
        } else {
          install(key, flight, done.getValue());
        }
        flight.result.complete(done.getValue());
      }
    } catch (Throwable failure) {
      releaseLeases(leases, open.keySet());
      open.forEach((key, flight) -> fail(key, flight, failure));
    }
  }

  /** Completes (and removes from {@code open}) the flights the remote tier could answer. */
  private void resolveFromRemote(Map<K, Flight<V>> open, Map<K, RemoteEntry<V>> found) {
    for (var it = open.entrySet().iterator(); it.hasNext(); ) {
      var next = it.next();
      RemoteEntry<V> hit = found.get(next.getKey());
      if (hit != null && hit.isHit()) {
        stats.l2Hits.increment();
        L1Entry<V> entry = fromRemote(hit);
        install(next.getKey(), next.getValue(), entry);
        next.getValue().result.complete(entry);
        it.remove();
      } else {
        stats.l2Misses.increment();
      }
    }
  }

  /** For keys another node is loading, waits (bounded) for its fills and installs them. */
  private void awaitOtherFills(Map<K, Flight<V>> open, Map<K, Lease> leases) {
    List<K> heldElsewhere = new ArrayList<>();
    leases.forEach((key, lease) -> {
      if (lease.state() == Lease.State.HELD_ELSEWHERE) {
        heldElsewhere.add(key);
      }
    });
    if (heldElsewhere.isEmpty()) {
      return;
    }
    awaitFills(heldElsewhere).forEach((key, hit) -> {
      stats.l2Hits.increment();
      L1Entry<V> entry = fromRemote(hit);
      Flight<V> flight = open.remove(key);
      install(key, flight, entry);
      flight.result.complete(entry);
    });
  }

  private Map<? extends K, ? extends V> callBulkLoader(
      Set<K> keys, Function<? super Set<? extends K>, ? extends Map<? extends K, ? extends V>> bulkLoader) {
    long started = System.nanoTime();
    Map<? extends K, ? extends V> loaded;
    try {
      loaded = bulkLoader.apply(Collections.unmodifiableSet(new LinkedHashSet<>(keys)));
    } catch (RuntimeException | Error e) {
      stats.loadNanos.add(System.nanoTime() - started);
      stats.loadFailures.increment();
      throw e;
    }
    stats.loadNanos.add(System.nanoTime() - started);
    if (loaded == null) {
      stats.loadFailures.increment();
      throw new NullPointerException("the bulk loader of cache '" + name + "' returned null; "
          + "return an empty map when no key has a value");
    }
    stats.loadSuccesses.increment();
    return loaded;
  }

  private V callLoader(K key, Function<? super K, ? extends V> loader) {
    long started = System.nanoTime();
    try {
      V value = loader.apply(key);
      stats.loadSuccesses.increment();
      return value;
    } catch (RuntimeException | Error e) {
      stats.loadFailures.increment();
      throw e;
    } finally {
      stats.loadNanos.add(System.nanoTime() - started);
    }
  }

  // ---------------------------------------------------------------------------------------------
  // Refresh-ahead (soft TTL)

  private void maybeRefresh(K key, L1Entry<V> entry, Function<? super K, ? extends V> loader) {
    if ((entry.state & L1Entry.REFRESH_DUE) == 0 || !entry.tryStartRefresh()) {
      return;
    }
    Flight<V> flight = new Flight<>(epoch.get(), entry);
    if (flights.putIfAbsent(key, flight) != null) {
      entry.endRefresh();
      return;
    }
    stats.refreshes.increment();
    try {
      executor.execute(() -> {
        runFlight(key, flight, loader, true);
        entry.endRefresh();
      });
    } catch (RuntimeException rejected) {
      flights.remove(key, flight);
      flight.result.complete(entry);
      entry.endRefresh();
    }
  }

  // ---------------------------------------------------------------------------------------------
  // Writes and invalidations

  @Override
  public void put(K key, V value) {
    Objects.requireNonNull(key, "key");
    Objects.requireNonNull(value, "value");
    putAll(Map.of(key, value));
  }

  @Override
  public void putAll(Map<? extends K, ? extends V> entries) {
    Objects.requireNonNull(entries, "entries");
    if (entries.isEmpty()) {
      return;
    }
    long writtenAt = System.currentTimeMillis();
    Map<K, RemoteEntry<V>> toStore = new LinkedHashMap<>();
    entries.forEach((key, value) -> {
      Objects.requireNonNull(key, "key");
      Objects.requireNonNull(value, () -> "value for key '" + key + "'");
      toStore.put(key, toRemote(value, writtenAt, 0));
    });
    if (remote != null && remoteWrite(remote.putAll(toStore).thenApply(DefaultTieredCache::check), toStore.keySet())) {
      stats.l2Puts.add(toStore.size());
    }
    for (K key : toStore.keySet()) {
      L1Entry<V> entry = newEntry(entries.get(key), writtenAt);
      flights.compute(key, (k, flight) -> {
        if (flight != null) {
          flight.fence();
        }
        if (l1 != null) {
          l1.put(k, entry);
          stats.puts.increment();
        }
        return null;
      });
    }
    publish(toStore.keySet());
  }

  @Override
  public void invalidate(K key) {
    Objects.requireNonNull(key, "key");
    invalidateAll(List.of(key));
  }

  @Override
  public void invalidateAll(Iterable<? extends K> keys) {
    Set<K> doomed = requireKeys(keys);
    if (doomed.isEmpty()) {
      return;
    }
    if (remote != null) {
      remoteWrite(remote.invalidate(doomed).thenApply(DefaultTieredCache::check), doomed);
    }
    for (K key : doomed) {
      dropLocally(key);
    }
    publish(doomed);
  }

  @Override
  public void invalidateAll() {
    if (remote != null) {
      remoteWrite(remote.invalidateAll().thenApply(e -> null), null);
    }
    flushLocally();
    if (bus != null) {
      bus.publishAll(name, 0);
    }
  }

  private static Void check(io.tieredcache.spi.WriteResult<?> result) {
    if (!result.refused().isEmpty()) {
      throw new CompletionException(result.refused().values().iterator().next());
    }
    if (!result.unapplied().isEmpty()) {
      throw new CompletionException(new IllegalStateException("unapplied"));
    }
    return null;
  }

  /** Fences the key's flight and drops its L1 entry, after the remote tier was updated. */
  private void dropLocally(K key) {
    flights.computeIfPresent(key, (k, flight) -> {
      flight.fence();
      return null;
    });
    if (l1 != null) {
      l1.invalidate(key);
    }
  }

  /** Moves the epoch (fencing every load in flight) and empties L1. */
  private void flushLocally() {
    epoch.incrementAndGet();
    for (K key : flights.keySet()) {
      flights.computeIfPresent(key, (k, flight) -> {
        flight.fence();
        return null;
      });
    }
    if (l1 != null) {
      l1.invalidateAll();
    }
  }

  private void publish(Collection<K> keys) {
    if (bus == null) {
      return;
    }
    List<String> encoded = new ArrayList<>(keys.size());
    for (K key : keys) {
      encoded.add(keyCodec.encode(key));
    }
    bus.publish(name, encoded);
  }

  /**
   * Installs a flight's entry into L1 if the flight is still the key's registered one and no
   * {@code invalidateAll} moved the epoch; removes the flight either way.
   */
  private void install(K key, Flight<V> flight, L1Entry<V> entry) {
    boolean[] installed = {false};
    flights.compute(key, (k, current) -> {
      if (current != flight) {
        return current;
      }
      if (l1 != null && !flight.isFenced() && flight.epoch == epoch.get() && !isAbsentAndUncached(entry)) {
        l1.put(k, entry);
        installed[0] = true;
      }
      return null;
    });
    if (installed[0]) {
      if (flight.epoch != epoch.get()) {
        l1.asMap().remove(key, entry);
        stats.fencedFills.increment();
      } else {
        stats.puts.increment();
      }
    } else if (l1 != null && !isAbsentAndUncached(entry)) {
      stats.fencedFills.increment();
    }
  }

  /** A load whose lease was voided by a write: its value goes to its callers, never into L1. */
  private void leaveUninstalled(K key, Flight<V> flight) {
    flights.remove(key, flight);
    stats.fencedFills.increment();
  }

  private boolean isAbsentAndUncached(L1Entry<V> entry) {
    return entry.value == null && absentTtlNanos == 0;
  }

  // ---------------------------------------------------------------------------------------------
  // Entries, TTLs and the remote tier

  private L1Entry<V> newEntry(V value, long writtenAtMillis) {
    long now = ticker.read();
    long ttl = withJitter(value == null ? absentTtlNanos : hardTtlNanos);
    long refreshAt = value != null && softTtlNanos > 0 ? now + withJitter(softTtlNanos) : Long.MAX_VALUE;
    long expireAt = now + ttl;
    long retainUntil = value == null ? expireAt : saturatedAdd(expireAt, staleNanos);
    // Past the hard TTL an entry is flagged on read, so refreshAt must not be later than expireAt.
    return new L1Entry<>(value, writtenAtMillis, Math.min(refreshAt, staleNanos > 0 ? expireAt : Long.MAX_VALUE),
        expireAt, retainUntil);
  }

  private L1Entry<V> fromRemote(RemoteEntry<V> found) {
    L1Entry<V> entry = newEntry(found.value(), found.writtenAtMillis());
    if (found.softExpiresAtMillis() <= 0 || entry.value == null) {
      return entry;
    }
    long untilSoft = TimeUnit.MILLISECONDS.toNanos(Math.max(0, found.softExpiresAtMillis() - System.currentTimeMillis()));
    long refreshAt = Math.min(entry.refreshAt, ticker.read() + untilSoft);
    return new L1Entry<>(entry.value, entry.writtenAtMillis, refreshAt, entry.expireAt, entry.retainUntil);
  }

  private RemoteEntry<V> toRemote(V value, long writtenAtMillis, long loadNanos) {
    if (value == null) {
      // An uncached absent value releases the lease and stores nothing.
      return absentTtlNanos == 0 ? RemoteEntry.miss()
          : RemoteEntry.absent(withJitter(TimeUnit.NANOSECONDS.toMillis(absentTtlNanos)), writtenAtMillis);
    }
    long softAt = softTtlNanos > 0 ? writtenAtMillis + TimeUnit.NANOSECONDS.toMillis(softTtlNanos) : 0;
    return RemoteEntry.value(value, withJitter(remoteTtlMillis), writtenAtMillis, softAt, loadNanos);
  }

  private static boolean isSoftExpired(RemoteEntry<?> found) {
    return found.softExpiresAtMillis() > 0 && System.currentTimeMillis() >= found.softExpiresAtMillis();
  }

  /** Takes up to {@code jitter} of {@code ttl} off at random; never lengthens it. */
  private long withJitter(long ttl) {
    if (jitter == 0 || ttl <= 1) {
      return ttl;
    }
    return Math.max(1, ttl - (long) (ttl * jitter * ThreadLocalRandom.current().nextDouble()));
  }

  private static long saturatedAdd(long a, long b) {
    long sum = a + b;
    return ((a ^ sum) & (b ^ sum)) < 0 ? Long.MAX_VALUE : sum;
  }

  private RemoteEntry<V> remoteGet(K key) {
    return remoteRead(remote.get(key), RemoteEntry.miss());
  }

  /** Stores loaded values under their leases; a fill the tier could not apply stored nothing. */
  private Set<K> remoteFill(Map<K, LeasedEntry<V>> fills) {
    try {
      Map<K, io.tieredcache.spi.FillOutcome> outcomes = await(remote.fill(fills));
      Set<K> stored = new java.util.HashSet<>();
      outcomes.forEach((k, o) -> {
        if (o == io.tieredcache.spi.FillOutcome.STORED || o == io.tieredcache.spi.FillOutcome.SKIPPED) {
          stored.add(k);
        }
      });
      return stored;
    } catch (ExecutionException | TimeoutException notApplied) {
      return Set.of();
    }
  }

  /** Gives leases back after a failed load so other nodes stop waiting; best effort. */
  private void releaseLeases(Map<K, Lease> leases, Collection<K> keys) {
    if (remote == null) {
      return;
    }
    Map<K, LeasedEntry<V>> releases = new HashMap<>();
    for (K key : keys) {
      Lease lease = leases.get(key);
      if (lease != null && lease.state() == Lease.State.ACQUIRED) {
        releases.put(key, new LeasedEntry<>(lease, RemoteEntry.miss()));
      }
    }
    if (!releases.isEmpty()) {
      remote.fill(releases);
    }
  }

  /**
   * Applies an application write to the remote tier. When it was not applied, the tier may still
   * hold an older value: the keys (or the whole cache) go to the repair list and are deleted, and
   * announced to the other nodes, as soon as the tier answers again.
   *
   * @return whether the write was applied
   */
  private boolean remoteWrite(CompletableFuture<Void> write, Collection<K> keys) {
    try {
      await(write);
      return true;
    } catch (ExecutionException e) {
      if (e.getCause() instanceof IllegalArgumentException unencodable) {
        throw unencodable;
      }
    } catch (TimeoutException e) {
      stats.remoteError(io.tieredcache.spi.RemoteErrorKind.TIMEOUT, e);
    }
    repair.add(keys);
    return false;
  }

  private boolean repairWrite(CompletableFuture<Void> write) {
    try {
      await(write);
      return true;
    } catch (ExecutionException | TimeoutException stillFailing) {
      return false;
    }
  }

  private boolean isTrusted(K key) {
    return !repair.covers(key);
  }

  private List<K> trusted(Collection<K> keys) {
    List<K> result = new ArrayList<>(keys.size());
    for (K key : keys) {
      if (isTrusted(key)) {
        result.add(key);
      }
    }
    return result;
  }

  private <T> T await(CompletableFuture<T> call) throws ExecutionException, TimeoutException {
    try {
      return call.get(REMOTE_SAFETY_TIMEOUT_NANOS, TimeUnit.NANOSECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new ExecutionException(e);
    } catch (TimeoutException e) {
      call.cancel(false);
      throw e;
    }
  }

  /**
   * Waits for a remote read. Tiers answer their own failures with a miss; an exceptional
   * completion is a tier bug or a hang, counted here and treated as {@code fallback}.
   */
  private <T> T remoteRead(CompletableFuture<T> call, T fallback) {
    try {
      return await(call);
    } catch (ExecutionException e) {
      stats.remoteError(io.tieredcache.spi.RemoteErrorKind.OTHER, e.getCause());
      return fallback;
    } catch (TimeoutException e) {
      stats.remoteError(io.tieredcache.spi.RemoteErrorKind.TIMEOUT, e);
      return fallback;
    }
  }

  // ---------------------------------------------------------------------------------------------
  // Other nodes

  /** Applies other nodes' invalidations: the same fencing as a local one, without remote calls. */
  private final class BusListener implements InvalidationListener {
    @Override
    public void onKeys(Collection<String> encodedKeys) {
      for (String encoded : encodedKeys) {
        K key;
        try {
          key = keyCodec.decode(encoded);
        } catch (RuntimeException undecodable) {
          LOG.log(System.Logger.Level.WARNING, "cache ''{0}'': undecodable key in an invalidation; "
              + "flushing L1 to stay safe: {1}", name, undecodable);
          onMessagesLost("undecodable-key");
          return;
        }
        dropLocally(key);
        stats.invalidationsReceived.increment();
      }
    }

    @Override
    public void onAll(long epoch) {
      flushLocally();
      stats.invalidationsReceived.increment();
    }

    @Override
    public void onMessagesLost(String reason) {
      flushLocally();
      stats.lossFlushes.increment();
    }

    @Override
    public void onDeaf(String reason, long sinceNanos) {
      flushLocally();
      stats.lossFlushes.increment();
    }

    @Override
    public void onHearing(boolean missedNothing) {
      if (!missedNothing) {
        flushLocally();
      }
    }
  }

  // ---------------------------------------------------------------------------------------------
  // Helpers, stats, policy

  private Function<? super K, ? extends V> defaultLoader() {
    Function<? super K, ? extends V> loader = settings.loader();
    if (loader == null) {
      throw new IllegalStateException("cache '" + name + "' was built without a loader: "
          + "pass one to get(key, loader), or build it with build(loader)");
    }
    return loader;
  }

  private Function<K, V> singleKey(
      Function<? super Set<? extends K>, ? extends Map<? extends K, ? extends V>> bulkLoader) {
    return key -> {
      Map<? extends K, ? extends V> loaded = bulkLoader.apply(Set.of(key));
      if (loaded == null) {
        throw new NullPointerException("the bulk loader of cache '" + name + "' returned null");
      }
      return loaded.get(key);
    };
  }

  private Set<K> requireKeys(Iterable<? extends K> keys) {
    Objects.requireNonNull(keys, "keys");
    Set<K> result = new LinkedHashSet<>();
    for (K key : keys) {
      result.add(Objects.requireNonNull(key, "keys must not contain null"));
    }
    return result;
  }

  private V valueOf(K key, CompletableFuture<L1Entry<V>> result) {
    try {
      return result.join().value;
    } catch (CompletionException e) {
      throw unwrap(e);
    }
  }

  private static RuntimeException unwrap(CompletionException e) {
    Throwable cause = e.getCause();
    if (cause instanceof RuntimeException runtime) {
      return runtime;
    }
    if (cause instanceof Error error) {
      throw error;
    }
    return e;
  }

  private RuntimeException asLoadFailure(K key, Throwable failure) {
    if (failure instanceof CacheLoadException || failure instanceof NullPointerException) {
      return (RuntimeException) failure;
    }
    return new CacheLoadException(name, key, failure);
  }

  @Override
  public CacheStats stats() {
    return stats.snapshot();
  }

  @Override
  public Policy<K, V> policy() {
    return new Policy<>() {
      @Override
      public long l1EstimatedSize() {
        return l1 == null ? 0 : l1.estimatedSize();
      }

      @Override
      public long l1MaximumSize() {
        return settings.maximumSize();
      }

      @Override
      public Duration l1ExpireAfterWrite() {
        return settings.expireAfterWrite();
      }

      @Override
      public Duration remoteExpireAfterWrite() {
        return settings.remoteExpireAfterWrite();
      }

      @Override
      public Duration absentTtl() {
        return settings.absentTtl();
      }

      @Override
      public <T> Optional<T> remoteTierComponent(Class<T> type) {
        return remote == null ? Optional.empty() : remote.component(type);
      }

      @Override
      public void flushL1() {
        flushLocally();
      }
    };
  }

  @Override
  public void close() {
    repair.close();
    if (subscription != null) {
      subscription.close();
    }
    if (remote != null) {
      try {
        remote.close();
      } catch (Exception e) {
        LOG.log(System.Logger.Level.DEBUG, "closing the remote tier of cache ''{0}'' failed: {1}", name, e);
      }
    }
  }
}
