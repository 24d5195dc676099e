package io.tieredcache.redis;

import static java.nio.charset.StandardCharsets.US_ASCII;

import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/**
 * A Lua script the tier runs with {@code EVALSHA} (falling back to {@code EVAL}). Each touches
 * one value key and its own lease key, which share a hash tag: every script is Redis Cluster safe.
 *
 * @param body the script's source
 * @param sha its SHA-1 in hex, as {@code EVALSHA} wants it
 */
record Script(byte[] body, String sha) {

  /**
   * Stores the value only while the lease holds this caller's token, then releases the lease.
   * KEYS: value, lease. ARGV: token, bytes, ttl in ms. Returns 1 if stored, 0 if fenced.
   */
  static final Script FILL = of(
      "if redis.call('GET', KEYS[2]) == ARGV[1] then "
      + "redis.call('SET', KEYS[1], ARGV[2], 'PX', ARGV[3]) "
      + "redis.call('DEL', KEYS[2]) "
      + "return 1 end "
      + "return 0");

  /** Releases the lease only if it still holds this caller's token. KEYS: lease. ARGV: token. */
  static final Script RELEASE = of(
      "if redis.call('GET', KEYS[1]) == ARGV[1] then "
      + "return redis.call('DEL', KEYS[1]) end "
      + "return 0");

  /**
   * Extends the lease only if it still holds this caller's token. KEYS: lease. ARGV: token, ttl in
   * ms. Returns 1 if extended, 0 if the lease was voided or taken over.
   */
  static final Script RENEW = of(
      "if redis.call('GET', KEYS[1]) == ARGV[1] then "
      + "return redis.call('PEXPIRE', KEYS[1], ARGV[2]) end "
      + "return 0");

  static Script of(String source) {
    byte[] body = source.getBytes(US_ASCII);
    try {
      return new Script(body, HexFormat.of().formatHex(MessageDigest.getInstance("SHA-1").digest(body)));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("every Java platform has SHA-1", e);
    }
  }
}
