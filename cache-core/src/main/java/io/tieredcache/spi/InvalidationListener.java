package io.tieredcache.spi;

import java.util.Collection;

/** Receives another node's invalidations for one cache. Called from the bus's own thread. */
public interface InvalidationListener {

  /** These keys changed elsewhere: drop them from L1 and fence their loads in flight. */
  void onKeys(Collection<String> encodedKeys);

  /**
   * Drop the whole L1 of this cache: either another node invalidated everything, or the bus may
   * have lost a message. {@code reason} says which: {@code "all"} (another node invalidated
   * everything), {@code "gap"} (a sequence number was skipped), {@code "disconnect"} (the
   * subscription dropped), {@code "silence"} (no heartbeat within the timeout), {@code "trimmed"}
   * (a stream no longer holds where this node stopped reading) or {@code "unreadable"} (a message
   * in an unknown format). The core counts {@code "all"} as an invalidation and the rest as loss
   * flushes.
   */
  void onAll(String reason);
}
