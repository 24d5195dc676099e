package io.tieredcache.spi;

import java.util.Objects;

/**
 * The outcome of asking a {@link RemoteTier} for the right to load a key and fill it: acquired
 * (with the token that proves it), held by another node (wait for its fill), none (the tier has no
 * leases: fill unconditionally) or unknown (the tier could not be asked: load, but fill nothing).
 */
public final class Lease {

  /** The four outcomes of a lease request. */
  public enum State {
    /** This node holds the lease and should load, then fill under it. */
    ACQUIRED,
    /** Another node holds it and is loading: wait for its fill, with a bound. */
    HELD_ELSEWHERE,
    /** The tier has no leases: load and fill unconditionally. */
    NONE,
    /**
     * The tier could not be asked (timeout, error, interrupt): load, but never fill, since a write
     * may have happened that this node cannot see.
     */
    UNKNOWN
  }

  private static final Lease NONE = new Lease(State.NONE, null);
  private static final Lease HELD_ELSEWHERE = new Lease(State.HELD_ELSEWHERE, null);
  private static final Lease UNKNOWN = new Lease(State.UNKNOWN, null);

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

  /** The tier has no leases: load and fill unconditionally. */
  public static Lease none() {
    return NONE;
  }

  /** The tier could not be asked: load, fill nothing. */
  public static Lease unknown() {
    return UNKNOWN;
  }

  /** The outcome. */
  public State state() {
    return state;
  }

  /** The token proving ownership, or {@code null} unless {@link State#ACQUIRED}. */
  public String token() {
    return token;
  }

  /** Whether a fill under this lease may be attempted at all. */
  public boolean allowsFill() {
    return state == State.ACQUIRED || state == State.NONE;
  }

  @Override
  public String toString() {
    return token == null ? "Lease[" + state + "]" : "Lease[" + state + ", " + token + "]";
  }
}
