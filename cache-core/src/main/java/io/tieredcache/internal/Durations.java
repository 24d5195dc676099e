package io.tieredcache.internal;

import java.time.Duration;

/** Arithmetic on nanosecond deadlines that saturates instead of overflowing, as Caffeine does. */
final class Durations {

  private Durations() {}

  /** {@code duration} in nanos, or {@link Long#MAX_VALUE} when it is too long to fit. */
  static long saturatedNanos(Duration duration) {
    try {
      return duration.toNanos();
    } catch (ArithmeticException tooLong) {
      return duration.isNegative() ? Long.MIN_VALUE : Long.MAX_VALUE;
    }
  }

  /** {@code duration} in millis, or {@link Long#MAX_VALUE} when it is too long to fit. */
  static long saturatedMillis(Duration duration) {
    try {
      return duration.toMillis();
    } catch (ArithmeticException tooLong) {
      return duration.isNegative() ? Long.MIN_VALUE : Long.MAX_VALUE;
    }
  }

  /** {@code a + b}, clamped to {@link Long#MAX_VALUE} / {@link Long#MIN_VALUE}. */
  static long saturatedAdd(long a, long b) {
    long sum = a + b;
    if (((a ^ sum) & (b ^ sum)) < 0) {
      return a < 0 ? Long.MIN_VALUE : Long.MAX_VALUE;
    }
    return sum;
  }
}
