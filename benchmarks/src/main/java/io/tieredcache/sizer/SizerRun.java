package io.tieredcache.sizer;

import java.io.PrintStream;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

/**
 * Plans and runs the replays of one grid: one {@link Replay} per L1 size (each gives every L2
 * size), in parallel, exact or sampled, and turns their counts into {@link CurvePoint}s.
 *
 * <p>Sampling plan for a trace longer than {@code --exact-limit}: the L1 replay of size {@code S}
 * samples keys at {@code r1 = clamp(minSampledEntries / S, sampleRate, 1)}, so a miniature
 * W-TinyLFU cache is never smaller than {@code minSampledEntries} unless the base rate forces it;
 * the L2 at {@code r2 = min(r1, clamp(minSampledEntries / smallest L2 size, sampleRate, 1))}.
 */
final class SizerRun {

  /** The grid's points and how they were computed. */
  record Outcome(long[] l1Sizes, long[] l2Sizes, List<Replay.Result> replays, List<CurvePoint> points,
      boolean exact, double seconds) {}

  private SizerRun() {}

  /** The default L1 grid: 20 sizes from a thousandth to half of the footprint. */
  static long[] defaultL1Sizes(long footprint) {
    return toArray(SizerOptions.logSpaced(Math.max(10, footprint / 1000), Math.max(20, footprint / 2), 20));
  }

  /** The default L2 grid: 10 sizes from a hundredth of the footprint to all of it. */
  static long[] defaultL2Sizes(long footprint) {
    return toArray(SizerOptions.logSpaced(Math.max(10, footprint / 100), Math.max(20, footprint), 10));
  }

  static Outcome run(Trace trace, SizerOptions o, long[] l1Sizes, long[] l2Sizes, CostModel cost, boolean exact,
      PrintStream progressOut) throws InterruptedException {
    long started = System.nanoTime();
    Routing routing = o.routing != null ? o.routing : trace.hasNodes() ? Routing.TRACE : Routing.RANDOM;
    if (routing == Routing.TRACE && !trace.hasNodes()) {
      routing = Routing.RANDOM;
    }
    Replay replay = new Replay(new Replay.Setup(trace, o.nodes, routing, o.routingSeed, o.l1TtlNanos, o.l2TtlNanos,
        l2Sizes));
    double r0 = trace.sampleRate();
    double l2Cap = exact ? 1 : clamp(o.minSampledEntries / (l2Sizes[0] * r0), o.sampleRate);
    record Task(int index, long l1Entries, double l1Rate, double l2Rate) {}
    List<Task> tasks = new ArrayList<>();
    for (int i = 0; i < l1Sizes.length; i++) {
      double r1 = exact ? 1 : l1Sizes[i] == 0 ? o.sampleRate : clamp(o.minSampledEntries / (l1Sizes[i] * r0), o.sampleRate);
      tasks.add(new Task(i, l1Sizes[i], r1, Math.min(r1, l2Cap)));
    }
    tasks.sort(Comparator.comparingDouble(Task::l1Rate).reversed());
    Replay.Result[] results = new Replay.Result[l1Sizes.length];
    String label = exact ? "exact replay  " : "sampled replay";
    ExecutorService pool = Executors.newFixedThreadPool(Math.min(o.threads, tasks.size()), runnable -> {
      Thread thread = new Thread(runnable, "tier-sizer-replay");
      thread.setDaemon(true);
      return thread;
    });
    double work = 0;
    for (Task task : tasks) {
      work += trace.length() * Replay.workPerRecord(task.l1Rate());
    }
    try (ProgressBar bar = new ProgressBar(label, work, progressOut)) {
      List<Future<Replay.Result>> futures = new ArrayList<>();
      for (Task task : tasks) {
        futures.add(pool.submit(() -> replay.run(task.l1Entries(), task.l1Rate(), task.l2Rate(), bar.counter())));
      }
      for (int k = 0; k < tasks.size(); k++) {
        results[tasks.get(k).index()] = futures.get(k).get();
      }
    } catch (ExecutionException e) {
      throw new IllegalStateException("a replay failed", e.getCause());
    } finally {
      pool.shutdownNow();
    }
    List<CurvePoint> points = new ArrayList<>();
    for (int i = 0; i < l1Sizes.length; i++) {
      for (int j = 0; j < l2Sizes.length; j++) {
        points.add(CurvePoint.of(l1Sizes[i], l2Sizes[j], results[i].l1HitRatio(), results[i].l2LocalHitRatio(j), cost));
      }
    }
    return new Outcome(l1Sizes, l2Sizes, List.of(results), points, exact, (System.nanoTime() - started) / 1e9);
  }

  private static double clamp(double wanted, double floor) {
    return Math.max(floor, Math.min(1, wanted));
  }

  private static long[] toArray(List<Long> sizes) {
    return sizes.stream().mapToLong(Long::longValue).toArray();
  }
}
