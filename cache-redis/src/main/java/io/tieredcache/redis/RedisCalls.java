package io.tieredcache.redis;

import io.github.resilience4j.circuitbreaker.CallNotPermittedException;
import io.github.resilience4j.circuitbreaker.CircuitBreaker;
import io.lettuce.core.RedisFuture;
import io.lettuce.core.RedisNoScriptException;
import io.lettuce.core.ScriptOutputType;
import io.lettuce.core.cluster.api.async.RedisClusterAsyncCommands;
import io.tieredcache.spi.RemoteErrorKind;
import io.tieredcache.spi.TierEvents;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeoutException;
import java.util.function.BiConsumer;
import java.util.function.BiFunction;
import java.util.function.Function;

/**
 * Runs the Redis calls of one tier: each through the circuit breaker, with a time limit, its
 * commands cancelled when it runs out (so Lettuce never sends a buffered command late), and every
 * failure reported once through {@link TierEvents}.
 */
final class RedisCalls {

  private static final VarHandle SETTLED;

  static {
    try {
      SETTLED = MethodHandles.lookup().findVarHandle(LimitedCall.class, "settled", int.class);
    } catch (ReflectiveOperationException e) {
      throw new ExceptionInInitializerError(e);
    }
  }

  /** A call that must first wait for the connection to be made gets at least this long. */
  static final Duration CONNECT_GRACE = Duration.ofSeconds(2);
  /** Most commands (or keys of one {@code MGET}) in one call. */
  static final int BATCH_SIZE = 256;

  private final String cacheName;
  private final SharedConnection connection;
  private final CircuitBreaker breaker;
  private final TierEvents events;
  private final long timeoutNanos;
  private final long connectGraceNanos;
  private volatile boolean closed;

  RedisCalls(String cacheName, SharedConnection connection, CircuitBreaker breaker, TierEvents events, Duration timeout) {
    this.cacheName = cacheName;
    this.connection = connection;
    this.breaker = breaker;
    this.events = events;
    this.timeoutNanos = timeout.toNanos();
    this.connectGraceNanos = Math.max(timeoutNanos, CONNECT_GRACE.toNanos());
  }

  CircuitBreaker breaker() {
    return breaker;
  }

  /** The time limit one call gets now: the plain limit, or the connect grace while still connecting. */
  long limitNanos() {
    return connection.ready() ? timeoutNanos : connectGraceNanos;
  }

  /**
   * Runs one call: refused at once when the breaker is open or the tier is closed; a call that
   * times out is recorded as a breaker failure and its commands are cancelled. The returned future
   * fails with the unwrapped cause; reporting it is the caller's choice ({@link #report}).
   */
  <T> CompletableFuture<T> call(Function<Batch, CompletableFuture<T>> op) {
    return call(op, null);
  }

  /**
   * {@link #call}, whose future holds {@code outcome} applied to the value or to the unwrapped
   * failure (one of them null), as {@code call(op).handle(outcome)} would, without the extra stage
   * (reads and pipelines run it on every call). {@code outcome} runs on the thread that settles the
   * call.
   */
  <T, R> CompletableFuture<R> call(Function<Batch, CompletableFuture<T>> op,
      BiFunction<? super T, Throwable, ? extends R> outcome) {
    if (closed) {
      return refused(new IllegalStateException("the Redis tier of cache '" + cacheName + "' is closed"), outcome);
    }
    if (!breaker.tryAcquirePermission()) {
      return refused(CallNotPermittedException.createCallNotPermittedException(breaker), outcome);
    }
    var call = new LimitedCall<T, R>(System.nanoTime() + limitNanos(), outcome);
    CompletableFuture<T> result;
    try {
      result = connection.with(redis -> op.apply(call.batch.bind(redis)));
    } catch (RuntimeException e) {
      result = CompletableFuture.failedFuture(e);
    }
    result.whenComplete(call);
    if (!call.isDone()) {
      Deadlines.watch(call);
    }
    return call;
  }

  /** A call refused before it was sent: settled at once with {@code cause}, as a failed call is. */
  private static <T, R> CompletableFuture<R> refused(Throwable cause,
      BiFunction<? super T, Throwable, ? extends R> outcome) {
    CompletableFuture<R> refused = new CompletableFuture<>();
    completeWith(refused, outcome, null, cause);
    return refused;
  }

  /**
   * Completes {@code target} with {@code outcome} applied to the value or the failure (one of them
   * null), or with a failure it throws; without an outcome, with the value or the failure itself.
   */
  @SuppressWarnings("unchecked") // without an outcome mapping, R is T (see call(op))
  private static <T, R> void completeWith(CompletableFuture<R> target,
      BiFunction<? super T, Throwable, ? extends R> outcome, T value, Throwable cause) {
    if (outcome == null) {
      if (cause == null) {
        target.complete((R) value);
      } else {
        target.completeExceptionally(cause);
      }
      return;
    }
    R mapped;
    try {
      mapped = outcome.apply(value, cause);
    } catch (RuntimeException e) {
      target.completeExceptionally(e);
      return;
    }
    target.complete(mapped);
  }

  /**
   * What {@link #call} returns: settled once, by the commands' outcome or by its deadline
   * ({@link Deadlines}), whichever comes first; the breaker learns the outcome before any caller
   * does, a call that times out has its commands cancelled, and a call that times out or cannot
   * connect asks a cluster client to re-read the topology ({@link SharedConnection#topologySuspect}).
   */
  private final class LimitedCall<T, R> extends CompletableFuture<R> implements Deadlines.Limited, BiConsumer<T, Throwable> {

    final Batch batch = new Batch();
    private final long start = breaker.getCurrentTimestamp();
    private final long deadlineNanos;
    /** Maps the outcome, or null: the call then holds the value or fails with the cause. */
    private final BiFunction<? super T, Throwable, ? extends R> outcome;
    /** 0 until the outcome or the deadline settles the call; see {@link #settle()}. */
    private volatile int settled;

    LimitedCall(long deadlineNanos, BiFunction<? super T, Throwable, ? extends R> outcome) {
      this.deadlineNanos = deadlineNanos;
      this.outcome = outcome;
    }

    private boolean settle() {
      return settled == 0 && SETTLED.compareAndSet(this, 0, 1);
    }

    @Override
    public long deadlineNanos() {
      return deadlineNanos;
    }

    /** The commands ended. */
    @Override
    public void accept(T value, Throwable failure) {
      if (!settle()) {
        return;
      }
      long elapsed = breaker.getCurrentTimestamp() - start;
      if (failure == null) {
        breaker.onResult(elapsed, breaker.getTimestampUnit(), value);
        finish(value, null);
      } else {
        Throwable cause = Failures.unwrap(failure);
        batch.cancel();
        breaker.onError(elapsed, breaker.getTimestampUnit(), cause);
        if (Failures.suggestsTopologyChange(cause)) {
          connection.topologySuspect();
        }
        finish(null, cause);
      }
    }

    @Override
    public void expire() {
      if (!settle()) {
        return;
      }
      var timeout = new TimeoutException("no answer from Redis within the tier's time limit");
      batch.cancel();
      breaker.onError(breaker.getCurrentTimestamp() - start, breaker.getTimestampUnit(), timeout);
      connection.topologySuspect(); // on a cluster, the commands may wait for a node that is gone
      finish(null, timeout);
    }

    private void finish(T value, Throwable cause) {
      completeWith(this, outcome, value, cause);
    }
  }

  /**
   * Issues {@code commands} back to back (a pipeline: nobody waits per key) in calls of at most
   * {@link #BATCH_SIZE} commands, each call with its own time limit, so that a large batch Redis
   * completes is never failed for its size; settles each reply in order. A command that failed has
   * a {@link Reply#failure()}; if a whole call fails or times out, each of its replies carries
   * that failure, which is reported once. The failures of single commands are left to the caller.
   */
  CompletableFuture<List<Reply>> pipeline(List<Function<Batch, CompletableFuture<?>>> commands) {
    if (commands.size() <= BATCH_SIZE) {
      return pipelineCall(commands);
    }
    var parts = new ArrayList<CompletableFuture<List<Reply>>>();
    for (int from = 0; from < commands.size(); from += BATCH_SIZE) {
      parts.add(pipelineCall(commands.subList(from, Math.min(commands.size(), from + BATCH_SIZE))));
    }
    return CompletableFuture.allOf(parts.toArray(CompletableFuture<?>[]::new)).thenApply(done -> {
      var all = new ArrayList<Reply>(commands.size());
      for (CompletableFuture<List<Reply>> part : parts) {
        all.addAll(part.join());
      }
      return all;
    });
  }

  /** How many calls {@link #pipeline} makes of {@code commandCount} commands. */
  static int callsFor(int commandCount) {
    return Math.max(1, (commandCount + BATCH_SIZE - 1) / BATCH_SIZE);
  }

  private CompletableFuture<List<Reply>> pipelineCall(List<Function<Batch, CompletableFuture<?>>> commands) {
    return call(batch -> {
      var replies = new ArrayList<CompletableFuture<Reply>>(commands.size());
      for (Function<Batch, CompletableFuture<?>> command : commands) {
        CompletableFuture<?> sent;
        try {
          sent = command.apply(batch);
        } catch (RuntimeException e) {
          sent = CompletableFuture.failedFuture(e);
        }
        replies.add(sent.handle((value, failure) -> {
          if (failure != null && Failures.suggestsTopologyChange(failure)) {
            connection.topologySuspect(); // one command of the batch met a node that is gone
          }
          return new Reply(value, failure == null ? null : Failures.unwrap(failure));
        }));
      }
      return CompletableFuture.allOf(replies.toArray(CompletableFuture<?>[]::new)).thenApply(done -> {
        var settled = new ArrayList<Reply>(replies.size());
        for (CompletableFuture<Reply> reply : replies) {
          settled.add(reply.join());
        }
        return settled;
      });
    }, (replies, failure) -> {
      if (failure == null) {
        return replies;
      }
      report(failure);
      var failed = new ArrayList<Reply>(commands.size());
      Throwable cause = Failures.unwrap(failure);
      for (int i = 0; i < commands.size(); i++) {
        failed.add(new Reply(null, cause));
      }
      return failed;
    });
  }

  /** {@code EVALSHA}, falling back to {@code EVAL} (which also caches the script) on {@code NOSCRIPT}. */
  static <T> CompletableFuture<T> script(Batch batch, Script script, ScriptOutputType type, byte[][] keys, byte[]... args) {
    return batch.add(batch.redis().<T>evalsha(script.sha(), type, keys, args))
        .exceptionallyCompose(failure -> isNoScript(failure)
            ? batch.add(batch.redis().<T>eval(script.body(), type, keys, args))
            : CompletableFuture.failedFuture(failure));
  }

  private static boolean isNoScript(Throwable failure) {
    Throwable t = Failures.unwrap(failure);
    return t instanceof RedisNoScriptException
        || (t.getMessage() != null && t.getMessage().startsWith("NOSCRIPT"));
  }

  /** Reports a failure once, by kind. */
  void report(Throwable failure) {
    Throwable cause = Failures.unwrap(failure);
    report(Failures.classify(cause), cause);
  }

  void report(RemoteErrorKind kind, Throwable cause) {
    try {
      events.remoteError(kind, cause);
    } catch (RuntimeException ignored) {
      // A broken listener must not turn an absorbed failure into a thrown one.
    }
  }

  /** Refuses every later call; the connection itself is released by the tier. */
  void close() {
    closed = true;
  }

  boolean isClosed() {
    return closed;
  }

  /**
   * The commands of one call, kept so that they can be cancelled if the call times out. Most calls
   * send one command: it is kept in a field, and a queue is made only for a second one.
   */
  static final class Batch {
    private static final VarHandle FIRST;
    private static final VarHandle REST;

    static {
      try {
        MethodHandles.Lookup lookup = MethodHandles.lookup();
        FIRST = lookup.findVarHandle(Batch.class, "first", RedisFuture.class);
        REST = lookup.findVarHandle(Batch.class, "rest", ConcurrentLinkedQueue.class);
      } catch (ReflectiveOperationException e) {
        throw new ExceptionInInitializerError(e);
      }
    }

    private volatile RedisFuture<?> first;
    private volatile ConcurrentLinkedQueue<RedisFuture<?>> rest;
    private volatile RedisClusterAsyncCommands<byte[], byte[]> redis;
    private volatile boolean cancelled;

    Batch bind(RedisClusterAsyncCommands<byte[], byte[]> commands) {
      this.redis = commands;
      return this;
    }

    RedisClusterAsyncCommands<byte[], byte[]> redis() {
      return redis;
    }

    /**
     * Keeps {@code command}, then cancels it if the batch was cancelled meanwhile: the command is
     * published before {@code cancelled} is read and {@link #cancel} sets it before it reads the
     * commands, so one of the two always sees the other.
     */
    <T> CompletableFuture<T> add(RedisFuture<T> command) {
      if (first != null || !FIRST.compareAndSet(this, null, command)) {
        rest().add(command);
      }
      if (cancelled) {
        command.cancel(false);
      }
      return command.toCompletableFuture();
    }

    private ConcurrentLinkedQueue<RedisFuture<?>> rest() {
      ConcurrentLinkedQueue<RedisFuture<?>> queue = rest;
      if (queue == null) {
        queue = new ConcurrentLinkedQueue<>();
        if (!REST.compareAndSet(this, null, queue)) {
          queue = rest;
        }
      }
      return queue;
    }

    void cancel() {
      cancelled = true;
      cancelIfPending(first);
      ConcurrentLinkedQueue<RedisFuture<?>> queue = rest;
      if (queue != null) {
        queue.forEach(Batch::cancelIfPending);
      }
    }

    private static void cancelIfPending(RedisFuture<?> command) {
      if (command != null && !command.isDone()) {
        command.cancel(false);
      }
    }
  }

  /** How one command of a pipeline went. */
  record Reply(Object value, Throwable failure) {
    boolean ok() {
      return failure == null;
    }
  }
}
