package io.tieredcache.spi;

import java.util.Collection;

/**
 * Receives other nodes' invalidations for one cache, and what the bus knows about its own health.
 * Called from the bus's own thread, in order.
 *
 * <p>Loss reasons, used in logs and counters: {@code "gap"} (a sequence number was skipped),
 * {@code "trimmed"} (a stream no longer holds where this node stopped reading), {@code "unreadable"}
 * (a message in an unknown format), {@code "disconnect"} (the subscription dropped), {@code "moved"}
 * (a sharded subscription ended because its slot moved to another shard) and
 * {@code "silence"} (nothing heard within the timeout).
 */
public interface InvalidationListener {

  /** These keys changed elsewhere: drop them from L1 and fence their loads in flight. */
  void onKeys(Collection<String> encodedKeys);

  /**
   * Another node invalidated every key of this cache and moved its remote tier to {@code epoch}:
   * switch to that epoch, drop the whole L1 and fence every load in flight.
   */
  void onAll(long epoch);

  /**
   * Messages may have been lost, but the bus hears again now (a gap, a trimmed stream, an
   * unreadable message): whatever this node holds may be stale, so it drops its L1.
   */
  void onMessagesLost(String reason);

  /**
   * The bus cannot hear now ({@code "disconnect"}, {@code "moved"}, {@code "silence"}): messages published after
   * {@code sinceNanos} (a {@link System#nanoTime()} value, the last moment the bus is sure it heard
   * everything) may never arrive. Called once per outage, until {@link #onHearing}.
   */
  void onDeaf(String reason, long sinceNanos);

  /**
   * The bus hears again after {@link #onDeaf}. {@code missedNothing} is {@code true} when every
   * message published meanwhile was delivered (a stream that replayed them), {@code false} when
   * some may be lost for good (pub/sub).
   */
  void onHearing(boolean missedNothing);
}
