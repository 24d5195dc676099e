package io.tieredcache.sizer;

import io.tieredcache.trace.AccessRecorder;

/** Key identities and the hash-threshold sampling the sizer shares with the recorder. */
public final class Keys {

  private Keys() {}

  /** A 64-bit identity for a key given as text (FNV-1a over its characters, then mixed). */
  public static long ofText(CharSequence text, int from, int to) {
    long h = 0xCBF2_9CE4_8422_2325L;
    for (int i = from; i < to; i++) {
      h ^= text.charAt(i);
      h *= 0x0100_0000_01B3L;
    }
    return AccessRecorder.mix(h);
  }

  /** The spread hash by which a key is sampled; independent of how the key was made. */
  public static long sampleHash(long key) {
    return AccessRecorder.mix(key ^ 0x5DEE_CE66_DL);
  }

  /** The unsigned threshold under which {@link #sampleHash} keeps a key at {@code rate}. */
  public static long threshold(double rate) {
    if (rate >= 1.0) {
      return -1L;
    }
    double scaled = rate * 0x1p64;
    return scaled >= 0x1p63 ? (long) (scaled - 0x1p63) ^ Long.MIN_VALUE : (long) scaled;
  }

  /** Whether {@code hash} is under {@code threshold} (all hashes are at threshold {@code -1}). */
  public static boolean sampled(long hash, long threshold) {
    return threshold == -1L || Long.compareUnsigned(hash, threshold) < 0;
  }
}
