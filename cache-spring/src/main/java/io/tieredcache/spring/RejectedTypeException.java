package io.tieredcache.spring;

/**
 * A value read from Redis names a class outside the cache's {@link TypeAllowlist}. The Redis tier
 * treats it as a miss, deletes it and counts it as a decode failure; it never reaches a caller.
 */
final class RejectedTypeException extends IllegalArgumentException {

  private static final long serialVersionUID = 1L;

  private final String className;

  RejectedTypeException(String className, TypeAllowlist allowlist) {
    super("a cached value names class " + className + ", which is not in " + allowlist
        + ": treated as a miss and deleted");
    this.className = className;
  }

  /** The class the value named. */
  String className() {
    return className;
  }
}
