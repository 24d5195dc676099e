package io.tieredcache.sizer;

import io.tieredcache.trace.AccessRecorder;
import java.util.Locale;

/** Which node serves each record of a trace. */
public enum Routing {
  /** A load balancer's random choice, per request (seeded by the record's position). */
  RANDOM,
  /** The trace's node column, modulo the node count. */
  TRACE,
  /** Sticky by key: one node serves each key. */
  KEY;

  public static Routing parse(String name) {
    try {
      return valueOf(name.trim().toUpperCase(Locale.ROOT));
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException("unknown routing '" + name + "': use random, trace or key");
    }
  }

  /** The node of record {@code i}; the same whatever the sampling, so exact and sampled runs agree. */
  int node(Trace trace, int i, int nodes, long seed) {
    if (nodes == 1) {
      return 0;
    }
    return switch (this) {
      case RANDOM -> (int) Long.remainderUnsigned(AccessRecorder.mix(i ^ seed), nodes);
      case TRACE -> Math.floorMod(trace.node(i), nodes);
      case KEY -> (int) Long.remainderUnsigned(AccessRecorder.mix(trace.key(i) ^ 0x2545_F491_4F6C_DD1DL), nodes);
    };
  }
}
