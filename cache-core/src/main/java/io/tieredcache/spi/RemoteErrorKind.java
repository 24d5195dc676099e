package io.tieredcache.spi;

import java.util.Locale;

/** The bounded set of reasons a remote call was absorbed; each is a metric tag value. */
public enum RemoteErrorKind {
  /** The call did not answer within the time limit. */
  TIMEOUT,
  /** The circuit breaker is open: the call was not made at all. */
  CIRCUIT_OPEN,
  /** The connection failed or was refused. */
  CONNECTION,
  /** A stored value could not be decoded; it was deleted and treated as a miss. */
  DECODE,
  /** A value could not be encoded, or was over the size limit, and was not stored. */
  ENCODE,
  /** Anything else the remote side answered with an error. */
  OTHER;

  /** The metric tag value: lower case, e.g. {@code circuit_open}. */
  public String tagValue() {
    return name().toLowerCase(Locale.ROOT);
  }
}
