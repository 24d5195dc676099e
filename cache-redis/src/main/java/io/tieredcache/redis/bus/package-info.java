/**
 * Invalidation buses over Redis: {@link io.tieredcache.redis.bus.PubSubInvalidationBus} (the
 * default) and {@link io.tieredcache.redis.bus.StreamInvalidationBus}, both implementing {@link
 * io.tieredcache.redis.bus.RedisInvalidationBus}, with immutable options and a {@link
 * io.tieredcache.redis.bus.BusStats} snapshot.
 *
 * <p>Both transports carry the same binary message: magic {@code 'T'}, format version {@code 1}, a
 * type ({@code K} keys, {@code A} all, {@code H} heartbeat, {@code I} hello, {@code B} bye), the
 * origin node id, the origin's incarnation (8 random bytes drawn when its bus started), its sequence
 * number, the cache name and the keys. Numbers are unsigned LEB128 varints; strings are a varint
 * byte length followed by each UTF-16 unit encoded on its own as UTF-8 would (CESU-8), so every
 * Java string, however long and whatever it contains, arrives exactly as it was sent.
 *
 * <p>Everything else in this package is internal and may change.
 */
package io.tieredcache.redis.bus;
