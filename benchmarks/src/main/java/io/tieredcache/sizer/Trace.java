package io.tieredcache.sizer;

import java.util.Arrays;

/**
 * A request trace held in memory as parallel primitive arrays: about 23 bytes a request, so a
 * 10 M-request trace takes about 230 MB. Build one with {@link Builder}; readers and generators do.
 *
 * <p>Times are nanoseconds from any origin, not necessarily increasing (replays take the records
 * in order). Keys are 64-bit identities (a key's hash for traces that name keys by strings).
 * A trace recorded with sampling ({@link #sampleRate()} below 1) already holds only a share of the
 * keys: the sizer scales sizes and rates by it.
 */
public final class Trace {

  /** A read: {@code get} or one key of {@code getAll}. */
  public static final byte GET = 0;
  /** A write through every tier (and an invalidation of the other nodes' L1). */
  public static final byte PUT = 1;
  /** An invalidation of one key in every tier. */
  public static final byte INVALIDATE = 2;
  /** Everything invalidated; its key means nothing. */
  public static final byte INVALIDATE_ALL = 3;
  /** No node column in the trace. */
  public static final short NO_NODE = -1;
  /** No value size known. */
  public static final int NO_SIZE = -1;

  private final int length;
  private final long[] times;
  private final long[] keys;
  private final byte[] ops;
  private final int[] sizes;
  private final short[] nodes;
  private final int[] ttlSeconds;
  private final double sampleRate;
  private final String description;

  private Trace(Builder b) {
    this.length = b.length;
    this.times = b.times;
    this.keys = b.keys;
    this.ops = b.ops;
    this.sizes = b.sizes;
    this.nodes = b.nodes;
    this.ttlSeconds = b.ttlSeconds;
    this.sampleRate = b.sampleRate;
    this.description = b.description;
  }

  /** Number of records (requests, writes and invalidations). */
  public int length() {
    return length;
  }

  public long time(int i) {
    return times[i];
  }

  public long key(int i) {
    return keys[i];
  }

  public byte op(int i) {
    return ops[i];
  }

  /** The value size in bytes, or {@link #NO_SIZE}. */
  public int size(int i) {
    return sizes == null ? NO_SIZE : sizes[i];
  }

  /** The node the trace says served the record, or {@link #NO_NODE}. */
  public short node(int i) {
    return nodes == null ? NO_NODE : nodes[i];
  }

  /** The record's TTL in seconds, or 0 for none. */
  public int ttlSeconds(int i) {
    return ttlSeconds == null ? 0 : ttlSeconds[i];
  }

  public boolean hasNodes() {
    return nodes != null;
  }

  public boolean hasTtls() {
    return ttlSeconds != null;
  }

  /** The share of the real keys this trace holds (1 unless it was recorded with sampling). */
  public double sampleRate() {
    return sampleRate;
  }

  /** Where the trace came from, for reports. */
  public String description() {
    return description;
  }

  /** Nanoseconds between the earliest and the latest record. */
  public long durationNanos() {
    if (length == 0) {
      return 0;
    }
    long min = Long.MAX_VALUE;
    long max = Long.MIN_VALUE;
    for (int i = 0; i < length; i++) {
      min = Math.min(min, times[i]);
      max = Math.max(max, times[i]);
    }
    return max - min;
  }

  /** Collects records into growing arrays; columns the source lacks stay absent. */
  public static final class Builder {
    private int length;
    private long[] times = new long[1024];
    private long[] keys = new long[1024];
    private byte[] ops = new byte[1024];
    private int[] sizes;
    private short[] nodes;
    private int[] ttlSeconds;
    private double sampleRate = 1.0;
    private String description = "trace";

    public Builder description(String text) {
      this.description = text;
      return this;
    }

    public Builder sampleRate(double rate) {
      if (!(rate > 0 && rate <= 1)) {
        throw new IllegalArgumentException("sample rate must be in (0, 1], was " + rate);
      }
      this.sampleRate = rate;
      return this;
    }

    /** Adds a record; {@code size} may be {@link #NO_SIZE}, {@code node} {@link #NO_NODE}, {@code ttl} 0. */
    public Builder add(long timeNanos, long key, byte op, int size, int node, int ttl) {
      if (length == times.length) {
        grow();
      }
      times[length] = timeNanos;
      keys[length] = key;
      ops[length] = op;
      if (size != NO_SIZE) {
        if (sizes == null) {
          sizes = filled(new int[times.length], NO_SIZE, length);
        }
        sizes[length] = size;
      } else if (sizes != null) {
        sizes[length] = NO_SIZE;
      }
      if (node != NO_NODE) {
        if (nodes == null) {
          nodes = new short[times.length];
          Arrays.fill(nodes, 0, length, NO_NODE);
        }
        nodes[length] = (short) node;
      } else if (nodes != null) {
        nodes[length] = NO_NODE;
      }
      if (ttl > 0) {
        if (ttlSeconds == null) {
          ttlSeconds = new int[times.length];
        }
        ttlSeconds[length] = ttl;
      } else if (ttlSeconds != null) {
        ttlSeconds[length] = 0;
      }
      length++;
      return this;
    }

    public Builder get(long timeNanos, long key) {
      return add(timeNanos, key, GET, NO_SIZE, NO_NODE, 0);
    }

    public int length() {
      return length;
    }

    private static int[] filled(int[] array, int value, int upTo) {
      Arrays.fill(array, 0, upTo, value);
      return array;
    }

    private void grow() {
      int capacity = (int) Math.min(Integer.MAX_VALUE - 8, times.length * 2L);
      if (capacity <= length) {
        throw new IllegalStateException("trace too long: " + length + " records");
      }
      times = Arrays.copyOf(times, capacity);
      keys = Arrays.copyOf(keys, capacity);
      ops = Arrays.copyOf(ops, capacity);
      if (sizes != null) {
        sizes = Arrays.copyOf(sizes, capacity);
      }
      if (nodes != null) {
        nodes = Arrays.copyOf(nodes, capacity);
      }
      if (ttlSeconds != null) {
        ttlSeconds = Arrays.copyOf(ttlSeconds, capacity);
      }
    }

    public Trace build() {
      return new Trace(this);
    }
  }
}
