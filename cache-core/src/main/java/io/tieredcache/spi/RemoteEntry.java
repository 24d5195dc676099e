package io.tieredcache.spi;

/**
 * What a {@link RemoteTier} holds for one key: a value, an absent marker (negative caching), or a
 * miss. The timestamps travel with the value (the Redis tier keeps them in a versioned envelope)
 * so that every node can judge freshness the same way.
 *
 * @param kind whether this is a value, an absent marker or a miss
 * @param value the value when {@code kind == VALUE}, otherwise {@code null}
 * @param ttlMillis how long the tier should keep it (writes); {@code 0} on reads
 * @param writtenAtMillis wall-clock time of the write, epoch millis; {@code 0} if unknown
 * @param softExpiresAtMillis after this epoch millis the value should be refreshed; {@code 0} if none
 * @param loadNanos how long the loader took to produce it; {@code 0} if unknown
 * @param <V> value type
 */
public record RemoteEntry<V>(
    Kind kind, V value, long ttlMillis, long writtenAtMillis, long softExpiresAtMillis, long loadNanos) {

  /** The three states of a remote lookup. */
  public enum Kind {
    /** A stored value. */
    VALUE,
    /** A stored marker: the loader said there is no value for this key. */
    ABSENT,
    /** Nothing stored (or unreadable, or the tier is unavailable). */
    MISS
  }

  private static final RemoteEntry<?> MISS = new RemoteEntry<>(Kind.MISS, null, 0, 0, 0, 0);

  public RemoteEntry {
    java.util.Objects.requireNonNull(kind, "kind");
    if (kind == Kind.VALUE && value == null) {
      throw new IllegalArgumentException("a VALUE entry needs a non-null value");
    }
    if (kind != Kind.VALUE && value != null) {
      throw new IllegalArgumentException(kind + " entry cannot carry a value");
    }
  }

  /** The shared miss. */
  @SuppressWarnings("unchecked")
  public static <V> RemoteEntry<V> miss() {
    return (RemoteEntry<V>) MISS;
  }

  /** A value to store or that was read. */
  public static <V> RemoteEntry<V> value(
      V value, long ttlMillis, long writtenAtMillis, long softExpiresAtMillis, long loadNanos) {
    return new RemoteEntry<>(Kind.VALUE, value, ttlMillis, writtenAtMillis, softExpiresAtMillis, loadNanos);
  }

  /** An absent marker to store or that was read. */
  public static <V> RemoteEntry<V> absent(long ttlMillis, long writtenAtMillis) {
    return new RemoteEntry<>(Kind.ABSENT, null, ttlMillis, writtenAtMillis, 0, 0);
  }

  /** {@code true} for a value or an absent marker. */
  public boolean isHit() {
    return kind != Kind.MISS;
  }
}
