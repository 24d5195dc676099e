package io.tieredcache.internal;

import io.tieredcache.spi.FillOutcome;
import io.tieredcache.spi.Lease;
import io.tieredcache.spi.PendingFill;
import io.tieredcache.spi.RemoteEntry;
import io.tieredcache.spi.RemoteErrorKind;
import io.tieredcache.spi.RemoteTier.LeasedEntry;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Resolves one or more {@link Flight}s: the remote tier, then the fill lease, then the loader.
 * One class holds the whole miss path, so that "what happens when a fill loses its lease" is
 * answered here ({@link #onFilled}).
 *
 * <h2>Steps</h2>
 * <ol>
 *   <li><b>lookup</b>: one remote read for every key the remote tier may be trusted with. A hit ends
 *       the key's flight, unless it is a value this node cannot trust (written before a moment it
 *       may have missed invalidations; see {@link CacheContext#trusts}) or a refresh meets the
 *       value it is refreshing (past its soft expiry).
 *   <li><b>lease</b>: one lease request for the rest. A key another node is loading is waited for;
 *       a refresh does not wait but leaves the refresh to that node.
 *   <li><b>await fills</b>: poll, with backoff and at most {@code leaseWait}, until the other node
 *       has filled the key (use it), given up (released its lease: load now), or time is up.
 *   <li><b>retry lease</b>: for keys whose holder gave up or was too slow, ask once more.
 *   <li><b>load</b>: one call of the loader for every key still open, on the driving thread.
 *   <li><b>fill</b>: store the values under their leases, then install them in L1 unless a write
 *       voided the lease meanwhile ({@link FillOutcome#FENCED}): then the value goes to its callers
 *       only.
 * </ol>
 * The first remote call that fails or times out (or an interrupt of the caller) ends all remote
 * work of the load: it loads, fills nothing and installs in L1 only. So a caller pays one remote
 * time limit at most, and an unknown outcome never leads to a fill.
 *
 * <h2>Driving</h2>
 * The load is a state machine: {@link #advance()} runs steps until it must wait for a remote
 * answer. A synchronous caller drives it on its own thread to the end ({@link #runHere()}), so
 * the loader runs on the caller's thread, and values are decoded there (never on an I/O thread).
 * An asynchronous load is driven on the cache's executor and hands itself back to the executor when
 * an answer arrives ({@link #runAsync()}); if the executor drops or refuses the task, a waiting
 * synchronous caller takes the load over, and otherwise a rescue thread does after
 * {@link #RESCUE_NANOS}. Only one thread drives at a time.
 */
final class Load<K, V> {

  private static final long POLL_MIN_NANOS = TimeUnit.MILLISECONDS.toNanos(2);
  private static final long POLL_MAX_NANOS = TimeUnit.MILLISECONDS.toNanos(50);
  /** An asynchronous load that has not moved for this long is driven by a rescue thread. */
  static final long RESCUE_NANOS = TimeUnit.SECONDS.toNanos(1);
  /** Stands for a remote answer the driver stopped waiting for. */
  private static final CompletableFuture<Object> GAVE_UP =
      CompletableFuture.failedFuture(new CancellationException("gave up waiting for the remote tier"));

  private enum Step { LOOKUP, LEASE, AWAIT_FILLS, RETRY_LEASE, LOAD, FILL, DONE }

  private final CacheContext<K, V> ctx;
  private final Map<K, Flight<K, V>> open;
  private final Loaders.Loader<K, V> loader;
  private final boolean refresh;
  private final AtomicBoolean driving = new AtomicBoolean();
  private volatile Thread driver;
  private volatile boolean done;
  private volatile long progress;

  // State below is touched only by the driving thread (handed over through `driving`).
  private Step step = Step.LOOKUP;
  private CompletableFuture<?> pending;
  private long pendingDeadline;
  private boolean remoteUsable;
  private boolean interrupted;
  /** Keys that must not touch the remote tier (it may hold an older value for them). */
  private final Set<K> localOnly = new LinkedHashSet<>();
  private final Map<K, Lease> leases = new HashMap<>();
  private List<K> waiting = List.of();
  private final Set<K> retry = new LinkedHashSet<>();
  private long waitDeadline;
  private long pollPause = POLL_MIN_NANOS;
  private Map<K, V> loaded;
  private long loadedAtMillis;
  private long loadNanos;
  private Map<K, LeasedEntry<V>> fills = Map.of();

  private Load(CacheContext<K, V> ctx, Map<K, Flight<K, V>> flights, Loaders.Loader<K, V> loader, boolean refresh) {
    this.ctx = ctx;
    this.open = new LinkedHashMap<>(flights);
    this.loader = loader;
    this.refresh = refresh;
    this.remoteUsable = ctx.remote != null && !ctx.hearing.isDeaf();
    for (K key : open.keySet()) {
      if (remoteUsable && !ctx.remoteUsableFor(key)) {
        localOnly.add(key);
      }
    }
    for (Flight<K, V> flight : open.values()) {
      flight.load = this;
    }
  }

  /** A load that the calling thread will drive with {@link #runHere()}. */
  static <K, V> Load<K, V> owned(CacheContext<K, V> ctx, Map<K, Flight<K, V>> flights, Loaders.Loader<K, V> loader, boolean refresh) {
    Load<K, V> load = new Load<>(ctx, flights, loader, refresh);
    load.driving.set(true);
    load.driver = Thread.currentThread();
    return load;
  }

  /**
   * Goes on from the single-key lookup its owner already made: {@code found} is the answer, or
   * null if the call failed, timed out or {@code interruptedMeanwhile} (then the flag is restored
   * when the load ends, as for an interrupt during the load).
   */
  void afterLookup(K key, RemoteEntry<V> found, boolean interruptedMeanwhile) {
    interrupted |= interruptedMeanwhile;
    onLookup(found == null ? Map.of() : Map.of(key, found), found != null);
  }

  /** Ends {@code flight} with the remote tier's hit {@code found}: counted, installed unless fenced. */
  static <K, V> void answeredByRemote(CacheContext<K, V> ctx, Flight<K, V> flight, RemoteEntry<V> found) {
    ctx.stats.l2Hits.increment();
    flight.answeredByRemote = true;
    L1Entry<V> entry = ctx.ttls.fromRemote(found, flight.startedAt);
    ctx.flights.install(flight, entry, ctx.ttls.installable(entry));
    flight.result.complete(entry);
  }

  /** A load driven on the cache's executor; start it with {@link #runAsync()}. */
  static <K, V> Load<K, V> background(CacheContext<K, V> ctx, Map<K, Flight<K, V>> flights, Loaders.Loader<K, V> loader, boolean refresh) {
    return new Load<>(ctx, flights, loader, refresh);
  }

  /** Whether {@code thread} is driving this load now (a loader asking for its own key would wait forever). */
  boolean isDrivenBy(Thread thread) {
    return driver == thread;
  }

  boolean isDone() {
    return done;
  }

  // ------------------------------------------------------------------------------ driving

  /** Drives the load to its end on this thread; the caller owns it ({@link #owned} or a take-over). */
  void runHere() {
    driver = Thread.currentThread();
    try {
      CompletableFuture<?> wait;
      while ((wait = advanceGuarded()) != null) {
        awaitPending(wait);
      }
    } finally {
      driver = null;
      driving.set(false);
      if (interrupted) {
        Thread.currentThread().interrupt();
      }
    }
  }

  /** Takes the load over if nobody drives it now and drives it to its end; false if another thread drives it. */
  boolean tryRunHere() {
    if (done || !driving.compareAndSet(false, true)) {
      return false;
    }
    runHere();
    return true;
  }

  /** Hands the load to the cache's executor (a rescue thread if the executor refuses it). */
  void runAsync() {
    long seen = progress;
    try {
      ctx.executor.execute(this::driveAsync);
    } catch (RejectedExecutionException refused) {
      Timers.rescue(this::driveAsync);
      return;
    }
    Timers.schedule(() -> {
      if (!done && progress == seen && !driving.get()) {
        Timers.rescue(this::driveAsync);
      }
    }, RESCUE_NANOS);
  }

  private void driveAsync() {
    if (done || !driving.compareAndSet(false, true)) {
      return;
    }
    driver = Thread.currentThread();
    CompletableFuture<?> wait;
    long left;
    try {
      while (true) {
        wait = advanceGuarded();
        if (wait == null || !wait.isDone()) {
          left = pendingDeadline - System.nanoTime();
          if (wait == null || left > 0) {
            break;
          }
          // The tier did not answer within its own limit (plus a margin): stop waiting for it.
          ctx.stats.remoteError(RemoteErrorKind.TIMEOUT, new TimeoutException("no answer from the remote tier"));
          pending = GAVE_UP;
        }
      }
    } finally {
      driver = null;
      driving.set(false);
    }
    if (wait != null) {
      wait.copy().orTimeout(left, TimeUnit.NANOSECONDS).whenComplete((result, failure) -> runAsync());
    }
  }

  private void awaitPending(CompletableFuture<?> wait) {
    long left = pendingDeadline - System.nanoTime();
    try {
      wait.get(Math.max(0, left), TimeUnit.NANOSECONDS);
    } catch (InterruptedException e) {
      interrupted = true; // not a remote failure: stop using the remote tier, restore the flag at the end
      pending = GAVE_UP;
    } catch (TimeoutException e) {
      ctx.stats.remoteError(RemoteErrorKind.TIMEOUT, e);
      pending = GAVE_UP;
    } catch (ExecutionException | CancellationException e) {
      // the step's handler sees the failure
    }
  }

  private CompletableFuture<?> advanceGuarded() {
    try {
      return advance();
    } catch (Throwable unexpected) {
      failAll(unexpected);
      return null;
    }
  }

  /** Runs steps until one must wait for a remote answer (returned) or the load is done (null). */
  private CompletableFuture<?> advance() {
    while (true) {
      progress++;
      if (pending != null) {
        if (!pending.isDone()) {
          return pending;
        }
        CompletableFuture<?> answered = pending;
        pending = null;
        Object result = null;
        boolean ok;
        try {
          result = answered.join();
          ok = true;
        } catch (CompletionException | CancellationException failed) {
          ok = false;
        }
        handle(result, ok);
        continue;
      }
      switch (step) {
        case LOOKUP -> lookup();
        case LEASE -> lease(open.keySet(), false);
        case AWAIT_FILLS -> poll();
        case RETRY_LEASE -> lease(retry, true);
        case LOAD -> load();
        case FILL -> fill();
        case DONE -> {
          done = true;
          return null;
        }
      }
    }
  }

  @SuppressWarnings("unchecked")
  private void handle(Object result, boolean ok) {
    switch (step) {
      case LOOKUP -> onLookup((Map<K, RemoteEntry<V>>) result, ok);
      case LEASE, RETRY_LEASE -> onLeases((Map<K, Lease>) result, ok);
      case AWAIT_FILLS -> onPoll((Map<K, PendingFill<V>>) result, ok);
      case FILL -> onFilled((Map<K, FillOutcome>) result, ok);
      default -> throw new IllegalStateException("no remote call in step " + step);
    }
  }

  /** Waits for {@code call}, a remote call over {@code keyCount} keys, within the tier's limit. */
  private void await(CompletableFuture<?> call, int keyCount) {
    pendingDeadline = System.nanoTime() + ctx.remoteWaitNanos(keyCount);
    pending = call;
  }

  // ------------------------------------------------------------------------------ steps

  private List<K> remoteKeys() {
    List<K> keys = new ArrayList<>(open.size());
    for (K key : open.keySet()) {
      if (!localOnly.contains(key)) {
        keys.add(key);
      }
    }
    return keys;
  }

  private void lookup() {
    List<K> keys = remoteUsable ? remoteKeys() : List.of();
    if (keys.isEmpty()) {
      step = Step.LOAD;
      return;
    }
    if (keys.size() == 1) {
      K key = keys.get(0);
      await(ctx.remote.get(key).thenApply(entry -> Map.of(key, entry)), 1);
    } else {
      await(ctx.remote.getAll(keys), keys.size());
    }
  }

  private void onLookup(Map<K, RemoteEntry<V>> found, boolean ok) {
    for (K key : remoteKeys()) {
      RemoteEntry<V> entry = ok ? found.get(key) : null;
      if (entry == null || entry.isUnavailable()) {
        remoteUsable = false;
        ctx.stats.l2Misses.increment();
      } else if (entry.isHit() && !(refresh && Ttls.isSoftExpired(entry)) && ctx.trusts(entry)) {
        answeredByRemote(ctx, open.remove(key), entry);
      } else {
        ctx.stats.l2Misses.increment();
      }
    }
    step = open.isEmpty() ? Step.DONE : remoteUsable ? Step.LEASE : Step.LOAD;
  }

  private void lease(Set<K> which, boolean again) {
    List<K> keys = new ArrayList<>();
    for (K key : which) {
      if (open.containsKey(key) && !localOnly.contains(key)) {
        keys.add(key);
      }
    }
    if (!remoteUsable || keys.isEmpty()) {
      step = Step.LOAD;
      return;
    }
    step = again ? Step.RETRY_LEASE : Step.LEASE;
    await(ctx.remote.acquireLeases(keys), keys.size());
  }

  private void onLeases(Map<K, Lease> granted, boolean ok) {
    boolean again = step == Step.RETRY_LEASE;
    List<K> heldElsewhere = new ArrayList<>();
    for (K key : again ? List.copyOf(retry) : remoteKeys()) {
      if (!open.containsKey(key)) {
        continue;
      }
      Lease lease = ok ? granted.getOrDefault(key, Lease.unknown()) : Lease.unknown();
      if (lease.state() == Lease.State.UNKNOWN) {
        remoteUsable = false;
      }
      leases.put(key, lease);
      if (lease.state() == Lease.State.HELD_ELSEWHERE) {
        heldElsewhere.add(key);
      }
    }
    retry.clear();
    if (refresh) {
      // Another node is refreshing these keys: leave it to that node; a later read picks its fill up.
      for (K key : heldElsewhere) {
        Flight<K, V> flight = open.remove(key);
        ctx.flights.abandon(flight);
        flight.result.complete(flight.fallback);
      }
      step = open.isEmpty() ? Step.DONE : Step.LOAD;
      return;
    }
    if (!again && remoteUsable && !heldElsewhere.isEmpty()) {
      waiting = heldElsewhere;
      waitDeadline = System.nanoTime() + ctx.leaseWaitNanos;
      step = Step.AWAIT_FILLS;
      return;
    }
    step = Step.LOAD;
  }

  private void poll() {
    if (waiting.isEmpty()) {
      step = retry.isEmpty() ? Step.LOAD : Step.RETRY_LEASE;
      return;
    }
    long left = waitDeadline - System.nanoTime();
    if (left <= 0) {
      retry.addAll(waiting); // the holder is slow or gone: ask again, and load either way
      waiting = List.of();
      step = Step.RETRY_LEASE;
      return;
    }
    long pause = Math.min(pollPause, left);
    pollPause = Math.min(pollPause * 2, POLL_MAX_NANOS);
    List<K> keys = List.copyOf(waiting);
    pendingDeadline = System.nanoTime() + pause + ctx.remoteWaitNanos(keys.size());
    pending = Timers.after(pause).thenCompose(ignored -> ctx.remote.pollFills(keys));
  }

  private void onPoll(Map<K, PendingFill<V>> polled, boolean ok) {
    if (!ok) {
      remoteUsable = false;
      step = Step.LOAD;
      return;
    }
    List<K> stillWaiting = new ArrayList<>();
    for (K key : waiting) {
      PendingFill<V> state = polled.getOrDefault(key, PendingFill.unknown());
      if (!ctx.remoteUsableFor(key)) {
        localOnly.add(key); // written (or failed to write) here meanwhile: load without the tier
        continue;
      }
      switch (state.state()) {
        case FILLED -> {
          if (!state.entry().isHit()) {
            retry.add(key); // it could not be decoded (and was deleted): take the lease ourselves
          } else if (!ctx.trusts(state.entry())) {
            stillWaiting.add(key); // an old value the lease holder is about to replace
          } else {
            ctx.stats.l2Hits.increment();
            Flight<K, V> flight = open.remove(key);
            flight.answeredByRemote = true;
            resolve(flight, ctx.ttls.fromRemote(state.entry(), flight.startedAt));
          }
        }
        case LOADING -> stillWaiting.add(key);
        case ABANDONED -> retry.add(key);
        case UNKNOWN -> remoteUsable = false;
      }
    }
    waiting = stillWaiting;
    if (!remoteUsable) {
      step = Step.LOAD;
    } else if (open.isEmpty()) {
      step = Step.DONE;
    } else {
      step = Step.AWAIT_FILLS;
    }
  }

  private void load() {
    if (open.isEmpty()) {
      step = Step.DONE;
      return;
    }
    loadedAtMillis = System.currentTimeMillis();
    long started = System.nanoTime();
    try {
      loaded = loader.load(open.keySet());
    } catch (Throwable failure) {
      releaseLeases();
      failAll(failure);
      step = Step.DONE;
      return;
    }
    loadNanos = System.nanoTime() - started;
    step = Step.FILL;
  }

  private void fill() {
    Map<K, LeasedEntry<V>> toFill = new LinkedHashMap<>();
    if (ctx.remote != null) {
      for (K key : open.keySet()) {
        Lease lease = leases.get(key);
        if (lease == null || localOnly.contains(key)) {
          continue;
        }
        if (!remoteUsable) {
          continue; // released below, without waiting
        }
        if (lease.allowsFill()) {
          toFill.put(key, new LeasedEntry<>(lease, ctx.ttls.toRemote(loaded.get(key), loadedAtMillis, loadNanos)));
        }
      }
      if (!remoteUsable) {
        releaseLeases();
      }
    }
    if (toFill.isEmpty()) {
      onFilled(Map.of(), true);
      return;
    }
    fills = toFill;
    step = Step.FILL;
    await(ctx.remote.fill(toFill), toFill.size());
  }

  /**
   * Ends every open flight with its loaded value. A value whose lease was voided by a write or an
   * invalidation while it loaded ({@link FillOutcome#FENCED}) may be older than that write: its
   * callers get it, but it is installed nowhere. An unknown outcome installs in L1 (the bus fences
   * L1 as usual) but repairs nothing: a fill can only have landed under a valid lease.
   */
  private void onFilled(Map<K, FillOutcome> outcomes, boolean ok) {
    for (Map.Entry<K, Flight<K, V>> next : open.entrySet()) {
      K key = next.getKey();
      Flight<K, V> flight = next.getValue();
      L1Entry<V> entry = ctx.ttls.entry(loaded.get(key), loadedAtMillis, flight.startedAt, loadNanos);
      FillOutcome outcome = !fills.containsKey(key) ? null
          : ok ? outcomes.getOrDefault(key, FillOutcome.UNKNOWN) : FillOutcome.UNKNOWN;
      if (outcome == FillOutcome.STORED && entry.value != null) {
        ctx.stats.l2Puts.increment();
      }
      if (outcome == FillOutcome.FENCED) {
        ctx.flights.abandon(flight);
        ctx.stats.fencedFills.increment();
        flight.result.complete(entry);
      } else {
        resolve(flight, entry);
      }
    }
    open.clear();
    step = Step.DONE;
  }

  // ------------------------------------------------------------------------------ endings

  private void resolve(Flight<K, V> flight, L1Entry<V> entry) {
    ctx.flights.install(flight, entry, ctx.ttls.installable(entry));
    flight.result.complete(entry);
  }

  /**
   * Ends the open flights after a failure: each caller gets the entry its flight replaces while
   * that is within its hard TTL (a failed refresh or revalidation), or within the stale-if-error
   * window (counted), else the failure.
   */
  private void failAll(Throwable failure) {
    long now = ctx.ticker.read();
    for (Flight<K, V> flight : open.values()) {
      ctx.flights.abandon(flight);
      L1Entry<V> previous = flight.fallback;
      if (previous != null && now < previous.expireAt) {
        flight.result.complete(previous);
      } else if (previous != null && previous.retainUntil > previous.expireAt && now < previous.retainUntil) {
        ctx.stats.staleServes.increment();
        flight.result.complete(previous);
      } else {
        flight.result.completeExceptionally(ctx.loaders.failure(flight.key, failure));
      }
    }
    open.clear();
    step = Step.DONE;
    done = true;
  }

  /** Gives acquired leases back so other nodes stop waiting at once; best effort, not awaited. */
  private void releaseLeases() {
    if (ctx.remote == null) {
      return;
    }
    Map<K, LeasedEntry<V>> releases = new HashMap<>();
    leases.forEach((key, lease) -> {
      if (lease.state() == Lease.State.ACQUIRED && open.containsKey(key)) {
        releases.put(key, new LeasedEntry<>(lease, RemoteEntry.miss()));
      }
    });
    if (!releases.isEmpty()) {
      try {
        ctx.remote.fill(releases);
      } catch (RuntimeException ignored) {
        // the lease expires by itself
      }
    }
    leases.keySet().removeAll(releases.keySet());
  }
}
