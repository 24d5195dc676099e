package io.tieredcache.spi;

import io.tieredcache.KeyCodec;

/**
 * What the core tells a {@link RemoteTier} about the cache it serves.
 *
 * @param cacheName the cache's name: part of every remote key, so two caches never collide
 * @param keyCodec turns keys into the strings stored remotely and sent on the invalidation bus
 * @param events where the tier reports failures it absorbed and epoch moves it noticed
 * @param <K> key type
 */
public record TierContext<K>(String cacheName, KeyCodec<K> keyCodec, TierEvents events) {

  public TierContext {
    java.util.Objects.requireNonNull(cacheName, "cacheName");
    java.util.Objects.requireNonNull(keyCodec, "keyCodec");
    java.util.Objects.requireNonNull(events, "events");
  }
}
