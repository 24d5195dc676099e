package io.tieredcache.testkit;

/** An error reply from Redis (for example {@code -ERR unknown command}) seen by {@link RedisAdmin}. */
public final class RedisAdminException extends RuntimeException {

  private static final long serialVersionUID = 1L;

  /** Creates one from the text of the error reply, without the leading {@code -}. */
  public RedisAdminException(String message) {
    super(message);
  }
}
