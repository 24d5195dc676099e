package io.tieredcache.redis.bus;

import java.util.List;
import java.util.Objects;

/**
 * One message on the bus, as both transports carry it.
 *
 * @param type what the message says
 * @param origin the publishing node's id
 * @param incarnation a random number drawn when the publishing bus started, so that a node that
 *     comes back under the same id starts a new sequence instead of seeming to go backwards
 * @param sequence for {@link Type#KEYS} and {@link Type#ALL} the origin's own number of this
 *     message (1, 2, 3, ...); for the control types the origin's latest number so far ({@code 0}
 *     before its first message)
 * @param lastFailed the highest of the origin's numbers whose publish failed or may have failed, as
 *     far as the origin knew when it sent this message ({@code 0} if none). A receiver that missed
 *     only numbers above this one knows that Redis accepted each of them, so it missed them only
 *     while it was not listening.
 * @param cache the cache name ({@code ""} for control messages)
 * @param keys the encoded keys (empty unless {@link Type#KEYS})
 * @param epoch for {@link Type#ALL} the cache's new remote epoch; {@code 0} otherwise
 */
record BusMessage(
    Type type,
    String origin,
    long incarnation,
    long sequence,
    long lastFailed,
    String cache,
    List<String> keys,
    long epoch) {

  /** The kinds of message; each has a one-byte tag on the wire. */
  enum Type {
    /** These keys of a cache changed. */
    KEYS('K', true),
    /** Every key of a cache changed, and its remote tier moved to a new epoch. */
    ALL('A', true),
    /** The origin is alive; its latest sequence number so far is {@code sequence}. */
    HEARTBEAT('H', false),
    /** The origin started (sequence {@code 0}); streams also use it as their starting point. */
    HELLO('I', false),
    /** The origin closed cleanly after message {@code sequence}: compare, then forget it. */
    BYE('B', false);

    final byte tag;
    /** Whether this type consumes a sequence number of its own. */
    final boolean numbered;

    Type(char tag, boolean numbered) {
      this.tag = (byte) tag;
      this.numbered = numbered;
    }

    static Type ofTag(byte tag) {
      for (Type type : values()) {
        if (type.tag == tag) {
          return type;
        }
      }
      return null;
    }
  }

  BusMessage {
    Objects.requireNonNull(type, "type");
    Objects.requireNonNull(origin, "origin");
    Objects.requireNonNull(cache, "cache");
    keys = List.copyOf(keys);
    if (sequence < 0) {
      throw new IllegalArgumentException("sequence < 0: " + sequence);
    }
    if (lastFailed < 0 || lastFailed > sequence) {
      throw new IllegalArgumentException("lastFailed " + lastFailed + " outside 0.." + sequence);
    }
    if (type != Type.KEYS && !keys.isEmpty()) {
      throw new IllegalArgumentException(type + " carries no keys");
    }
    if (type != Type.ALL && epoch != 0) {
      throw new IllegalArgumentException(type + " carries no epoch");
    }
  }

  static BusMessage keys(String origin, long incarnation, long sequence, long lastFailed,
      String cache, List<String> keys) {
    return new BusMessage(Type.KEYS, origin, incarnation, sequence, lastFailed, cache, keys, 0);
  }

  static BusMessage all(String origin, long incarnation, long sequence, long lastFailed,
      String cache, long epoch) {
    return new BusMessage(Type.ALL, origin, incarnation, sequence, lastFailed, cache, List.of(), epoch);
  }

  static BusMessage control(
      Type type, String origin, long incarnation, long latestSequence, long lastFailed) {
    if (type.numbered) {
      throw new IllegalArgumentException(type + " is not a control message");
    }
    return new BusMessage(type, origin, incarnation, latestSequence, lastFailed, "", List.of(), 0);
  }
}
