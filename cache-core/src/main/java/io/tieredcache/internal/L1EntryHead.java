package io.tieredcache.internal;

/**
 * The three fields an L1 hit reads, declared apart from the rest of {@link L1Entry} so that the
 * JVM lays them out first, next to the object header.
 *
 * <p>Why: HotSpot places a superclass's fields before its subclass's, and within a class orders
 * them by size. With all of {@link L1Entry}'s fields in one class, its eight other longs came
 * between the state (offset 12) and the value (offset 88), so every hit touched two or three cache
 * lines of the entry. Here they follow the header within the first 28 bytes (JDK 17, compressed
 * pointers), so most hits touch one line of it and the rest two.
 */
abstract class L1EntryHead<V> {

  /** The value; {@code null} for an absent marker. */
  final V value;
  /** Before this ticker time (the earlier of the soft and hard deadlines) nothing about it is due. */
  final long freshUntil;
  /** {@link L1Entry}'s flags; {@code 0} while it may be served without a second look. */
  volatile int state;

  L1EntryHead(V value, long freshUntil) {
    this.value = value;
    this.freshUntil = freshUntil;
  }
}
