package io.tieredcache.spi;

import java.util.Collection;

/** Receives another node's invalidations for one cache. Called from the bus's own thread. */
public interface InvalidationListener {

  /** These keys changed elsewhere: drop them from L1 and fence their loads in flight. */
  void onKeys(Collection<String> encodedKeys);

  /**
   * Drop the whole L1 of this cache: either another node invalidated everything, or the bus may
   * have lost a message ({@code reason} says which, e.g. {@code "all"}, {@code "gap"},
   * {@code "disconnect"}, {@code "silence"}).
   */
  void onAll(String reason);
}
