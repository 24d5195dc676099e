package io.tieredcache.spi;

import java.util.Objects;

/**
 * What {@link RemoteTier#pollFills} found for a key that another node holds the lease of.
 *
 * @param state where the other node's load stands
 * @param entry the stored entry when {@code state == FILLED}, else {@code null}
 * @param <V> value type
 */
public record PendingFill<V>(State state, RemoteEntry<V> entry) {

  /** Where another node's load of a key stands. */
  public enum State {
    /** A value or absent marker is stored now. */
    FILLED,
    /** Nothing stored yet and the lease is still held: keep waiting. */
    LOADING,
    /** Nothing stored and nobody holds the lease (released or lapsed): stop waiting. */
    ABANDONED,
    /** The tier could not be asked. */
    UNKNOWN
  }

  private static final PendingFill<?> LOADING_FILL = new PendingFill<>(State.LOADING, null);
  private static final PendingFill<?> ABANDONED_FILL = new PendingFill<>(State.ABANDONED, null);
  private static final PendingFill<?> UNKNOWN_FILL = new PendingFill<>(State.UNKNOWN, null);

  public PendingFill {
    Objects.requireNonNull(state, "state");
    if ((state == State.FILLED) != (entry != null)) {
      throw new IllegalArgumentException("an entry comes with FILLED and only with FILLED");
    }
  }

  /** The other node has stored {@code entry}. */
  public static <V> PendingFill<V> filled(RemoteEntry<V> entry) {
    return new PendingFill<>(State.FILLED, entry);
  }

  /** Still loading. */
  @SuppressWarnings("unchecked")
  public static <V> PendingFill<V> loading() {
    return (PendingFill<V>) LOADING_FILL;
  }

  /** Given up: no value, no lease. */
  @SuppressWarnings("unchecked")
  public static <V> PendingFill<V> abandoned() {
    return (PendingFill<V>) ABANDONED_FILL;
  }

  /** Could not ask. */
  @SuppressWarnings("unchecked")
  public static <V> PendingFill<V> unknown() {
    return (PendingFill<V>) UNKNOWN_FILL;
  }
}
