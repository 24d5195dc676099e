/**
 * Recording a cache's accesses for the tier sizer: {@link io.tieredcache.trace.AccessRecorder}
 * writes them, {@link io.tieredcache.trace.AccessTraceReader} reads them back.
 *
 * <h2>File format (version 1)</h2>
 * All fixed-width numbers are big-endian; "varint" is an unsigned LEB128 number (7 bits a byte,
 * low bits first, high bit set on every byte but the last).
 *
 * <p>Header, 32 bytes:
 * <pre>
 *   7 bytes  magic "TCTRACE" (ASCII)
 *   1 byte   version (1)
 *   8 bytes  start time, epoch milliseconds (wall clock when the recorder was built)
 *   8 bytes  sample rate, an IEEE-754 double in (0, 1]
 *   8 bytes  node number
 * </pre>
 *
 * <p>Then one record per access, usually 11 to 14 bytes:
 * <pre>
 *   1 byte   kind: operation code in the high 4 bits (1 GET, 2 GET_ALL_MEMBER, 3 PUT,
 *            4 INVALIDATE, 5 INVALIDATE_ALL), tier code in the low 4 bits (0 NONE, 1 L1, 2 L2,
 *            3 LOADER)
 *   varint   time delta: nanoseconds since the previous record (the first: since the start),
 *            zig-zag encoded since records of different threads may arrive slightly out of order
 *   8 bytes  key hash (AccessRecorder.hash); absent for INVALIDATE_ALL
 *   varint   value size in bytes + 1 (0: unknown)
 * </pre>
 *
 * <p>A closing record ends a file whose recorder was closed: kind {@code 0xF0}, then a varint count
 * of records written and a varint count of records dropped. A file without it (the process died)
 * reads up to its last whole record.
 */
package io.tieredcache.trace;
