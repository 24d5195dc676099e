/**
 * Invalidation buses over Redis: {@link io.tieredcache.redis.bus.PubSubInvalidationBus} (the
 * default) and {@link io.tieredcache.redis.bus.StreamInvalidationBus}, both implementing {@link
 * io.tieredcache.redis.bus.RedisInvalidationBus}, with immutable options and a {@link
 * io.tieredcache.redis.bus.BusStats} snapshot.
 *
 * <p>Both transports carry the same binary message: magic {@code 'T'}, format version {@code 2}, a
 * type ({@code K} keys, {@code A} all, {@code H} heartbeat, {@code I} hello, {@code B} bye), the
 * origin node id, the origin's incarnation (8 random bytes drawn when its bus started), its sequence
 * number, the highest of its numbers whose publish failed, the cache name, and then the keys (for
 * {@code K}) or the cache's new epoch (for {@code A}). Numbers are unsigned LEB128 varints; strings
 * are a varint byte length followed by each UTF-16 unit encoded on its own as UTF-8 would (CESU-8),
 * so every Java string, however long and whatever it contains, arrives exactly as it was sent.
 *
 * <p>A node reads only its own format version: a message of another version is unreadable and
 * tells listeners that messages may have been lost. Nodes of two format versions on one channel or
 * stream cannot invalidate each other, so they keep dropping their L1s until all run one version;
 * upgrade all nodes of a channel together.
 *
 * <p>Everything else in this package is internal and may change.
 */
package io.tieredcache.redis.bus;
