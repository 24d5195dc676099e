package io.tieredcache.sizer;

import io.tieredcache.trace.AccessRecorder;
import io.tieredcache.trace.AccessTraceReader;
import java.io.BufferedReader;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;

/**
 * The trace formats the sizer reads. Text formats are read line by line; blank lines and lines
 * starting with {@code #} are skipped everywhere.
 *
 * <ul>
 *   <li>{@link #RECORDER}: the file {@link AccessRecorder} writes.
 *   <li>{@link #CSV}: {@code timestamp,key[,size,op,ttl,node]}, an optional header line; see
 *       {@link CsvTraceReader}.
 *   <li>{@link #ARC}: the ARC traces' {@code start count ignored request-number} lines, each
 *       standing for {@code count} reads of blocks {@code start .. start+count-1}.
 *   <li>{@link #LIRS}: one block number per line (lines that are not numbers are skipped).
 *   <li>{@link #TWITTER}: Twitter's cache-trace CSV, {@code timestamp,key,key size,value size,
 *       client id,operation,ttl}; see {@link TwitterTraceReader}.
 * </ul>
 * ARC and LIRS carry no times: their records are spaced {@code 1 / rps} seconds apart.
 */
public enum InputFormat {
  RECORDER, CSV, ARC, LIRS, TWITTER;

  /** Parses a format name as the command line gives it ({@code csv}, {@code arc}, ...). */
  public static InputFormat parse(String name) {
    try {
      return valueOf(name.trim().toUpperCase(Locale.ROOT));
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException("unknown trace format '" + name + "': use recorder, csv, arc, lirs or twitter");
    }
  }

  /** Reads {@code file} in this format; {@code rps} spaces records of formats without times. */
  public Trace read(Path file, ReadOptions options) throws IOException {
    return switch (this) {
      case RECORDER -> readRecorder(file);
      case CSV -> new CsvTraceReader(options).read(file);
      case ARC -> readBlocks(file, options, true);
      case LIRS -> readBlocks(file, options, false);
      case TWITTER -> new TwitterTraceReader().read(file);
    };
  }

  /** Settings of the text readers. */
  public record ReadOptions(long nanosPerTimeUnit, double rps) {
    /** Milliseconds in CSV timestamps, 10,000 requests a second for traces without times. */
    public static final ReadOptions DEFAULT = new ReadOptions(1_000_000L, 10_000);
  }

  private static Trace readRecorder(Path file) throws IOException {
    try (AccessTraceReader reader = AccessTraceReader.open(file)) {
      Trace.Builder trace = new Trace.Builder().sampleRate(reader.sampleRate()).description(file.getFileName()
          + " (recorded on node " + reader.node() + ", sample rate " + reader.sampleRate() + ")");
      while (reader.next()) {
        byte op = switch (reader.operation()) {
          case GET, GET_ALL_MEMBER -> Trace.GET;
          case PUT -> Trace.PUT;
          case INVALIDATE -> Trace.INVALIDATE;
          case INVALIDATE_ALL -> Trace.INVALIDATE_ALL;
        };
        int size = reader.valueSize() == AccessRecorder.UNKNOWN_SIZE ? Trace.NO_SIZE : reader.valueSize();
        trace.add(reader.timeNanos(), reader.keyHash(), op, size, reader.node(), 0);
      }
      return trace.build();
    }
  }

  private static Trace readBlocks(Path file, ReadOptions options, boolean arc) throws IOException {
    Trace.Builder trace = new Trace.Builder().description(file.getFileName() + (arc ? " (ARC)" : " (LIRS)"));
    double gap = 1e9 / options.rps();
    long index = 0;
    try (BufferedReader in = Files.newBufferedReader(file, StandardCharsets.ISO_8859_1)) {
      String line;
      while ((line = in.readLine()) != null) {
        line = line.trim();
        if (line.isEmpty() || line.charAt(0) == '#') {
          continue;
        }
        String[] fields = line.split("\\s+");
        long start;
        long count = 1;
        try {
          start = Long.parseLong(fields[0]);
          if (arc) {
            count = fields.length > 1 ? Long.parseLong(fields[1]) : 1;
          }
        } catch (NumberFormatException notANumber) {
          continue; // LIRS traces end with a '*' line
        }
        for (long block = start; block < start + count; block++) {
          trace.get((long) (index++ * gap), block);
        }
      }
    }
    return trace.build();
  }
}
