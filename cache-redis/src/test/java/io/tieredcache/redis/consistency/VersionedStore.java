package io.tieredcache.redis.consistency;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/** The system of record in these tests: every key holds a version that only grows. */
final class VersionedStore {
  private final Map<String, AtomicLong> versions = new ConcurrentHashMap<>();

  long read(String key) {
    return versions.computeIfAbsent(key, k -> new AtomicLong(1)).get();
  }

  /** Writes a new version and returns it. */
  long write(String key) {
    return versions.computeIfAbsent(key, k -> new AtomicLong(1)).incrementAndGet();
  }
}
