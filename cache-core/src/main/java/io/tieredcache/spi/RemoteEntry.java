package io.tieredcache.spi;

import java.util.Objects;
import java.util.function.Supplier;

/**
 * What a {@link RemoteTier} holds for one key: a value, an absent marker (negative caching), a
 * miss, or "unavailable" (the tier could not be asked). The timestamps travel with the value (the
 * Redis tier keeps them in a versioned envelope) so that every node judges freshness the same way.
 *
 * <p>An entry read from a tier may be <em>deferred</em> ({@link #deferred}): its bytes are decoded
 * by the first thread that asks for its kind or value, never by the I/O thread that completed the
 * read. A deferred entry whose bytes cannot be decoded turns into a {@link Kind#MISS}; the tier
 * reports (and deletes) it as it decodes.
 *
 * @param <V> value type
 */
public final class RemoteEntry<V> {

  /** The states of a remote lookup. */
  public enum Kind {
    /** A stored value. */
    VALUE,
    /** A stored marker: the loader said there is no value for this key. */
    ABSENT,
    /** Nothing stored, or stored bytes that could not be decoded. */
    MISS,
    /**
     * The tier could not be asked (timeout, error, open breaker): nothing is known. The core
     * treats it as a miss and makes no further remote call for the same request.
     */
    UNAVAILABLE
  }

  private static final RemoteEntry<?> MISS = new RemoteEntry<>(Kind.MISS, null, 0, 0, 0, 0);
  private static final RemoteEntry<?> UNAVAILABLE = new RemoteEntry<>(Kind.UNAVAILABLE, null, 0, 0, 0, 0);

  private final Kind kind;
  private final V value;
  private final long ttlMillis;
  private final long writtenAtMillis;
  private final long softExpiresAtMillis;
  private final long loadNanos;
  private Supplier<RemoteEntry<V>> decoder; // non-null until a deferred entry is resolved
  private volatile RemoteEntry<V> resolved;

  private RemoteEntry(Kind kind, V value, long ttlMillis, long writtenAtMillis, long softExpiresAtMillis, long loadNanos) {
    Objects.requireNonNull(kind, "kind");
    if (kind == Kind.VALUE && value == null) {
      throw new IllegalArgumentException("a VALUE entry needs a non-null value");
    }
    if (kind != Kind.VALUE && value != null) {
      throw new IllegalArgumentException(kind + " entry cannot carry a value");
    }
    this.kind = kind;
    this.value = value;
    this.ttlMillis = ttlMillis;
    this.writtenAtMillis = writtenAtMillis;
    this.softExpiresAtMillis = softExpiresAtMillis;
    this.loadNanos = loadNanos;
    this.resolved = this;
  }

  private RemoteEntry(Supplier<RemoteEntry<V>> decoder) {
    this.kind = null;
    this.value = null;
    this.ttlMillis = 0;
    this.writtenAtMillis = 0;
    this.softExpiresAtMillis = 0;
    this.loadNanos = 0;
    this.decoder = decoder;
  }

  /** The shared miss. */
  @SuppressWarnings("unchecked")
  public static <V> RemoteEntry<V> miss() {
    return (RemoteEntry<V>) MISS;
  }

  /** The shared "could not ask" answer. */
  @SuppressWarnings("unchecked")
  public static <V> RemoteEntry<V> unavailable() {
    return (RemoteEntry<V>) UNAVAILABLE;
  }

  /**
   * A value to store or that was read.
   *
   * @param ttlMillis how long the tier should keep it (writes); {@code 0} on reads
   * @param writtenAtMillis wall-clock time of the write, epoch millis; {@code 0} if unknown
   * @param softExpiresAtMillis after this epoch millis the value should be refreshed; {@code 0} if none
   * @param loadNanos how long the loader took to produce it; {@code 0} if unknown
   */
  public static <V> RemoteEntry<V> value(
      V value, long ttlMillis, long writtenAtMillis, long softExpiresAtMillis, long loadNanos) {
    return new RemoteEntry<>(Kind.VALUE, value, ttlMillis, writtenAtMillis, softExpiresAtMillis, loadNanos);
  }

  /** An absent marker to store or that was read. */
  public static <V> RemoteEntry<V> absent(long ttlMillis, long writtenAtMillis) {
    return new RemoteEntry<>(Kind.ABSENT, null, ttlMillis, writtenAtMillis, 0, 0);
  }

  /**
   * An entry decoded on demand by {@code decoder}, on the first thread that looks at it. The
   * decoder must not return a deferred entry, and should return {@link #miss()} (after reporting
   * the failure) when the bytes cannot be decoded.
   */
  public static <V> RemoteEntry<V> deferred(Supplier<RemoteEntry<V>> decoder) {
    return new RemoteEntry<>(Objects.requireNonNull(decoder, "decoder"));
  }

  private RemoteEntry<V> resolve() {
    RemoteEntry<V> current = resolved;
    if (current != null) {
      return current;
    }
    synchronized (this) {
      if (resolved == null) {
        RemoteEntry<V> decoded;
        try {
          decoded = Objects.requireNonNull(decoder.get(), "decoder returned null");
        } catch (RuntimeException e) {
          decoded = miss();
        }
        resolved = decoded.resolve();
        decoder = null;
      }
      return resolved;
    }
  }

  /** Whether this is a value, an absent marker, a miss or unavailable; decodes a deferred entry. */
  public Kind kind() {
    return resolve().kind;
  }

  /** The value when {@code kind() == VALUE}, otherwise {@code null}. */
  public V value() {
    return resolve().value;
  }

  /** How long the tier should keep it (writes); {@code 0} on reads. */
  public long ttlMillis() {
    return resolve().ttlMillis;
  }

  /** Wall-clock time of the write, epoch millis; {@code 0} if unknown. */
  public long writtenAtMillis() {
    return resolve().writtenAtMillis;
  }

  /** After this epoch millis the value should be refreshed; {@code 0} if none. */
  public long softExpiresAtMillis() {
    return resolve().softExpiresAtMillis;
  }

  /** How long the loader took to produce it, in nanos; {@code 0} if unknown. */
  public long loadNanos() {
    return resolve().loadNanos;
  }

  /** {@code true} for a value or an absent marker. */
  public boolean isHit() {
    Kind k = kind();
    return k == Kind.VALUE || k == Kind.ABSENT;
  }

  /** {@code true} if the tier could not be asked. */
  public boolean isUnavailable() {
    return kind() == Kind.UNAVAILABLE;
  }

  @Override
  public boolean equals(Object o) {
    if (this == o) {
      return true;
    }
    if (!(o instanceof RemoteEntry<?> other)) {
      return false;
    }
    RemoteEntry<V> a = resolve();
    RemoteEntry<?> b = other.resolve();
    return a.kind == b.kind && Objects.equals(a.value, b.value) && a.ttlMillis == b.ttlMillis
        && a.writtenAtMillis == b.writtenAtMillis && a.softExpiresAtMillis == b.softExpiresAtMillis
        && a.loadNanos == b.loadNanos;
  }

  @Override
  public int hashCode() {
    RemoteEntry<V> a = resolve();
    return Objects.hash(a.kind, a.value, a.writtenAtMillis);
  }

  @Override
  public String toString() {
    RemoteEntry<V> r = resolved;
    if (r == null) {
      return "RemoteEntry[deferred]";
    }
    return "RemoteEntry[" + r.kind + (r.kind == Kind.VALUE ? ", " + r.value : "")
        + (r.ttlMillis > 0 ? ", ttl=" + r.ttlMillis + "ms" : "") + "]";
  }
}
