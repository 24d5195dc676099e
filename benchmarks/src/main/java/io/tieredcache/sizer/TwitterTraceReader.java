package io.tieredcache.sizer;

import java.io.BufferedReader;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Reads Twitter's cache-trace CSV ({@code timestamp,anonymized key,key size,value size,client id,
 * operation,TTL}; timestamps in seconds). {@code get}/{@code gets} are reads; {@code set},
 * {@code add}, {@code replace}, {@code cas}, {@code append}, {@code prepend}, {@code incr} and
 * {@code decr} are writes; {@code delete} is an invalidation. The client id is the node column
 * (routed modulo the node count). A memcached client fills the cache after a read miss with a
 * {@code set}: those count as writes here, which is what they are for the other nodes' L1s.
 */
final class TwitterTraceReader {

  Trace read(Path file) throws IOException {
    Trace.Builder trace = new Trace.Builder().description(file.getFileName() + " (Twitter cache trace)");
    try (BufferedReader in = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
      String line;
      int lineNumber = 0;
      while ((line = in.readLine()) != null) {
        lineNumber++;
        if (line.isBlank() || line.charAt(0) == '#') {
          continue;
        }
        String[] f = line.split(",", -1);
        if (f.length < 7) {
          throw new IOException(file + ":" + lineNumber + ": expected 7 fields: " + line);
        }
        long seconds;
        try {
          seconds = Long.parseLong(f[0].trim());
        } catch (NumberFormatException header) {
          continue;
        }
        byte op = switch (f[5].trim()) {
          case "get", "gets" -> Trace.GET;
          case "set", "add", "replace", "cas", "append", "prepend", "incr", "decr" -> Trace.PUT;
          case "delete" -> Trace.INVALIDATE;
          default -> -1;
        };
        if (op < 0) {
          continue;
        }
        long key = Keys.ofText(f[1], 0, f[1].length());
        int size = parseOr(f[3], Trace.NO_SIZE);
        int node = (int) Math.floorMod(parseLongOr(f[4], 0), 32_768L);
        int ttl = parseOr(f[6], 0);
        // Many records share a second: spread them evenly by arrival order within it is unknowable,
        // so keep the second; the order of records is what the replay follows.
        trace.add(seconds * 1_000_000_000L, key, op, size, node, ttl);
      }
    }
    return trace.build();
  }

  private static int parseOr(String text, int otherwise) {
    long value = parseLongOr(text, otherwise);
    return (int) Math.max(Integer.MIN_VALUE, Math.min(Integer.MAX_VALUE, value));
  }

  private static long parseLongOr(String text, long otherwise) {
    try {
      return Long.parseLong(text.trim());
    } catch (NumberFormatException e) {
      return otherwise;
    }
  }
}
