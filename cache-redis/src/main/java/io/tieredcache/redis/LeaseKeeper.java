package io.tieredcache.redis;

import static java.nio.charset.StandardCharsets.UTF_8;

import io.lettuce.core.ScriptOutputType;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;

/**
 * Keeps this node's fill leases alive while it loads: every third of the lease's life it extends
 * each lease it still holds (only if the lease still holds its token: a write that voided it is
 * never undone). A slow load therefore keeps its right to fill, while a crashed node's leases
 * lapse within one lease life. A lease is kept at most {@code maxHold}, so a load that never ends
 * cannot block other nodes forever.
 */
final class LeaseKeeper {

  private final RedisCalls calls;
  private final long ttlMillis;
  private final long maxHoldNanos;
  private final Map<String, Held> held = new ConcurrentHashMap<>();
  private final ScheduledFuture<?> renewals;

  LeaseKeeper(RedisCalls calls, Duration leaseTtl, Duration maxHold) {
    this.calls = calls;
    this.ttlMillis = leaseTtl.toMillis();
    this.maxHoldNanos = maxHold.toNanos();
    long period = Math.max(1, ttlMillis / 3);
    this.renewals = Timer.scheduleAtFixedRate(this::renew, period, period, TimeUnit.MILLISECONDS);
  }

  /** Starts keeping the lease at {@code leaseKey} that holds {@code token}. */
  void keep(String token, byte[] leaseKey) {
    held.put(token, new Held(leaseKey, System.nanoTime()));
  }

  /** Stops keeping it (it was filled, released or given up). */
  void forget(String token) {
    held.remove(token);
  }

  /** How many leases are kept now. */
  int size() {
    return held.size();
  }

  void close() {
    renewals.cancel(false);
    held.clear();
  }

  private void renew() {
    if (held.isEmpty() || calls.isClosed()) {
      return;
    }
    long now = System.nanoTime();
    List<String> tokens = new ArrayList<>();
    var commands = new ArrayList<Function<RedisCalls.Batch, CompletableFuture<?>>>();
    byte[] ttl = Long.toString(ttlMillis).getBytes(UTF_8);
    held.forEach((token, lease) -> {
      if (now - lease.since() > maxHoldNanos) {
        held.remove(token);
        return;
      }
      tokens.add(token);
      byte[] tokenBytes = token.getBytes(UTF_8);
      commands.add(batch -> RedisCalls.<Long>script(batch, Script.RENEW, ScriptOutputType.INTEGER,
          new byte[][] {lease.key()}, tokenBytes, ttl));
    });
    if (commands.isEmpty()) {
      return;
    }
    calls.pipeline(commands).thenAccept(replies -> {
      for (int i = 0; i < replies.size(); i++) {
        RedisCalls.Reply reply = replies.get(i);
        if (reply.ok() && Long.valueOf(0).equals(reply.value())) {
          held.remove(tokens.get(i)); // voided by a write, or lapsed: nothing left to keep
        }
      }
    });
  }

  private record Held(byte[] key, long since) {}
}
