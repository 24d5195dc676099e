package io.tieredcache.redis;

import static java.nio.charset.StandardCharsets.US_ASCII;
import static java.nio.charset.StandardCharsets.UTF_8;

import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.Objects;
import java.util.regex.Pattern;

/**
 * Builds the Redis keys of one cache (the layout is documented on {@link RedisTier}).
 *
 * <p>{@code <prefix>:<cache>:{<tag>}:<epoch>:<kind>:<key>} where {@code <cache>} is the cache name
 * with every byte outside {@code [A-Za-z0-9._-]} percent-encoded (so it holds no {@code :}, no
 * braces and no glob character), {@code <tag>} is the first 8 hex digits of SHA-256 of the encoded
 * key, {@code <epoch>} the cache's current epoch in decimal (moved by {@code invalidateAll}),
 * {@code <kind>} is {@code v} (value) or {@code l} (lease), or {@code vh}/{@code lh} when the key
 * part is the SHA-256 hex of a key longer than {@link #MAX_RAW_KEY_BYTES}. The epoch itself lives
 * at {@code <prefix>:<cache>:epoch}, which no value key can spell (they continue with a brace).
 */
final class KeyLayout {

  /** Keys whose UTF-8 form is longer than this are stored under their SHA-256. */
  static final int MAX_RAW_KEY_BYTES = 512;
  /** Longest accepted prefix. */
  static final int MAX_PREFIX_LENGTH = 64;
  /** Longest accepted cache name, after percent-encoding. */
  static final int MAX_ESCAPED_NAME_LENGTH = 256;

  private static final Pattern PREFIX = Pattern.compile("[A-Za-z0-9._-]{1," + MAX_PREFIX_LENGTH + "}");
  private static final HexFormat HEX = HexFormat.of();
  private static final ThreadLocal<MessageDigest> SHA_256 = ThreadLocal.withInitial(KeyLayout::newSha256);

  private static final byte[] VALUE = ":v:".getBytes(US_ASCII);
  private static final byte[] LEASE = ":l:".getBytes(US_ASCII);
  private static final byte[] HASHED_VALUE = ":vh:".getBytes(US_ASCII);
  private static final byte[] HASHED_LEASE = ":lh:".getBytes(US_ASCII);

  private final byte[] base;
  private final byte[] epochKey;
  private final String cacheSegment;

  KeyLayout(String prefix, String cacheName) {
    validatePrefix(prefix);
    this.cacheSegment = escapeCacheName(cacheName);
    this.base = (prefix + ":" + cacheSegment + ":").getBytes(US_ASCII);
    this.epochKey = (prefix + ":" + cacheSegment + ":epoch").getBytes(US_ASCII);
  }

  /** Throws {@link IllegalArgumentException} unless {@code prefix} is 1-64 of {@code [A-Za-z0-9._-]}. */
  static String validatePrefix(String prefix) {
    Objects.requireNonNull(prefix, "keyPrefix");
    if (!PREFIX.matcher(prefix).matches()) {
      throw new IllegalArgumentException("keyPrefix must be 1 to " + MAX_PREFIX_LENGTH
          + " characters of [A-Za-z0-9._-] (no ':', braces or glob characters), was '" + prefix + "'");
    }
    return prefix;
  }

  /** The cache name as it appears in keys: percent-encoded outside {@code [A-Za-z0-9._-]}. */
  static String escapeCacheName(String cacheName) {
    Objects.requireNonNull(cacheName, "cacheName");
    if (cacheName.isEmpty()) {
      throw new IllegalArgumentException("cache name must not be empty");
    }
    var out = new StringBuilder(cacheName.length() + 8);
    for (byte b : cacheName.getBytes(UTF_8)) {
      int c = b & 0xff;
      if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')
          || c == '.' || c == '_' || c == '-') {
        out.append((char) c);
      } else {
        out.append('%').append(HEX.toHexDigits((byte) c).toUpperCase(java.util.Locale.ROOT));
      }
    }
    if (out.length() > MAX_ESCAPED_NAME_LENGTH) {
      throw new IllegalArgumentException("cache name is too long for a Redis key ("
          + out.length() + " > " + MAX_ESCAPED_NAME_LENGTH + " characters once escaped): " + cacheName);
    }
    return out.toString();
  }

  /** The cache segment of every key, e.g. {@code users%3Av2}. */
  String cacheSegment() {
    return cacheSegment;
  }

  /** The SCAN MATCH pattern for every key of this cache, values, leases and the epoch. */
  byte[] scanPattern() {
    byte[] pattern = Arrays.copyOf(base, base.length + 1);
    pattern[base.length] = '*';
    return pattern;
  }

  /** The key holding this cache's epoch (a counter that only {@code INCR} changes). */
  byte[] epochKey() {
    return epochKey.clone();
  }

  /**
   * The value key and the lease key of {@code encodedKey} in {@code epoch}; both hash to the same
   * cluster slot whatever the epoch.
   */
  Keys keys(String encodedKey, long epoch) {
    Parts parts = new Parts(encodedKey, epoch);
    return new Keys(parts.key(VALUE, HASHED_VALUE), parts.key(LEASE, HASHED_LEASE));
  }

  /** Only the value key of {@link #keys}: what a read needs. */
  byte[] valueKey(String encodedKey, long epoch) {
    return new Parts(encodedKey, epoch).key(VALUE, HASHED_VALUE);
  }

  /** Only the lease key of {@link #keys}. */
  byte[] leaseKey(String encodedKey, long epoch) {
    return new Parts(encodedKey, epoch).key(LEASE, HASHED_LEASE);
  }

  /** What a value key and its lease key share. */
  private final class Parts {
    private final boolean hashed;
    private final byte[] keyPart;
    private final byte[] tag;
    private final byte[] epochPart;

    Parts(String encodedKey, long epoch) {
      byte[] raw = encodedKey.getBytes(UTF_8);
      byte[] sha = SHA_256.get().digest(raw);
      this.hashed = raw.length > MAX_RAW_KEY_BYTES;
      this.keyPart = hashed ? HEX.formatHex(sha).getBytes(US_ASCII) : raw;
      this.tag = HEX.formatHex(sha, 0, 4).getBytes(US_ASCII);
      this.epochPart = Long.toString(epoch).getBytes(US_ASCII);
    }

    byte[] key(byte[] plainKind, byte[] hashedKind) {
      return build(tag, epochPart, hashed ? hashedKind : plainKind, keyPart);
    }
  }

  private byte[] build(byte[] tag, byte[] epochPart, byte[] kind, byte[] keyPart) {
    byte[] key = new byte[base.length + tag.length + 3 + epochPart.length + kind.length + keyPart.length];
    int at = 0;
    System.arraycopy(base, 0, key, at, base.length);
    at += base.length;
    key[at++] = '{';
    System.arraycopy(tag, 0, key, at, tag.length);
    at += tag.length;
    key[at++] = '}';
    key[at++] = ':';
    System.arraycopy(epochPart, 0, key, at, epochPart.length);
    at += epochPart.length;
    System.arraycopy(kind, 0, key, at, kind.length);
    at += kind.length;
    System.arraycopy(keyPart, 0, key, at, keyPart.length);
    return key;
  }

  private static MessageDigest newSha256() {
    try {
      return MessageDigest.getInstance("SHA-256");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("every Java platform has SHA-256", e);
    }
  }

  /** The two keys of one cache key. */
  record Keys(byte[] value, byte[] lease) {}
}
