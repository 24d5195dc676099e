package io.tieredcache.sizer;

/**
 * Bytes per cached entry in each tier: the value and key sizes (from the trace or given) plus
 * fixed overheads measured with {@code EntryOverhead} (see SIZER.md for how and what it printed).
 *
 * <ul>
 *   <li>L1, on the heap of each node: Caffeine's node for a bounded cache with per-entry expiry,
 *       its hash-table slot, the library's {@code L1Entry}, and the key object; plus the value.
 *   <li>L2, in Redis ({@code used_memory}): the key string ({@code <prefix>:<cache>:{<tag>}:v:<key>}),
 *       the dictionary and expiry entries, the value string with its 28-byte envelope.
 * </ul>
 *
 * @param valueBytes mean serialized value size
 * @param keyBytes mean key size as text
 */
record MemoryModel(double valueBytes, double keyBytes) {

  /** Value size assumed when the trace records none and none is given (serialized bytes). */
  static final double DEFAULT_VALUE_BYTES = 256;
  /** Key size assumed unless given: a short id as text. */
  static final double DEFAULT_KEY_BYTES = 24;
  /**
   * Heap bytes per L1 entry besides the value's own bytes: Caffeine's node, table slot and
   * frequency sketch share, the {@code L1Entry}, a {@code Long} key and the value object's header.
   * {@code EntryOverhead} measured 441.4 bytes per entry for {@code byte[200]} values in a full L1
   * of 200,000 entries (JDK 17, 64-bit, compressed references): 441 - 200.
   */
  static final double L1_OVERHEAD_BYTES = 241;
  /**
   * Redis bytes per value besides its key text and stored bytes: the dictionary and expiry
   * entries, object headers and allocator rounding. {@code EntryOverhead} measured 389.2 bytes of
   * {@code used_memory} per value through the Redis tier (Redis 7.0, 200,000 values of a 200-char
   * JSON string, 28-byte keys): 389 - 28 - 230.
   */
  static final double L2_OVERHEAD_BYTES = 131;
  /** The key prefix the Redis tier adds ({@code tc:<cache>:{<8-hex tag>}:v:}) for a 5-letter cache name. */
  static final double L2_KEY_PREFIX_BYTES = 22;
  /** The Redis tier's envelope around each value. */
  static final double ENVELOPE_BYTES = 28;

  double l1EntryBytes() {
    return L1_OVERHEAD_BYTES + valueBytes;
  }

  double l2EntryBytes() {
    return L2_OVERHEAD_BYTES + L2_KEY_PREFIX_BYTES + keyBytes + ENVELOPE_BYTES + valueBytes;
  }
}
