package io.tieredcache.sizer;

import java.util.Arrays;

/**
 * Gives each distinct 64-bit key a dense number {@code 0, 1, 2, ...} in order of first sight: an
 * open-addressing hash table of primitives (no boxing), for traces of many millions of records.
 */
final class KeyIndex {

  private long[] keys;
  private int[] ids; // id + 1; 0 marks an empty slot
  private int mask;
  private int size;

  KeyIndex(int expected) {
    int capacity = Integer.highestOneBit(Math.max(16, expected * 2 - 1)) << 1;
    keys = new long[capacity];
    ids = new int[capacity];
    mask = capacity - 1;
  }

  /** Number of distinct keys seen. */
  int size() {
    return size;
  }

  /** The key's number, giving it the next one if it is new. */
  int idOf(long key) {
    int slot = slot(key);
    while (true) {
      int id = ids[slot];
      if (id == 0) {
        keys[slot] = key;
        ids[slot] = ++size;
        if (size * 2 > keys.length) {
          grow();
        }
        return size - 1;
      }
      if (keys[slot] == key) {
        return id - 1;
      }
      slot = (slot + 1) & mask;
    }
  }

  private int slot(long key) {
    long h = key * 0x9E37_79B9_7F4A_7C15L;
    return (int) (h ^ (h >>> 32)) & mask;
  }

  private void grow() {
    long[] oldKeys = keys;
    int[] oldIds = ids;
    keys = new long[oldKeys.length * 2];
    ids = new int[oldIds.length * 2];
    mask = keys.length - 1;
    for (int i = 0; i < oldKeys.length; i++) {
      if (oldIds[i] != 0) {
        int slot = slot(oldKeys[i]);
        while (ids[slot] != 0) {
          slot = (slot + 1) & mask;
        }
        keys[slot] = oldKeys[i];
        ids[slot] = oldIds[i];
      }
    }
  }

  void clear() {
    Arrays.fill(ids, 0);
    size = 0;
  }
}
