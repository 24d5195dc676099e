package io.tieredcache.redis.consistency;

import io.lettuce.core.AbstractRedisClient;
import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisURI;
import io.lettuce.core.cluster.RedisClusterClient;
import io.tieredcache.KeyCodec;
import io.tieredcache.TieredCache;
import io.tieredcache.redis.RedisTier;
import io.tieredcache.redis.bus.PubSubBusOptions;
import io.tieredcache.redis.bus.PubSubInvalidationBus;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;

/**
 * Several cache nodes in one JVM (each with its own client, tier and bus), each watching when a
 * key leaves its L1 (a comma-separated list of URIs means the seeds of a Redis Cluster). Used
 * in-process by the test and, through {@link #main}, in JVMs of their own, driven over
 * stdin/stdout: {@code arm <key> <value>} (every node loads the key and starts watching; answers
 * {@code armed}), {@code report} (answers {@code gone <nanoTime> ...}, one per node, {@code -1}
 * for a node that still holds it after 5 s), {@code quit}. {@code System.nanoTime}
 * is the same clock in every process of one Linux machine, so times compare across JVMs.
 */
final class WatchingNodes implements AutoCloseable {

  static final long WATCH_LIMIT_NANOS = 5_000_000_000L;

  private final List<AbstractRedisClient> clients = new ArrayList<>();
  private final List<PubSubInvalidationBus> buses = new ArrayList<>();
  final List<TieredCache<String, Long>> caches = new ArrayList<>();
  private final AtomicLong value = new AtomicLong();
  private final long[] goneAt;
  private final List<Thread> watchers = new ArrayList<>();

  WatchingNodes(String redisUri, String cacheName, String channel, int count) {
    for (int i = 0; i < count; i++) {
      PubSubBusOptions options = PubSubBusOptions.builder().channel(channel).build();
      PubSubInvalidationBus bus;
      RedisTier.Builder<Object> tier;
      if (redisUri.contains(",")) { // the seeds of a Redis Cluster
        List<RedisURI> seeds = new ArrayList<>();
        for (String seed : redisUri.split(",")) {
          seeds.add(RedisURI.create(seed));
        }
        RedisClusterClient client = RedisClusterClient.create(seeds);
        clients.add(client);
        bus = PubSubInvalidationBus.create(client, options);
        tier = RedisTier.builder(client);
      } else {
        RedisClient client = RedisClient.create(redisUri);
        clients.add(client);
        bus = PubSubInvalidationBus.create(client, options);
        tier = RedisTier.builder(client);
      }
      buses.add(bus);
      caches.add(TieredCache.builder(cacheName).keyCodec(KeyCodec.strings())
          .remoteTier(tier.valueType(Long.class).build())
          .invalidationBus(bus)
          .build(key -> value.get()));
    }
    goneAt = new long[count];
  }

  /** Every node reads {@code key} (getting {@code version}) and starts watching it leave its L1. */
  void arm(String key, long version) {
    value.set(version);
    watchers.clear();
    for (int i = 0; i < caches.size(); i++) {
      TieredCache<String, Long> cache = caches.get(i);
      cache.get(key);
      int node = i;
      goneAt[i] = -1;
      Thread watcher = new Thread(() -> {
        long giveUp = System.nanoTime() + WATCH_LIMIT_NANOS;
        while (cache.policy().getIfPresentInL1(key) != null && System.nanoTime() < giveUp) {
          LockSupport.parkNanos(20_000);
        }
        goneAt[node] = cache.policy().getIfPresentInL1(key) == null ? System.nanoTime() : -1;
      });
      watcher.setDaemon(true);
      watchers.add(watcher);
      watcher.start();
    }
  }

  /** When each node's copy was gone, after waiting for the watchers (bounded). */
  long[] report() throws InterruptedException {
    for (Thread watcher : watchers) {
      watcher.join(WATCH_LIMIT_NANOS / 1_000_000 + 1_000);
    }
    return goneAt.clone();
  }

  @Override
  public void close() {
    caches.forEach(TieredCache::close);
    buses.forEach(PubSubInvalidationBus::close);
    clients.forEach(AbstractRedisClient::shutdown);
  }

  public static void main(String[] args) throws Exception {
    try (WatchingNodes nodes = new WatchingNodes(args[0], args[1], args[2], Integer.parseInt(args[3]))) {
      BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
      System.out.println("ready");
      System.out.flush();
      String line;
      while ((line = in.readLine()) != null) {
        String[] words = line.trim().split(" ");
        switch (words[0]) {
          case "arm" -> {
            nodes.arm(words[1], Long.parseLong(words[2]));
            System.out.println("armed");
          }
          case "report" -> {
            StringBuilder answer = new StringBuilder("gone");
            for (long at : nodes.report()) {
              answer.append(' ').append(at);
            }
            System.out.println(answer);
          }
          case "quit" -> {
            return;
          }
          default -> System.out.println("unknown " + line);
        }
        System.out.flush();
      }
    }
  }
}
