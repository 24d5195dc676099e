package io.tieredcache.internal;

import io.tieredcache.CacheLoadException;
import io.tieredcache.spi.RemoteEntry;
import io.tieredcache.spi.RemoteErrorKind;
import io.tieredcache.trace.AccessRecorder.Operation;
import io.tieredcache.trace.AccessRecorder.Tier;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Function;

/**
 * Reads: whether an L1 entry may be served, starting refreshes, and starting or joining the
 * {@link Load} of a missing key. The L1 hit itself (one lookup, one field read, one counter) is in
 * {@link DefaultTieredCache#get(Object, Function)}; everything slower is here.
 */
final class ReadPath<K, V> {

  /** A thread waiting for another thread's load checks this often whether it must take it over. */
  private static final long JOIN_POLL_NANOS = TimeUnit.MILLISECONDS.toNanos(10);
  /** After a refresh that did not replace its entry, the next one is not tried sooner than this. */
  static final long REFRESH_RETRY_NANOS = TimeUnit.MILLISECONDS.toNanos(200);
  /** An unverified entry's reload starts at least this long before its bound. */
  private static final long MIN_REVALIDATION_LEAD_NANOS = TimeUnit.MILLISECONDS.toNanos(10);

  /** What to do with an L1 entry. */
  enum Verdict {
    /** Not servable: absent, past its hard TTL, or unverified past the bound with no reload under way. */
    MISS,
    /** Serve it. */
    HIT,
    /** Serve it and refresh it in the background (past its soft TTL). */
    HIT_REFRESH,
    /** Serve it and reload it in the background (unverified, close to its bound). */
    HIT_REVALIDATE
  }

  private final CacheContext<K, V> ctx;

  ReadPath(CacheContext<K, V> ctx) {
    this.ctx = ctx;
  }

  // ------------------------------------------------------------------------------ L1 verdicts

  /** Judges an L1 entry against the cache's clock. */
  Verdict judge(L1Entry<V> entry) {
    if (entry == null) {
      return Verdict.MISS;
    }
    long now = ctx.now();
    int state = entry.state;
    if (state == 0 && now < entry.freshUntil) {
      return Verdict.HIT;
    }
    entry.onRead(now);
    state = entry.state;
    if ((state & (L1Entry.EXPIRED | L1Entry.UNVERIFIED | L1Entry.REFRESH_DUE)) == 0) {
      return Verdict.HIT;
    }
    if ((state & L1Entry.EXPIRED) != 0) {
      return Verdict.MISS;
    }
    if ((state & L1Entry.UNVERIFIED) != 0) {
      long bound = ctx.staleBoundNanos;
      long age = now - entry.unverifiedSince;
      if (age >= bound) {
        // Past the bound: served only while its reload (started before the bound) finishes.
        boolean reloading = (state & L1Entry.REFRESHING) != 0 && age < Durations.saturatedAdd(bound, bound);
        return reloading ? Verdict.HIT : Verdict.MISS;
      }
      long lead = Math.min(bound / 4, Math.max(MIN_REVALIDATION_LEAD_NANOS, 2 * entry.loadNanos));
      if (age >= bound - lead) {
        return Verdict.HIT_REVALIDATE;
      }
    }
    return (state & L1Entry.REFRESH_DUE) != 0 ? Verdict.HIT_REFRESH : Verdict.HIT;
  }

  /** Whether an entry could be served now, without counting or refreshing anything. */
  boolean usable(L1Entry<V> entry) {
    if (entry == null) {
      return false;
    }
    long now = ctx.ticker.read();
    if (entry.isExpiredAt(now)) {
      return false;
    }
    return !entry.isUnverified() || now - entry.unverifiedSince < ctx.staleBoundNanos;
  }

  /**
   * Counts an L1 lookup and says whether {@code entry} may be served; a servable entry due for a
   * refresh or revalidation gets one in the background with {@code refreshLoader}, if given.
   */
  boolean serve(K key, L1Entry<V> entry, Function<? super K, ? extends V> refreshLoader) {
    Verdict verdict = judge(entry);
    if (verdict == Verdict.MISS) {
      ctx.stats.l1Misses.increment();
      return false;
    }
    ctx.stats.l1Hits.increment();
    if (verdict != Verdict.HIT && refreshLoader != null) {
      refresh(Map.of(key, entry), ctx.loaders.single(refreshLoader));
    }
    return true;
  }

  // ------------------------------------------------------------------------------ single key

  V getSlow(K key, Function<? super K, ? extends V> loader, L1Entry<V> entry) {
    ctx.checkOpen();
    if (serve(key, entry, loader)) {
      return AccessRecording.fromL1(ctx, Operation.GET, key, entry).value;
    }
    return valueOf(loadOrJoin(key, loader, entry));
  }

  private L1Entry<V> loadOrJoin(K key, Function<? super K, ? extends V> loader, L1Entry<V> fallback) {
    while (true) {
      Flight<K, V> current = ctx.flights.current(key);
      if (current != null) {
        return AccessRecording.loaded(ctx, Operation.GET, key, current, join(current));
      }
      Flight<K, V> mine = new Flight<>(key, ctx.flights.epoch(), ctx.ticker.read(), fallback, false);
      if (ctx.flights.register(mine) != null) {
        continue;
      }
      L1Entry<V> installed = installedMeanwhile(key, fallback);
      if (installed != null) {
        ctx.flights.abandon(mine);
        return AccessRecording.fromL1(ctx, Operation.GET, key, installed);
      }
      resolveOwned(key, mine, loader);
      return AccessRecording.loaded(ctx, Operation.GET, key, mine, join(mine));
    }
  }

  /**
   * Resolves a flight this thread registered. When the remote tier may answer for the key, this
   * thread asks it first and waits for the bytes itself: a hit, the common case behind a warm
   * Redis, is decoded here and ends the flight without building a {@link Load}. Anything else goes
   * to a load that starts past its lookup, so a miss still costs one remote read.
   */
  private void resolveOwned(K key, Flight<K, V> mine, Function<? super K, ? extends V> loader) {
    if (ctx.remoteUsableFor(key)) {
      CompletableFuture<RemoteEntry<V>> call;
      try {
        call = ctx.remote.get(key);
      } catch (RuntimeException refused) {
        // the load meets the same refusal and reports it as it always has
        Load.owned(ctx, Map.of(key, mine), ctx.loaders.single(loader), false).runHere();
        return;
      }
      RemoteEntry<V> found = null;
      boolean interrupted = false;
      try {
        found = call.get(ctx.remoteWaitNanos(1), TimeUnit.NANOSECONDS);
      } catch (InterruptedException e) {
        interrupted = true; // not a remote failure: load without the tier, restore the flag at the end
      } catch (TimeoutException e) {
        ctx.stats.remoteError(RemoteErrorKind.TIMEOUT, e);
      } catch (ExecutionException | CancellationException e) {
        // the tier reported it; the load goes on without the tier
      }
      if (found != null && found.isHit() && ctx.trusts(found)) {
        Load.answeredByRemote(ctx, mine, found);
        return;
      }
      Load<K, V> load = Load.owned(ctx, Map.of(key, mine), ctx.loaders.single(loader), false);
      load.afterLookup(key, found, interrupted);
      load.runHere();
      return;
    }
    Load.owned(ctx, Map.of(key, mine), ctx.loaders.single(loader), false).runHere();
  }

  /** A flight that ended just before ours was registered installed its entry first: use it. */
  private L1Entry<V> installedMeanwhile(K key, L1Entry<V> notThisOne) {
    L1Entry<V> installed = ctx.l1.peek(key);
    return installed != notThisOne && usable(installed) ? installed : null;
  }

  V getIfPresent(K key) {
    ctx.checkOpen();
    L1Entry<V> entry = ctx.l1.get(key);
    if (serve(key, entry, ctx.settings.loader())) {
      return AccessRecording.fromL1(ctx, Operation.GET, key, entry).value;
    }
    if (!ctx.remoteUsableFor(key)) {
      AccessRecording.read(ctx, Operation.GET, key, null, Tier.NONE);
      return null;
    }
    // Answered from the remote tier without filling L1: only a flight can be fenced safely.
    return presentRemotely(key, ctx.awaitRemote(ctx.remote.get(key), 1));
  }

  /** What {@code getIfPresent} answers from the remote tier's {@code found} (null: not asked in time). */
  private V presentRemotely(K key, RemoteEntry<V> found) {
    if (found == null || !found.isHit() || !ctx.trusts(found)) {
      ctx.stats.l2Misses.increment();
      AccessRecording.read(ctx, Operation.GET, key, null, Tier.NONE);
      return null;
    }
    ctx.stats.l2Hits.increment();
    AccessRecording.read(ctx, Operation.GET, key, found.value(), Tier.L2);
    return found.value();
  }

  /**
   * {@link #getIfPresent} without holding a thread: the remote lookup completes the future, and
   * a call that outlives its limit (plus a margin) is a miss, as in {@link CacheContext#awaitRemote}.
   */
  CompletableFuture<V> getIfPresentAsync(K key) {
    ctx.checkOpen();
    L1Entry<V> entry = ctx.l1.get(key);
    if (serve(key, entry, ctx.settings.loader())) {
      return CompletableFuture.completedFuture(AccessRecording.fromL1(ctx, Operation.GET, key, entry).value);
    }
    if (!ctx.remoteUsableFor(key)) {
      AccessRecording.read(ctx, Operation.GET, key, null, Tier.NONE);
      return CompletableFuture.completedFuture(null);
    }
    return ctx.remote.get(key)
        .copy()
        .orTimeout(ctx.remoteWaitNanos(1), TimeUnit.NANOSECONDS)
        .handle((found, failure) -> {
          if (failure != null) {
            Throwable cause = failure instanceof CompletionException && failure.getCause() != null
                ? failure.getCause() : failure;
            if (cause instanceof IllegalArgumentException || cause instanceof NullPointerException) {
              throw (RuntimeException) cause;
            }
            if (cause instanceof TimeoutException) {
              ctx.stats.remoteError(io.tieredcache.spi.RemoteErrorKind.TIMEOUT, cause);
            }
            found = null;
          }
          return presentRemotely(key, found);
        });
  }

  /** The value L1 holds for {@code key} if it could be served, without counting, loading or the remote tier. */
  V peekL1(K key) {
    L1Entry<V> entry = ctx.l1.peek(key);
    return usable(entry) ? entry.value : null;
  }

  CompletableFuture<V> getAsync(K key, Function<? super K, ? extends V> loader) {
    ctx.checkOpen();
    L1Entry<V> entry = ctx.l1.get(key);
    if (serve(key, entry, loader)) {
      return CompletableFuture.completedFuture(AccessRecording.fromL1(ctx, Operation.GET, key, entry).value);
    }
    while (true) {
      Flight<K, V> current = ctx.flights.current(key);
      if (current != null) {
        if (isRecursive(current)) {
          return CompletableFuture.failedFuture(recursion(key));
        }
        return AccessRecording.whenLoaded(ctx, key, current, current.result.thenApply(done -> done.value));
      }
      Flight<K, V> mine = new Flight<>(key, ctx.flights.epoch(), ctx.ticker.read(), entry, false);
      if (ctx.flights.register(mine) != null) {
        continue;
      }
      L1Entry<V> installed = installedMeanwhile(key, entry);
      if (installed != null) {
        ctx.flights.abandon(mine);
        return CompletableFuture.completedFuture(AccessRecording.fromL1(ctx, Operation.GET, key, installed).value);
      }
      Load.background(ctx, Map.of(key, mine), ctx.loaders.single(loader), false).runAsync();
      return AccessRecording.whenLoaded(ctx, key, mine, mine.result.thenApply(done -> done.value));
    }
  }

  // ------------------------------------------------------------------------------ many keys

  /** What one L1 pass over many keys found, and which flights the caller must wait for. */
  private final class Batch {
    final Set<K> wanted;
    final Map<K, L1Entry<V>> found = new HashMap<>();
    final Map<K, Flight<K, V>> joined = new LinkedHashMap<>();
    final Map<K, Flight<K, V>> mine = new LinkedHashMap<>();
    final Map<K, L1Entry<V>> due = new LinkedHashMap<>();

    Batch(Set<K> wanted) {
      this.wanted = wanted;
      for (K key : wanted) {
        L1Entry<V> entry = ctx.l1.get(key);
        Verdict verdict = judge(entry);
        if (verdict != Verdict.MISS) {
          ctx.stats.l1Hits.increment();
          found.put(key, AccessRecording.fromL1(ctx, Operation.GET_ALL_MEMBER, key, entry));
          if (verdict != Verdict.HIT) {
            due.put(key, entry);
          }
          continue;
        }
        ctx.stats.l1Misses.increment();
        Flight<K, V> current = ctx.flights.current(key);
        if (current == null) {
          Flight<K, V> flight = new Flight<>(key, ctx.flights.epoch(), ctx.ticker.read(), entry, false);
          current = ctx.flights.register(flight);
          if (current == null) {
            L1Entry<V> installed = installedMeanwhile(key, entry);
            if (installed != null) {
              ctx.flights.abandon(flight);
              found.put(key, AccessRecording.fromL1(ctx, Operation.GET_ALL_MEMBER, key, installed));
            } else {
              mine.put(key, flight);
            }
            continue;
          }
        }
        joined.put(key, current);
      }
    }

    Flight<K, V> flight(K key) {
      Flight<K, V> flight = joined.get(key);
      return flight != null ? flight : mine.get(key);
    }

    Map<K, V> result() {
      Map<K, V> result = new LinkedHashMap<>();
      for (K key : wanted) {
        L1Entry<V> entry = found.get(key);
        if (entry != null && entry.value != null) {
          result.put(key, entry.value);
        }
      }
      return Collections.unmodifiableMap(result);
    }
  }

  Map<K, V> getAll(Set<K> wanted, Function<? super Set<? extends K>, ? extends Map<? extends K, ? extends V>> bulkLoader) {
    ctx.checkOpen();
    Batch batch = new Batch(wanted);
    refreshBulk(batch.due, bulkLoader);
    if (!batch.mine.isEmpty()) {
      Load.owned(ctx, batch.mine, ctx.loaders.bulk(bulkLoader), false).runHere();
    }
    CacheLoadException firstFailure = null;
    List<Map.Entry<K, Flight<K, V>>> waits = new ArrayList<>(batch.joined.entrySet());
    waits.addAll(batch.mine.entrySet());
    for (Map.Entry<K, Flight<K, V>> wait : waits) {
      try {
        batch.found.put(wait.getKey(),
            AccessRecording.loaded(ctx, Operation.GET_ALL_MEMBER, wait.getKey(), wait.getValue(), join(wait.getValue())));
      } catch (CacheLoadException failure) {
        if (firstFailure == null) {
          firstFailure = failure;
        }
      }
    }
    if (firstFailure != null) {
      throw firstFailure;
    }
    return batch.result();
  }

  CompletableFuture<Map<K, V>> getAllAsync(
      Set<K> wanted, Function<? super Set<? extends K>, ? extends Map<? extends K, ? extends V>> bulkLoader) {
    ctx.checkOpen();
    Batch batch = new Batch(wanted);
    refreshBulk(batch.due, bulkLoader);
    for (Map.Entry<K, Flight<K, V>> joined : batch.joined.entrySet()) {
      if (isRecursive(joined.getValue())) {
        return CompletableFuture.failedFuture(recursion(joined.getKey()));
      }
    }
    if (!batch.mine.isEmpty()) {
      Load.background(ctx, batch.mine, ctx.loaders.bulk(bulkLoader), false).runAsync();
    }
    Map<K, CompletableFuture<L1Entry<V>>> waits = new LinkedHashMap<>();
    batch.joined.forEach((key, flight) -> waits.put(key, flight.result));
    batch.mine.forEach((key, flight) -> waits.put(key, flight.result));
    return CompletableFuture.allOf(waits.values().toArray(CompletableFuture<?>[]::new))
        .handle((ignored, anyFailure) -> {
          CacheLoadException firstFailure = null;
          for (Map.Entry<K, CompletableFuture<L1Entry<V>>> wait : waits.entrySet()) {
            try {
              batch.found.put(wait.getKey(), AccessRecording.loaded(ctx, Operation.GET_ALL_MEMBER, wait.getKey(),
                  batch.flight(wait.getKey()), wait.getValue().join()));
            } catch (CompletionException e) {
              RuntimeException cause = unwrap(e.getCause());
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
          return batch.result();
        });
  }

  // ------------------------------------------------------------------------------ refreshes

  private void refreshBulk(
      Map<K, L1Entry<V>> due, Function<? super Set<? extends K>, ? extends Map<? extends K, ? extends V>> bulkLoader) {
    if (!due.isEmpty()) {
      refresh(due, ctx.loaders.bulk(bulkLoader));
    }
  }

  /**
   * Starts one background load for the entries due for a refresh (past their soft TTL) or a
   * revalidation (unverified, near their bound), at most one per key at a time. A refresh that
   * does not replace its entry (it failed, or another node holds the key's lease and refreshes it)
   * lets a later read try again after {@link #REFRESH_RETRY_NANOS}.
   */
  void refresh(Map<K, L1Entry<V>> due, Loaders.Loader<K, V> loader) {
    long now = ctx.ticker.read();
    Map<K, Flight<K, V>> flights = new LinkedHashMap<>();
    for (Map.Entry<K, L1Entry<V>> next : due.entrySet()) {
      K key = next.getKey();
      L1Entry<V> entry = next.getValue();
      if (!entry.tryStartRefresh(now)) {
        continue;
      }
      Flight<K, V> flight = new Flight<>(key, ctx.flights.epoch(), now, entry, true);
      if (ctx.flights.register(flight) != null) {
        entry.endRefresh(now);
        continue;
      }
      flight.result.whenComplete((result, failure) -> {
        boolean replaced = failure == null && result != entry;
        entry.endRefresh(replaced ? 0 : ctx.ticker.read() + REFRESH_RETRY_NANOS);
      });
      if (entry.isUnverified()) {
        ctx.stats.revalidations.increment();
      } else {
        ctx.stats.refreshes.increment();
      }
      flights.put(key, flight);
    }
    if (!flights.isEmpty()) {
      Load.background(ctx, flights, loader, true).runAsync();
    }
  }

  // ------------------------------------------------------------------------------ waiting

  private boolean isRecursive(Flight<K, V> flight) {
    Load<K, V> load = flight.load;
    return load != null && load.isDrivenBy(Thread.currentThread());
  }

  private IllegalStateException recursion(K key) {
    return new IllegalStateException("recursive load in cache '" + ctx.name + "': loading key '" + key
        + "' asked the cache for that same key, which would wait for itself forever");
  }

  /**
   * Waits for another flight's result. If its load is asynchronous and nobody drives it (the
   * executor dropped it, or it waits for a remote answer), this thread takes it over, so a
   * synchronous read never depends on the executor.
   */
  private L1Entry<V> join(Flight<K, V> flight) {
    if (isRecursive(flight)) {
      throw recursion(flight.key);
    }
    boolean interrupted = false;
    try {
      while (true) {
        try {
          return flight.result.get(JOIN_POLL_NANOS, TimeUnit.NANOSECONDS);
        } catch (TimeoutException notYet) {
          Load<K, V> load = flight.load;
          if (load != null) {
            load.tryRunHere();
          }
        } catch (InterruptedException e) {
          interrupted = true; // the result is coming; restore the flag once it is here
        } catch (ExecutionException e) {
          throw unwrap(e.getCause());
        }
      }
    } finally {
      if (interrupted) {
        Thread.currentThread().interrupt();
      }
    }
  }

  private static <V> V valueOf(L1Entry<V> entry) {
    return entry.value;
  }

  /** The exception a caller gets for a failed flight: as it is, or an {@link Error} thrown right away. */
  static RuntimeException unwrap(Throwable failure) {
    Throwable cause = failure;
    while (cause instanceof CompletionException && cause.getCause() != null) {
      cause = cause.getCause();
    }
    if (cause instanceof RuntimeException runtime) {
      return runtime;
    }
    if (cause instanceof Error error) {
      throw error;
    }
    return new CompletionException(cause);
  }

  /** The keys of a batch call: a non-null iterable of non-null keys, without repeats, in order. */
  static <K> Set<K> requireKeys(Iterable<? extends K> keys) {
    Objects.requireNonNull(keys, "keys");
    Set<K> result = new LinkedHashSet<>();
    for (K key : keys) {
      result.add(Objects.requireNonNull(key, "keys must not contain null"));
    }
    return result;
  }
}
