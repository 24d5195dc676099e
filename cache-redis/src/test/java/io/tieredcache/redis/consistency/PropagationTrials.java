package io.tieredcache.redis.consistency;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.UUID;

/**
 * The cross-process propagation trials, on whatever Redis the seed URIs name: eight nodes in four
 * JVMs (two here, two in each of three child processes); in each trial node 0 here invalidates a
 * fresh key and each of the seven others reports when the key left its L1. Shared by the
 * standalone and the cluster test, which differ only in the Redis they start.
 */
final class PropagationTrials {

  static final int CHILD_PROCESSES = 3;
  static final int NODES_PER_PROCESS = 2;
  static final int TRIALS = Integer.getInteger("tc.propagation.trials", 100);

  /** Delays from the invalidate() call to each receiver's L1 dropping the key, in nanos. */
  final List<Long> delays = new ArrayList<>();
  /** How long the writer's own invalidate() call took, per trial, in nanos. */
  final List<Long> invalidateNanos = new ArrayList<>();
  /** Receivers that never dropped their key. */
  int missing;

  private PropagationTrials() {}

  /** Runs {@link #TRIALS} trials against {@code seeds} (one URI, or several comma-separated). */
  static PropagationTrials run(String seeds, String cacheNamePrefix) throws Exception {
    String cacheName = cacheNamePrefix + UUID.randomUUID();
    String channel = "inv-" + UUID.randomUUID();
    PropagationTrials result = new PropagationTrials();
    List<NodeProcess.Handle> children = new ArrayList<>();
    try (WatchingNodes here = new WatchingNodes(seeds, cacheName, channel, NODES_PER_PROCESS)) {
      for (int i = 0; i < CHILD_PROCESSES; i++) {
        children.add(new NodeProcess.Handle(WatchingNodes.class, seeds, cacheName, channel,
            Integer.toString(NODES_PER_PROCESS)));
      }
      for (NodeProcess.Handle child : children) {
        assertThat(child.readLine()).isEqualTo("ready");
      }
      for (int trial = 0; trial < TRIALS; trial++) {
        String key = "k" + trial;
        long version = trial + 1;
        for (NodeProcess.Handle child : children) {
          child.tell("arm " + key + " " + version);
        }
        for (NodeProcess.Handle child : children) {
          assertThat(child.readLine()).isEqualTo("armed");
        }
        here.arm(key, version);
        long started = System.nanoTime();
        here.caches.get(0).invalidate(key); // the writer: node 0 of this JVM
        result.invalidateNanos.add(System.nanoTime() - started);
        long[] local = here.report();
        for (int n = 1; n < local.length; n++) {
          result.record(local[n], started);
        }
        for (NodeProcess.Handle child : children) {
          child.tell("report");
        }
        for (NodeProcess.Handle child : children) {
          String[] words = child.readLine().split(" ");
          for (int n = 1; n < words.length; n++) {
            result.record(Long.parseLong(words[n]), started);
          }
        }
      }
    } finally {
      for (NodeProcess.Handle child : children) {
        child.close();
      }
    }
    return result;
  }

  private void record(long goneAt, long started) {
    if (goneAt < 0) {
      missing++;
    } else {
      delays.add(Math.max(0, goneAt - started));
    }
  }

  /** p50, p99 and max of the delays, in milliseconds, for a log line. */
  String summary() {
    return String.format(Locale.ROOT, "%d trials x 7 receivers: p50 %.2f ms, p99 %.2f ms, max %.2f ms, not received %d",
        TRIALS, millisAt(delays, 50), millisAt(delays, 99), millisAt(delays, 100), missing);
  }

  /** Every receiver dropped its key, none later than {@link Cluster#STALENESS_BOUND}. */
  void assertAllWithinTheBound() {
    assertThat(missing).isZero();
    long[] sorted = sorted(delays);
    assertThat(sorted[sorted.length - 1]).isLessThanOrEqualTo(Cluster.STALENESS_BOUND.toNanos());
  }

  /** The {@code percent}th percentile of {@code nanos} (100: the maximum), in milliseconds. */
  static double millisAt(List<Long> nanos, int percent) {
    long[] sorted = sorted(nanos);
    return sorted[Math.min(sorted.length - 1, sorted.length * percent / 100)] / 1e6;
  }

  private static long[] sorted(List<Long> values) {
    return values.stream().mapToLong(Long::longValue).sorted().toArray();
  }
}
