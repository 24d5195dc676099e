package io.tieredcache.redis;

import io.github.resilience4j.circuitbreaker.CallNotPermittedException;
import io.lettuce.core.RedisCommandExecutionException;
import io.lettuce.core.RedisCommandTimeoutException;
import io.lettuce.core.RedisConnectionException;
import io.lettuce.core.RedisException;
import io.tieredcache.spi.RemoteErrorKind;
import java.io.IOException;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeoutException;

/** Sorts failures into the bounded {@link RemoteErrorKind}s. */
final class Failures {

  private Failures() {}

  /** The failure inside the wrappers that futures add. */
  static Throwable unwrap(Throwable failure) {
    Throwable t = failure;
    for (int i = 0; i < 8 && (t instanceof CompletionException || t instanceof ExecutionException)
        && t.getCause() != null; i++) {
      t = t.getCause();
    }
    return t;
  }

  /**
   * Whether a failure is what a command meets when the cluster's topology changed under the
   * client (a primary died or failed over): a connection failure, a time-out, or {@code
   * CLUSTERDOWN}. Not a cancellation, which is the tier's own doing.
   */
  static boolean suggestsTopologyChange(Throwable failure) {
    Throwable t = unwrap(failure);
    if (t instanceof CancellationException) {
      return false;
    }
    RemoteErrorKind kind = classify(t);
    return kind == RemoteErrorKind.CONNECTION || kind == RemoteErrorKind.TIMEOUT
        || (t.getMessage() != null && t.getMessage().startsWith("CLUSTERDOWN"));
  }

  /** The kind of a failed remote call. */
  static RemoteErrorKind classify(Throwable failure) {
    Throwable t = unwrap(failure);
    if (t instanceof CallNotPermittedException) {
      return RemoteErrorKind.CIRCUIT_OPEN;
    }
    if (t instanceof TimeoutException || t instanceof RedisCommandTimeoutException
        || t instanceof CancellationException) {
      return RemoteErrorKind.TIMEOUT;
    }
    if (t instanceof Envelope.DecodeException) {
      return RemoteErrorKind.DECODE;
    }
    if (t instanceof Envelope.EncodeException) {
      return RemoteErrorKind.ENCODE;
    }
    for (Throwable c = t; c != null; c = c.getCause()) {
      if (c instanceof RedisConnectionException || c instanceof IOException) {
        return RemoteErrorKind.CONNECTION;
      }
      if (c.getCause() == c) {
        break;
      }
    }
    if (t instanceof RedisException && !(t instanceof RedisCommandExecutionException) && t.getMessage() != null) {
      // What Lettuce says when a command meets a rejecting, closed or disconnected connection.
      String message = t.getMessage();
      if (message.contains("not connected") || message.contains("closed")) {
        return RemoteErrorKind.CONNECTION;
      }
    }
    return RemoteErrorKind.OTHER;
  }
}
