package io.tieredcache.trace;

import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.lang.System.Logger.Level;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

/**
 * The daemon thread that drains a {@link RecordBuffer} into a trace file. It writes the header at
 * once, flushes at least every {@link #FLUSH_NANOS} (so a process that dies leaves a readable
 * prefix), and writes the closing record when stopped. If the file cannot be written, it stops and
 * every later record counts as dropped.
 */
final class TraceWriter implements Runnable {

  private static final System.Logger LOG = System.getLogger(AccessRecorder.class.getName());
  private static final long IDLE_PARK_NANOS = TimeUnit.MILLISECONDS.toNanos(2);
  private static final long FLUSH_NANOS = TimeUnit.SECONDS.toNanos(1);

  private final RecordBuffer buffer;
  private final OutputStream out;
  private final Path file;
  private final Thread thread;
  private volatile boolean stopping;
  private volatile boolean failed;
  private long previousTime;
  private long written;

  TraceWriter(RecordBuffer buffer, Path file, long startEpochMillis, double sampleRate, int node)
      throws IOException {
    this.buffer = buffer;
    this.file = file;
    this.out = new BufferedOutputStream(Files.newOutputStream(file), 1 << 16);
    out.write(TraceFormat.MAGIC);
    out.write(TraceFormat.VERSION);
    TraceFormat.writeLong(out, startEpochMillis);
    TraceFormat.writeLong(out, Double.doubleToLongBits(sampleRate));
    TraceFormat.writeLong(out, node);
    out.flush();
    this.thread = new Thread(this, "tiered-cache-access-recorder");
    thread.setDaemon(true);
  }

  void start() {
    thread.start();
  }

  boolean hasFailed() {
    return failed;
  }

  long written() {
    return written;
  }

  @Override
  public void run() {
    long lastFlush = System.nanoTime();
    try {
      while (true) {
        boolean stop = stopping; // read before draining: whatever was offered before it is drained
        int drained = drain();
        long now = System.nanoTime();
        if (now - lastFlush >= FLUSH_NANOS) {
          out.flush();
          lastFlush = now;
        }
        if (stop && drained == 0) {
          return;
        }
        if (drained == 0) {
          LockSupport.parkNanos(this, IDLE_PARK_NANOS);
        }
      }
    } catch (IOException | RuntimeException e) {
      failed = true;
      LOG.log(Level.WARNING, "access recorder stopped writing " + file + "; later records are dropped", e);
    }
  }

  private int drain() throws IOException {
    int count = 0;
    while (buffer.poll()) {
      write(buffer.polledTime, buffer.polledHash, buffer.polledMeta);
      count++;
    }
    return count;
  }

  private void write(long time, long hash, long meta) throws IOException {
    int operation = (int) (meta >>> 36) & 0xF;
    int tier = (int) (meta >>> 32) & 0xF;
    int size = (int) meta;
    out.write(TraceFormat.kind(operation, tier));
    TraceFormat.writeVarLong(out, TraceFormat.zigZag(time - previousTime));
    previousTime = time;
    if (operation != AccessRecorder.Operation.INVALIDATE_ALL.code) {
      TraceFormat.writeLong(out, hash);
    }
    TraceFormat.writeVarLong(out, (long) size + 1); // UNKNOWN_SIZE (-1) is 0
    written++;
  }

  /**
   * Stops the thread after it has drained what was offered so far, then writes the closing record
   * with the counts and closes the file. Waits at most {@code timeoutMillis} for the thread.
   */
  void stop(long dropped, long timeoutMillis) {
    stopping = true;
    LockSupport.unpark(thread);
    try {
      thread.join(timeoutMillis);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    if (thread.isAlive()) {
      LOG.log(Level.WARNING, "access recorder for " + file + " did not finish in time; the file may lack its end");
      return;
    }
    try (out) {
      if (!failed) {
        out.write(TraceFormat.kind(TraceFormat.END, 0));
        TraceFormat.writeVarLong(out, written);
        TraceFormat.writeVarLong(out, dropped);
      }
    } catch (IOException e) {
      LOG.log(Level.WARNING, "access recorder could not close " + file, e);
    }
  }
}
