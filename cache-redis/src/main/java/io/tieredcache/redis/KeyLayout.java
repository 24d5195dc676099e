package io.tieredcache.redis;

import static java.nio.charset.StandardCharsets.US_ASCII;
import static java.nio.charset.StandardCharsets.UTF_8;

import java.security.DigestException;
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
  private static final ThreadLocal<Sha256> SHA_256 = ThreadLocal.withInitial(Sha256::new);
  private static final int SHA_256_BYTES = 32;
  /** The hash tag is the hex of this many leading bytes of the key's SHA-256. */
  private static final int TAG_BYTES = 4;
  private static final byte[] HEX_DIGITS = "0123456789abcdef".getBytes(US_ASCII);

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
    byte[] raw = encodedKey.getBytes(UTF_8);
    byte[] sha = sha256(raw);
    return new Keys(build(raw, sha, epoch, VALUE, HASHED_VALUE), build(raw, sha, epoch, LEASE, HASHED_LEASE));
  }

  /** Only the value key of {@link #keys}: what a read needs. */
  byte[] valueKey(String encodedKey, long epoch) {
    byte[] raw = encodedKey.getBytes(UTF_8);
    return build(raw, sha256(raw), epoch, VALUE, HASHED_VALUE);
  }

  /** Only the lease key of {@link #keys}. */
  byte[] leaseKey(String encodedKey, long epoch) {
    byte[] raw = encodedKey.getBytes(UTF_8);
    return build(raw, sha256(raw), epoch, LEASE, HASHED_LEASE);
  }

  /**
   * Writes one key straight into its array: a read builds its key on every call, so nothing
   * (hex strings, the epoch's digits) is made on the way. {@code sha} is this thread's scratch.
   */
  private byte[] build(byte[] raw, byte[] sha, long epoch, byte[] plainKind, byte[] hashedKind) {
    boolean hashed = raw.length > MAX_RAW_KEY_BYTES;
    byte[] kind = hashed ? hashedKind : plainKind;
    int keyLength = hashed ? 2 * SHA_256_BYTES : raw.length;
    int epochLength = decimalLength(epoch);
    byte[] key = new byte[base.length + 1 + 2 * TAG_BYTES + 2 + epochLength + kind.length + keyLength];
    int at = 0;
    System.arraycopy(base, 0, key, at, base.length);
    at += base.length;
    key[at++] = '{';
    at = writeHex(sha, TAG_BYTES, key, at);
    key[at++] = '}';
    key[at++] = ':';
    at = writeDecimal(epoch, epochLength, key, at);
    System.arraycopy(kind, 0, key, at, kind.length);
    at += kind.length;
    if (hashed) {
      writeHex(sha, SHA_256_BYTES, key, at);
    } else {
      System.arraycopy(raw, 0, key, at, raw.length);
    }
    return key;
  }

  /** SHA-256 of {@code raw} into this thread's scratch array, valid until its next call. */
  private static byte[] sha256(byte[] raw) {
    Sha256 scratch = SHA_256.get();
    try {
      scratch.digest.update(raw);
      scratch.digest.digest(scratch.out, 0, SHA_256_BYTES);
    } catch (DigestException e) {
      throw new IllegalStateException("SHA-256 yields " + SHA_256_BYTES + " bytes", e);
    }
    return scratch.out;
  }

  /** Lower-case hex of the first {@code count} bytes of {@code bytes}, as {@link HexFormat#of()} spells it. */
  private static int writeHex(byte[] bytes, int count, byte[] into, int at) {
    for (int i = 0; i < count; i++) {
      into[at++] = HEX_DIGITS[(bytes[i] >> 4) & 0xf];
      into[at++] = HEX_DIGITS[bytes[i] & 0xf];
    }
    return at;
  }

  /** Digits of {@code value} as {@link Long#toString(long)} writes them. */
  static int decimalLength(long value) {
    if (value < 0) {
      return value == Long.MIN_VALUE ? 20 : 1 + decimalLength(-value);
    }
    int length = 1;
    for (long bound = 10; length < 19 && value >= bound; bound *= 10) {
      length++;
    }
    return length;
  }

  private static int writeDecimal(long value, int length, byte[] into, int at) {
    if (value < 0) {
      byte[] text = Long.toString(value).getBytes(US_ASCII); // never in practice: epochs count up from 0
      System.arraycopy(text, 0, into, at, text.length);
      return at + text.length;
    }
    for (int i = at + length - 1; i >= at; i--) {
      into[i] = (byte) ('0' + value % 10);
      value /= 10;
    }
    return at + length;
  }

  /** One thread's SHA-256 and the array it digests into. */
  private static final class Sha256 {
    final MessageDigest digest = newSha256();
    final byte[] out = new byte[SHA_256_BYTES];
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
