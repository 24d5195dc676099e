package io.tieredcache.sizer;

import java.io.PrintStream;
import java.util.Locale;
import java.util.concurrent.atomic.LongAdder;

/**
 * A progress bar on the console for long replays: redrawn in place a few times a second on a
 * daemon thread, shown only once the work has taken more than a second.
 */
final class ProgressBar implements AutoCloseable {

  private static final int WIDTH = 40;

  private final LongAdder done = new LongAdder();
  private final double total;
  private final PrintStream out;
  private final String label;
  private final long started = System.nanoTime();
  private final Thread thread;
  private volatile boolean stopped;
  private boolean drawn;

  ProgressBar(String label, double total, PrintStream out) {
    this.label = label;
    this.total = Math.max(1, total);
    this.out = out;
    this.thread = new Thread(this::loop, "tier-sizer-progress");
    thread.setDaemon(true);
    if (out != null) {
      thread.start();
    }
  }

  /** The counter the work adds to. */
  LongAdder counter() {
    return done;
  }

  private void loop() {
    while (!stopped) {
      try {
        Thread.sleep(250);
      } catch (InterruptedException e) {
        return;
      }
      if (!stopped && System.nanoTime() - started > 1_000_000_000L) {
        draw();
      }
    }
  }

  private synchronized void draw() {
    double share = Math.min(1, done.sum() / total);
    int filled = (int) Math.round(share * WIDTH);
    double seconds = (System.nanoTime() - started) / 1e9;
    out.printf(Locale.ROOT, "\r%s [%s%s] %3.0f%% %6.1fs", label, "#".repeat(filled), " ".repeat(WIDTH - filled),
        share * 100, seconds);
    out.flush();
    drawn = true;
  }

  @Override
  public void close() {
    stopped = true;
    thread.interrupt();
    try {
      thread.join(1000);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    synchronized (this) {
      if (drawn) {
        done.add((long) total);
        draw();
        out.println();
      }
    }
  }
}
