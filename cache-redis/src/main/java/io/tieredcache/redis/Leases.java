package io.tieredcache.redis;

import static java.nio.charset.StandardCharsets.US_ASCII;

import io.lettuce.core.ScriptOutputType;
import io.lettuce.core.SetArgs;
import io.tieredcache.spi.FillOutcome;
import io.tieredcache.spi.Lease;
import io.tieredcache.spi.RemoteEntry;
import io.tieredcache.spi.RemoteErrorKind;
import io.tieredcache.spi.RemoteTier.LeasedEntry;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ThreadLocalRandom;
import java.util.function.Function;

/**
 * Fill leases and fills: one loader per key across all nodes, and a fill that lands only while its
 * lease (of the current epoch) is still valid. What happens when a fill loses its lease is here.
 */
final class Leases<K, V> {

  private final Keyspace<K, V> ks;
  private final LeaseKeeper leaseKeeper;
  private final long leaseTtlMillis;

  Leases(Keyspace<K, V> ks, LeaseKeeper leaseKeeper, long leaseTtlMillis) {
    this.ks = ks;
    this.leaseKeeper = leaseKeeper;
    this.leaseTtlMillis = leaseTtlMillis;
  }

  /**
   * One pipelined {@code SET <lease> <ks.epoch>:<random token> NX PX <leaseTtl>} per key; an
   * acquired lease is renewed while this node loads. A key whose command failed gets
   * {@link Lease#unknown()}, under which nothing is filled.
   */
  CompletableFuture<Map<K, Lease>> acquireLeases(Collection<? extends K> keys) {
    Map<K, String> encoded = ks.encodeAll(keys);
    if (encoded.isEmpty()) {
      return CompletableFuture.completedFuture(new HashMap<>());
    }
    return ks.withEpoch(encoded.keySet(), Lease.unknown(), current -> {
      List<K> order = new ArrayList<>(encoded.keySet());
      List<String> tokens = new ArrayList<>(order.size());
      List<byte[]> leaseKeys = new ArrayList<>(order.size());
      var commands = new ArrayList<Function<RedisCalls.Batch, CompletableFuture<?>>>(order.size());
      SetArgs args = SetArgs.Builder.nx().px(leaseTtlMillis);
      for (K key : order) {
        String token = current + ":" + newToken();
        byte[] leaseKey = ks.layout.leaseKey(encoded.get(key), current);
        tokens.add(token);
        leaseKeys.add(leaseKey);
        commands.add(batch -> batch.add(batch.redis().set(leaseKey, token.getBytes(US_ASCII), args)));
      }
      return ks.calls.pipeline(commands).thenApply(replies -> {
        Map<K, Lease> leases = new HashMap<>();
        Throwable failed = null;
        for (int i = 0; i < order.size(); i++) {
          RedisCalls.Reply reply = replies.get(i);
          if (!reply.ok()) {
            failed = failed == null ? reply.failure() : failed;
            leases.put(order.get(i), Lease.unknown());
          } else if ("OK".equals(reply.value())) {
            leaseKeeper.keep(tokens.get(i), leaseKeys.get(i));
            leases.put(order.get(i), Lease.acquired(tokens.get(i)));
          } else {
            leases.put(order.get(i), Lease.heldElsewhere());
          }
        }
        ks.reportCommandFailure(failed, replies);
        return leases;
      });
    });
  }

  /**
   * Per key, pipelined: with an acquired lease of the current ks.epoch, a Lua compare-and-set
   * ({@code EVALSHA}, {@code EVAL} on {@code NOSCRIPT}); a lease of an older ks.epoch is fenced at
   * once (everything was invalidated since it was taken); with {@link Lease#none()}, a plain
   * {@code SET .. PX}. A value that cannot be encoded or is over {@link Builder#ks.maxValueBytes} is
   * not stored ({@link FillOutcome#SKIPPED}, reported as {@link RemoteErrorKind#ENCODE}) and its
   * lease is released, as is the lease of a miss entry.
   */
  CompletableFuture<Map<K, FillOutcome>> fill(Map<K, LeasedEntry<V>> fills) {
    Map<K, String> encoded = ks.encodeAll(fills.keySet());
    if (encoded.isEmpty()) {
      return CompletableFuture.completedFuture(new HashMap<>());
    }
    // Judged against the epoch (once read, if just created or resyncing); if it cannot be read,
    // fill nothing: -1 fences every entry.
    return ks.inEpoch(current -> fill(fills, encoded, current), () -> fill(fills, encoded, -1));
  }

  private CompletableFuture<Map<K, FillOutcome>> fill(Map<K, LeasedEntry<V>> fills, Map<K, String> encoded, long current) {
    Map<K, FillOutcome> outcomes = new HashMap<>();
    List<K> owners = new ArrayList<>();
    var commands = new ArrayList<Function<RedisCalls.Batch, CompletableFuture<?>>>();
    for (Map.Entry<K, String> next : encoded.entrySet()) {
      K key = next.getKey();
      Lease lease = fills.get(key).lease();
      RemoteEntry<V> entry = fills.get(key).entry();
      if (lease.state() == Lease.State.HELD_ELSEWHERE || lease.state() == Lease.State.UNKNOWN) {
        outcomes.put(key, entry.isHit() ? FillOutcome.FENCED : FillOutcome.RELEASED);
        continue;
      }
      long leaseEpoch = lease.state() == Lease.State.ACQUIRED ? epochOf(lease.token()) : current;
      if (lease.state() == Lease.State.ACQUIRED) {
        leaseKeeper.forget(lease.token());
      }
      KeyLayout.Keys both = ks.layout.keys(next.getValue(), Math.max(0, leaseEpoch));
      byte[] bytes = entry.isHit() && entry.ttlMillis() > 0 ? ks.encodeForFill(next.getValue(), entry) : null;
      boolean fenced = current < 0 || leaseEpoch != current;
      if (bytes == null || fenced) {
        outcomes.put(key, fenced && entry.isHit() ? FillOutcome.FENCED
            : entry.isHit() && entry.ttlMillis() > 0 ? FillOutcome.SKIPPED : FillOutcome.RELEASED);
        if (lease.state() == Lease.State.ACQUIRED) {
          byte[] token = lease.token().getBytes(US_ASCII);
          commands.add(batch -> RedisCalls.<Long>script(batch, Script.RELEASE, ScriptOutputType.INTEGER,
              new byte[][] {both.lease()}, token));
          owners.add(null);
        }
        continue;
      }
      byte[] ttl = Long.toString(entry.ttlMillis()).getBytes(US_ASCII);
      owners.add(key);
      if (lease.state() == Lease.State.ACQUIRED) {
        byte[] token = lease.token().getBytes(US_ASCII);
        commands.add(batch -> RedisCalls.<Long>script(batch, Script.FILL, ScriptOutputType.INTEGER,
            new byte[][] {both.value(), both.lease()}, token, bytes, ttl));
      } else {
        commands.add(batch -> batch.add(batch.redis().set(both.value(), bytes, SetArgs.Builder.px(entry.ttlMillis())))
            .thenApply(reply -> 1L));
      }
    }
    if (commands.isEmpty()) {
      return CompletableFuture.completedFuture(outcomes);
    }
    return ks.calls.pipeline(commands).thenApply(replies -> {
      Throwable failed = null;
      for (int i = 0; i < replies.size(); i++) {
        RedisCalls.Reply reply = replies.get(i);
        K owner = owners.get(i);
        if (!reply.ok()) {
          failed = failed == null ? reply.failure() : failed;
          if (owner != null) {
            outcomes.put(owner, FillOutcome.UNKNOWN);
          }
        } else if (owner != null) {
          outcomes.put(owner, Long.valueOf(1L).equals(reply.value()) ? FillOutcome.STORED : FillOutcome.FENCED);
        }
      }
      ks.reportCommandFailure(failed, replies);
      return outcomes;
    });
  }

  private static long epochOf(String token) {
    int colon = token.indexOf(':');
    try {
      return colon <= 0 ? -1 : Long.parseLong(token, 0, colon, 10);
    } catch (NumberFormatException e) {
      return -1;
    }
  }

  private static String newToken() {
    var random = ThreadLocalRandom.current();
    return HexFormat.of().toHexDigits(random.nextLong()) + HexFormat.of().toHexDigits(random.nextLong());
  }

}
