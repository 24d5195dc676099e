package io.tieredcache.trace;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.System.Logger.Level;
import java.nio.file.Path;
import java.util.Objects;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.ToIntFunction;

/**
 * Records the accesses of a {@link io.tieredcache.TieredCache} to a compact file, for the tier
 * sizer to replay. Off unless you pass one to
 * {@link io.tieredcache.TieredCacheBuilder#recordAccesses(AccessRecorder)}:
 *
 * <pre>{@code
 * AccessRecorder recorder = AccessRecorder.toFile(Path.of("users.trace"))
 *     .sampleRate(0.01)          // keep 1% of the keys, with every access of each
 *     .node(3)                   // this JVM's number, when several nodes record
 *     .build();
 * TieredCache<Long, User> users = TieredCache.builder("users")
 *     .recordAccesses(recorder)
 *     .build(userRepository::find);
 * ...
 * recorder.close();              // drains, writes the end record, logs drops
 * }</pre>
 *
 * <p>Each record holds the time, a 64-bit hash of the key ({@link #hash(Object)}), this node's
 * number, the operation, the value's size (from {@link Builder#valueSize}, else
 * {@link #UNKNOWN_SIZE}) and, for reads, the tier that answered. The file layout is described in
 * the {@linkplain io.tieredcache.trace package description}.
 *
 * <p><b>Sampling</b> is spatial (as in SHARDS): a key is recorded when its hash is below
 * {@code sampleRate × 2^64}, so a sampled key keeps all its accesses and an unsampled one has
 * none. The sizer scales sizes by the rate. {@code invalidateAll} is always recorded.
 *
 * <p><b>Cost</b>: for an unsampled key, one hash of {@code key.hashCode()} and one comparison;
 * nothing is allocated. A sampled access is put into a bounded lock-free ring that a daemon thread
 * drains to the file; a caller never waits: when the ring is full the record is dropped and
 * counted ({@link #dropped()}, and a warning when the recorder closes).
 *
 * <p>Keys are identified by {@code hashCode()}: record keys whose hash codes are the same in
 * every JVM ({@code String}, {@code Long}, records and enums of those are) when several nodes
 * record the same cache. Use one recorder per cache: two caches writing into one recorder merge
 * their keys. Thread-safe.
 */
public final class AccessRecorder implements AutoCloseable {

  /** The value size recorded when it is not known (no {@link Builder#valueSize} function). */
  public static final int UNKNOWN_SIZE = -1;
  /** Share of keys recorded unless {@link Builder#sampleRate} says otherwise: all of them. */
  public static final double DEFAULT_SAMPLE_RATE = 1.0;
  /** Records the ring holds before it drops, unless {@link Builder#bufferCapacity} says otherwise. */
  public static final int DEFAULT_BUFFER_CAPACITY = 1 << 16;

  private static final System.Logger LOG = System.getLogger(AccessRecorder.class.getName());
  private static final long CLOSE_WAIT_MILLIS = 10_000;

  /** What was done to a key. */
  public enum Operation {
    /** A single-key read ({@code get}, {@code getIfPresent}, {@code getAsync}). */
    GET(1),
    /** One key of a many-key read ({@code getAll}). */
    GET_ALL_MEMBER(2),
    /** A write ({@code put}, one key of {@code putAll}). */
    PUT(3),
    /** An invalidation of one key. */
    INVALIDATE(4),
    /** {@code invalidateAll()}: every key; recorded whatever the sample rate, with key hash 0. */
    INVALIDATE_ALL(5);

    final int code;

    Operation(int code) {
      this.code = code;
    }

    static Operation of(int code) {
      for (Operation operation : values()) {
        if (operation.code == code) {
          return operation;
        }
      }
      throw new IllegalArgumentException("unknown operation code " + code);
    }
  }

  /** Which tier answered a read. */
  public enum Tier {
    /** Not a read, or nothing answered (a {@code getIfPresent} that found nothing). */
    NONE(0),
    /** This node's in-process cache. */
    L1(1),
    /** The shared remote tier (Redis). */
    L2(2),
    /** The loader (the system of record). */
    LOADER(3);

    final int code;

    Tier(int code) {
      this.code = code;
    }

    static Tier of(int code) {
      for (Tier tier : values()) {
        if (tier.code == code) {
          return tier;
        }
      }
      throw new IllegalArgumentException("unknown tier code " + code);
    }
  }

  private final long threshold;
  private final double sampleRate;
  private final int node;
  private final ToIntFunction<Object> valueSize;
  private final long startNanos;
  private final RecordBuffer buffer;
  private final TraceWriter writer;
  private final LongAdder dropped = new LongAdder();
  private volatile boolean closed;

  private AccessRecorder(Builder builder) throws IOException {
    this.sampleRate = builder.sampleRate;
    this.threshold = threshold(builder.sampleRate);
    this.node = builder.node;
    this.valueSize = builder.valueSize;
    this.buffer = new RecordBuffer(builder.bufferCapacity);
    this.startNanos = System.nanoTime();
    this.writer = new TraceWriter(buffer, builder.file, System.currentTimeMillis(), sampleRate, node);
    writer.start();
  }

  /** Starts building a recorder that writes to {@code file} (created, or truncated). */
  public static Builder toFile(Path file) {
    return new Builder(Objects.requireNonNull(file, "file"));
  }

  /**
   * The 64-bit hash recorded for a key: {@code key.hashCode()} spread over 64 bits by the
   * SplitMix64 finalizer, so that sampling by threshold picks keys evenly.
   */
  public static long hash(Object key) {
    return mix(key.hashCode() & 0xFFFF_FFFFL);
  }

  /** Spreads a 64-bit number over all 64 bits (the SplitMix64 finalizer); a bijection. */
  public static long mix(long value) {
    long z = value + 0x9E37_79B9_7F4A_7C15L;
    z = (z ^ (z >>> 30)) * 0xBF58_476D_1CE4_E5B9L;
    z = (z ^ (z >>> 27)) * 0x94D0_49BB_1331_11EBL;
    return z ^ (z >>> 31);
  }

  /** The unsigned hash bound below which keys are sampled at {@code rate}; {@code -1} (all) at 1. */
  static long threshold(double rate) {
    if (rate >= 1.0) {
      return -1L; // unsigned maximum: every hash but the maximum itself, which compareUnsigned handles below
    }
    // rate × 2^64 as an unsigned long
    double scaled = rate * 0x1p64;
    return scaled >= 0x1p63 ? (long) (scaled - 0x1p63) ^ Long.MIN_VALUE : (long) scaled;
  }

  /** Whether accesses to {@code key} are recorded. */
  public boolean samples(Object key) {
    return isSampledHash(hash(key));
  }

  private boolean isSampledHash(long keyHash) {
    return threshold == -1L || Long.compareUnsigned(keyHash, threshold) < 0;
  }

  /**
   * Records one access if {@code key} is sampled; otherwise does nothing. Called by the cache; a
   * wrapper around a cache may call it too.
   *
   * @param value the value read or written, or {@code null} (absent, or not known); its size is
   *     taken from the {@link Builder#valueSize} function
   * @param tier the tier that answered a read; {@link Tier#NONE} for writes and invalidations
   */
  public void record(Operation operation, Object key, Object value, Tier tier) {
    long keyHash = hash(key);
    if (isSampledHash(keyHash)) {
      add(operation, keyHash, sizeOf(value), tier);
    }
  }

  /** Records an {@code invalidateAll()} (always, whatever the sample rate). */
  public void recordInvalidateAll() {
    add(Operation.INVALIDATE_ALL, 0, UNKNOWN_SIZE, Tier.NONE);
  }

  private int sizeOf(Object value) {
    if (value == null) {
      return valueSize == null ? UNKNOWN_SIZE : 0;
    }
    if (valueSize == null) {
      return UNKNOWN_SIZE;
    }
    try {
      return Math.max(0, valueSize.applyAsInt(value));
    } catch (RuntimeException e) {
      return UNKNOWN_SIZE;
    }
  }

  private void add(Operation operation, long keyHash, int size, Tier tier) {
    long meta = ((long) operation.code << 36) | ((long) tier.code << 32) | (size & 0xFFFF_FFFFL);
    if (closed || writer.hasFailed() || !buffer.offer(System.nanoTime() - startNanos, keyHash, meta)) {
      dropped.increment();
    }
  }

  /** Records dropped so far: the ring was full, the file could not be written, or the recorder was closed. */
  public long dropped() {
    return dropped.sum();
  }

  /** The share of keys recorded, in (0, 1]. */
  public double sampleRate() {
    return sampleRate;
  }

  /** This node's number, as written into the file. */
  public int node() {
    return node;
  }

  /**
   * Writes what is buffered, ends the file with the counts of records written and dropped, and
   * closes it; logs a warning if any record was dropped. Later records are dropped. Closing again
   * does nothing.
   */
  @Override
  public void close() {
    if (closed) {
      return;
    }
    closed = true;
    long lost = dropped();
    writer.stop(lost, CLOSE_WAIT_MILLIS);
    if (lost > 0) {
      LOG.log(Level.WARNING, "access recorder dropped {0} record(s) of {1} (its buffer of {2} was full or "
          + "the file could not be written); the trace under-counts those accesses",
          lost, lost + writer.written(), buffer.capacity());
    }
  }

  @Override
  public String toString() {
    return "AccessRecorder[rate=" + sampleRate + ", node=" + node + ", dropped=" + dropped() + "]";
  }

  /**
   * Settings of an {@link AccessRecorder}; {@link #build()} opens the file and starts the writer
   * thread. Not thread-safe.
   */
  public static final class Builder {
    private final Path file;
    private double sampleRate = DEFAULT_SAMPLE_RATE;
    private int node;
    private int bufferCapacity = DEFAULT_BUFFER_CAPACITY;
    private ToIntFunction<Object> valueSize;

    private Builder(Path file) {
      this.file = file;
    }

    /** Share of keys to record, in (0, 1]; every access of a recorded key is recorded. Default 1. */
    public Builder sampleRate(double rate) {
      if (!(rate > 0.0 && rate <= 1.0)) {
        throw new IllegalArgumentException("sampleRate must be in (0, 1], was " + rate);
      }
      this.sampleRate = rate;
      return this;
    }

    /** This node's number (0 to 65535), so traces of several nodes can be merged. Default 0. */
    public Builder node(int node) {
      if (node < 0 || node > 0xFFFF) {
        throw new IllegalArgumentException("node must be in [0, 65535], was " + node);
      }
      this.node = node;
      return this;
    }

    /** Records the ring holds before it drops; rounded up to a power of two. Default 65536. */
    public Builder bufferCapacity(int records) {
      if (records < 2 || records > (1 << 26)) {
        throw new IllegalArgumentException("bufferCapacity must be in [2, 2^26], was " + records);
      }
      this.bufferCapacity = Integer.highestOneBit(records - 1) << 1;
      return this;
    }

    /**
     * How many bytes a value takes (for the sizer's memory estimate), e.g. the length of its
     * serialized form. Called on the caller's thread for sampled accesses only; keep it cheap.
     * Without it sizes are recorded as {@link #UNKNOWN_SIZE}.
     */
    @SuppressWarnings("unchecked")
    public Builder valueSize(ToIntFunction<?> sizeOfValue) {
      this.valueSize = (ToIntFunction<Object>) Objects.requireNonNull(sizeOfValue, "valueSize");
      return this;
    }

    /**
     * Opens (creates or truncates) the file, writes its header and starts the writer thread.
     *
     * @throws UncheckedIOException if the file cannot be opened
     */
    public AccessRecorder build() {
      try {
        return new AccessRecorder(this);
      } catch (IOException e) {
        throw new UncheckedIOException("cannot open access trace " + file, e);
      }
    }
  }
}
