package io.tieredcache.redis.consistency;

import io.lettuce.core.RedisClient;
import io.tieredcache.KeyCodec;
import io.tieredcache.TieredCache;
import io.tieredcache.redis.RedisTier;
import io.tieredcache.redis.bus.PubSubBusOptions;
import io.tieredcache.redis.bus.PubSubInvalidationBus;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A cache node in a JVM of its own, driven by a test over stdin/stdout, so a stampede spans two
 * processes. Commands: {@code arm <key> <threads>} (threads wait to read the key; answers
 * {@code armed}), {@code go} (they read; answers {@code done <loader calls> <reads that got the
 * expected value>}), {@code quit}.
 */
public final class NodeProcess {

  private NodeProcess() {}

  /** The value every node's loader produces for {@code key}: readers check they got it. */
  static long valueOf(String key) {
    return key.hashCode() & 0xffff;
  }

  public static void main(String[] args) throws Exception {
    String redisUri = args[0];
    String cacheName = args[1];
    String channel = args[2];
    AtomicInteger loads = new AtomicInteger();
    RedisClient client = RedisClient.create(redisUri);
    try (var bus = PubSubInvalidationBus.create(client, PubSubBusOptions.builder().channel(channel).build());
        TieredCache<String, Long> cache = TieredCache.builder(cacheName)
            .keyCodec(KeyCodec.strings())
            .remoteTier(RedisTier.builder(client).valueType(Long.class).build())
            .invalidationBus(bus)
            .build(key -> {
              loads.incrementAndGet();
              sleepQuietly(50);
              return valueOf(key);
            })) {
      BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
      ExecutorService pool = Executors.newCachedThreadPool();
      CountDownLatch go = null;
      List<Future<Boolean>> reads = new ArrayList<>();
      String line;
      while ((line = in.readLine()) != null) {
        String[] words = line.trim().split(" ");
        switch (words[0]) {
          case "arm" -> {
            String key = words[1];
            int threads = Integer.parseInt(words[2]);
            loads.set(0);
            reads.clear();
            CountDownLatch ready = new CountDownLatch(threads);
            CountDownLatch start = new CountDownLatch(1);
            for (int i = 0; i < threads; i++) {
              reads.add(pool.submit(() -> {
                ready.countDown();
                start.await();
                return cache.get(key) == valueOf(key);
              }));
            }
            ready.await(10, TimeUnit.SECONDS);
            go = start;
            System.out.println("armed");
          }
          case "go" -> {
            go.countDown();
            int ok = 0;
            for (Future<Boolean> read : reads) {
              ok += read.get(30, TimeUnit.SECONDS) ? 1 : 0;
            }
            System.out.println("done " + loads.get() + " " + ok);
          }
          case "quit" -> {
            pool.shutdownNow();
            return;
          }
          default -> System.out.println("unknown " + line);
        }
        System.out.flush();
      }
    } finally {
      client.shutdown();
    }
  }

  private static void sleepQuietly(long millis) {
    try {
      Thread.sleep(millis);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  /** The test's handle on a running node process (or any test main in a JVM of its own). */
  static final class Handle implements AutoCloseable {
    private final Process process;
    private final BufferedReader out;
    private final java.io.Writer in;

    Handle(String redisUri, String cacheName, String channel) throws IOException {
      this(NodeProcess.class, redisUri, cacheName, channel);
    }

    /** A JVM of its own running {@code main}'s main method with {@code args}, on this test's class path. */
    Handle(Class<?> main, String... args) throws IOException {
      String java = ProcessHandle.current().info().command().orElse(System.getProperty("java.home") + "/bin/java");
      List<String> command = new ArrayList<>(List.of(java, "-cp", System.getProperty("java.class.path"), main.getName()));
      command.addAll(List.of(args));
      process = new ProcessBuilder(command)
          .redirectError(ProcessBuilder.Redirect.INHERIT)
          .start();
      out = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8));
      in = new java.io.OutputStreamWriter(process.getOutputStream(), StandardCharsets.UTF_8);
    }

    /** Sends a command and returns the process's answer, waiting at most 60 s. */
    String ask(String command) throws Exception {
      tell(command);
      return readLine();
    }

    /** The process's next answer, waiting at most 60 s. */
    String readLine() throws Exception {
      var answer = java.util.concurrent.CompletableFuture.supplyAsync(() -> {
        try {
          return out.readLine();
        } catch (IOException e) {
          throw new java.io.UncheckedIOException(e);
        }
      });
      String line = answer.get(60, TimeUnit.SECONDS);
      if (line == null) {
        throw new IllegalStateException("node process exited: " + process.waitFor(5, TimeUnit.SECONDS));
      }
      return line;
    }

    /** Sends a command without waiting for an answer. */
    void tell(String command) throws IOException {
      in.write(command + "\n");
      in.flush();
    }

    @Override
    public void close() {
      try {
        tell("quit");
      } catch (IOException ignored) {
        // already gone
      }
      try {
        if (!process.waitFor(10, TimeUnit.SECONDS)) {
          process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
        }
      } catch (InterruptedException e) {
        process.destroyForcibly();
        Thread.currentThread().interrupt();
      }
    }
  }
}
