package io.tieredcache.spi;

import java.util.Objects;

/**
 * The outcome of asking a {@link RemoteTier} for the right to load a key and fill it: acquired
 * (with the token that proves it), held by another node (wait for its fill), or none (the tier has
 * no leases or could not be asked: load and fill unconditionally).
 */
public final class Lease {

  /** The three outcomes of a lease request. */
  public enum State {
    /** This node holds the lease and should load. */
    ACQUIRED,
    /** Another node holds it and is loading: wait for its fill, with a bound. */
    HELD_ELSEWHERE,
    /** No lease was taken: the tier has none or was unavailable. */
    NONE
  }

  private static final Lease NONE = new Lease(State.NONE, null);
  private static final Lease HELD_ELSEWHERE = new Lease(State.HELD_ELSEWHERE, null);

  private final State state;
  private final String token;

  private Lease(State state, String token) {
    this.state = state;
    this.token = token;
  }

  /** A lease this node holds, proven by {@code token}. */
  public static Lease acquired(String token) {
    return new Lease(State.ACQUIRED, Objects.requireNonNull(token, "token"));
  }

  /** Another node is loading this key. */
  public static Lease heldElsewhere() {
    return HELD_ELSEWHERE;
  }

  /** No lease: load and fill unconditionally. */
  public static Lease none() {
    return NONE;
  }

  /** The outcome. */
  public State state() {
    return state;
  }

  /** The token proving ownership, or {@code null} unless {@link State#ACQUIRED}. */
  public String token() {
    return token;
  }

  @Override
  public String toString() {
    return token == null ? "Lease[" + state + "]" : "Lease[" + state + ", " + token + "]";
  }
}
