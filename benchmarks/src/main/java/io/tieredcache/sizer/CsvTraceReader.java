package io.tieredcache.sizer;

import java.io.BufferedReader;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;

/**
 * Reads the plain CSV format {@code timestamp,key[,size,op,ttl,node]}:
 * <ul>
 *   <li>{@code timestamp}: a number (decimals allowed) in the reader's time unit (milliseconds
 *       unless told otherwise);
 *   <li>{@code key}: any text without a comma;
 *   <li>{@code size}: the value's size in bytes (empty: unknown);
 *   <li>{@code op}: {@code get} (the default when empty), {@code put}/{@code set}/{@code write},
 *       {@code invalidate}/{@code delete}/{@code del}, {@code invalidate_all}/{@code clear};
 *   <li>{@code ttl}: seconds, empty or 0 for none;
 *   <li>{@code node}: the node (a small non-negative number) that served it.
 * </ul>
 * A first line whose timestamp is not a number is taken as a header and skipped.
 */
final class CsvTraceReader {

  private final InputFormat.ReadOptions options;

  CsvTraceReader(InputFormat.ReadOptions options) {
    this.options = options;
  }

  Trace read(Path file) throws IOException {
    Trace.Builder trace = new Trace.Builder().description(file.getFileName() + " (CSV)");
    try (BufferedReader in = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
      String line;
      int lineNumber = 0;
      int[] cuts = new int[7];
      while ((line = in.readLine()) != null) {
        lineNumber++;
        if (line.isBlank() || line.charAt(0) == '#') {
          continue;
        }
        int fields = split(line, cuts);
        double time;
        try {
          time = Double.parseDouble(field(line, cuts, 0));
        } catch (NumberFormatException e) {
          if (trace.length() == 0) {
            continue; // header
          }
          throw new IOException(file + ":" + lineNumber + ": timestamp is not a number: " + line);
        }
        if (fields < 2) {
          throw new IOException(file + ":" + lineNumber + ": expected timestamp,key[,size,op,ttl,node]: " + line);
        }
        long key = Keys.ofText(line, cuts[0] + 1, cuts[1]);
        int size = fields > 2 ? intOr(field(line, cuts, 2), Trace.NO_SIZE) : Trace.NO_SIZE;
        byte op = fields > 3 ? op(field(line, cuts, 3), file, lineNumber) : Trace.GET;
        int ttl = fields > 4 ? intOr(field(line, cuts, 4), 0) : 0;
        int node = fields > 5 ? intOr(field(line, cuts, 5), Trace.NO_NODE) : Trace.NO_NODE;
        trace.add((long) (time * options.nanosPerTimeUnit()), key, op, size, node, ttl);
      }
    }
    return trace.build();
  }

  /** Fills {@code cuts[i]} with the end of field i; returns the number of fields (at most 6). */
  private static int split(String line, int[] cuts) {
    int fields = 0;
    int from = 0;
    while (fields < 6) {
      int comma = line.indexOf(',', from);
      if (comma < 0 || fields == 5) {
        cuts[fields++] = comma < 0 ? line.length() : comma;
        break;
      }
      cuts[fields++] = comma;
      from = comma + 1;
    }
    return fields;
  }

  private static String field(String line, int[] cuts, int i) {
    int from = i == 0 ? 0 : cuts[i - 1] + 1;
    return line.substring(from, cuts[i]).trim();
  }

  private static int intOr(String text, int otherwise) {
    if (text.isEmpty()) {
      return otherwise;
    }
    try {
      return (int) Math.min(Integer.MAX_VALUE, Long.parseLong(text));
    } catch (NumberFormatException e) {
      return otherwise;
    }
  }

  static byte op(String text, Path file, int line) throws IOException {
    return switch (text.toLowerCase(Locale.ROOT)) {
      case "", "get", "read", "r", "gets" -> Trace.GET;
      case "put", "set", "write", "w" -> Trace.PUT;
      case "invalidate", "delete", "del", "evict" -> Trace.INVALIDATE;
      case "invalidate_all", "invalidateall", "clear", "flush" -> Trace.INVALIDATE_ALL;
      default -> throw new IOException(file + ":" + line + ": unknown operation '" + text + "'");
    };
  }
}
