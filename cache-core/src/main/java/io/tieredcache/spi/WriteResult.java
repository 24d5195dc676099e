package io.tieredcache.spi;

import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * How an application write ({@link RemoteTier#putAll}, {@link RemoteTier#invalidate}) went, key by
 * key. Keys in none of the sets were applied.
 *
 * @param unapplied keys whose outcome is unknown or failed (timeout, error, open breaker): the tier
 *     may still hold an older value for them, so the core stops trusting the tier for these keys and
 *     repairs them later
 * @param refused values the tier cannot store at all (they cannot be encoded), with the reason; the
 *     tier deleted these keys instead, so nothing older is left (if that delete failed, the key is
 *     in {@code unapplied} too). The core reports them to the caller
 * @param skipped values the tier chose not to store (over its size limit); their keys were
 *     deleted, so nothing older is left, but nothing is stored either
 * @param <K> key type
 */
public record WriteResult<K>(Set<K> unapplied, Map<K, RuntimeException> refused, Set<K> skipped) {

  private static final WriteResult<?> APPLIED = new WriteResult<>(Set.of(), Map.of(), Set.of());

  public WriteResult {
    unapplied = Set.copyOf(Objects.requireNonNull(unapplied, "unapplied"));
    refused = Map.copyOf(Objects.requireNonNull(refused, "refused"));
    skipped = Set.copyOf(Objects.requireNonNull(skipped, "skipped"));
  }

  /** Every key was applied. */
  @SuppressWarnings("unchecked")
  public static <K> WriteResult<K> applied() {
    return (WriteResult<K>) APPLIED;
  }

  /** None of {@code keys} is known to have been applied. */
  public static <K> WriteResult<K> unapplied(Set<K> keys) {
    return new WriteResult<>(keys, Map.of(), Set.of());
  }

  /** Whether every key was applied and stored as asked. */
  public boolean isComplete() {
    return unapplied.isEmpty() && refused.isEmpty() && skipped.isEmpty();
  }
}
