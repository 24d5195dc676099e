package io.tieredcache.internal;

/**
 * Whether this node hears other nodes' invalidations now. While it does not (the bus reported it
 * is deaf), every L1 entry is unverified since the last moment the bus was sure, new entries are
 * unverified from their load, and the remote tier is not read (a value there may predate a write
 * this node cannot hear about).
 */
final class Hearing {

  private static final long HEARING = Long.MIN_VALUE;

  private volatile long deafSince = HEARING;

  boolean isDeaf() {
    return deafSince != HEARING;
  }

  /** Ticker time since which the node may have missed invalidations; only meaningful while deaf. */
  long deafSince() {
    return deafSince;
  }

  /** Records the start of an outage; returns false if one was already under way. */
  synchronized boolean becomeDeaf(long since) {
    if (deafSince != HEARING) {
      return false;
    }
    deafSince = since == HEARING ? since + 1 : since;
    return true;
  }

  /** Ends an outage; returns its start, or {@link Long#MIN_VALUE} if there was none. */
  synchronized long becomeHearing() {
    long start = deafSince;
    deafSince = HEARING;
    return start;
  }
}
