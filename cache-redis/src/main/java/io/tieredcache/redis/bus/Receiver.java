package io.tieredcache.redis.bus;

import io.tieredcache.redis.bus.MessageCodec.MalformedMessageException;
import io.tieredcache.redis.bus.SequenceTracker.Verdict;
import java.lang.System.Logger.Level;
import java.util.concurrent.TimeUnit;

/**
 * What a node does with what it hears, and what it tells its listeners about its own hearing. Runs
 * on the bus's dispatch thread only, so that listeners get every event in the order it happened:
 * decoding payloads, dropping the node's own messages, comparing sequence numbers, delivering keys
 * and "all", and turning the transport's reports into {@code onDeaf} (once per outage), {@code
 * onHearing} (once after it, saying whether anything was lost meanwhile) and {@code
 * onMessagesLost}.
 */
final class Receiver {

  private static final System.Logger LOG = System.getLogger(Receiver.class.getName());

  private final String nodeId;
  private final long incarnation;
  private final String kind;
  private final ListenerRegistry listeners;
  private final BusCounters counters;
  private final SequenceTracker tracker = new SequenceTracker();

  private boolean deaf;
  private String deafReason;
  private long deafSinceNanos;
  private boolean lostWhileDeaf;
  /** How many times this node has been deaf; the tracker uses it to explain skipped numbers. */
  private long deafSpells;
  private boolean sameIdWarned;

  Receiver(String nodeId, long incarnation, String kind, ListenerRegistry listeners,
      BusCounters counters) {
    this.nodeId = nodeId;
    this.incarnation = incarnation;
    this.kind = kind;
    this.listeners = listeners;
    this.counters = counters;
  }

  /** A payload arrived from the transport. */
  void payload(byte[] payload, long nowNanos) {
    BusMessage message;
    try {
      message = MessageCodec.decode(payload);
    } catch (MalformedMessageException e) {
      counters.unreadable.increment();
      LOG.log(Level.WARNING, "{0} bus {1}: unreadable message ({2}); messages may have been lost",
          kind, nodeId, e.getMessage());
      lost("unreadable");
      return;
    }
    if (message.origin().equals(nodeId)) {
      if (message.incarnation() == incarnation) {
        return;
      }
      if (!sameIdWarned) {
        sameIdWarned = true;
        LOG.log(Level.WARNING, "{0} bus {1}: another bus uses the same node id; ids must be unique",
            kind, nodeId);
      }
    }
    apply(message, nowNanos);
  }

  private void apply(BusMessage message, long nowNanos) {
    String origin = message.origin();
    Verdict verdict = message.type().numbered
        ? tracker.numbered(origin, message.incarnation(), message.sequence(), message.lastFailed(),
            deafSpells, nowNanos)
        : tracker.latest(origin, message.incarnation(), message.sequence(), message.lastFailed(),
            deafSpells, nowNanos);
    if (verdict == Verdict.GAP) {
      counters.gaps.increment();
      LOG.log(Level.DEBUG, "{0} bus {1}: messages from {2} before number {3} may have been lost",
          kind, nodeId, origin, message.sequence());
      lost("gap");
    } else if (verdict == Verdict.MISSED_WHILE_DEAF) {
      counters.missedWhileDeaf.increment();
    }
    switch (message.type()) {
      case KEYS -> {
        counters.received.increment();
        listeners.keys(message.cache(), message.keys());
      }
      case ALL -> {
        counters.received.increment();
        listeners.all(message.cache(), message.epoch());
      }
      case BYE -> tracker.forget(origin);
      case HEARTBEAT, HELLO -> { }
    }
  }

  /** The transport cannot hear since {@code sinceNanos}; ignored while already deaf. */
  void deaf(String reason, long sinceNanos) {
    if (deaf) {
      return;
    }
    deaf = true;
    deafReason = reason;
    deafSinceNanos = sinceNanos;
    lostWhileDeaf = false;
    deafSpells++;
    counters.deafSpells.increment();
    LOG.log(Level.WARNING, "{0} bus {1}: cannot hear invalidations ({2}); whatever was published"
        + " since {3} ms ago may be missed", kind, nodeId, reason,
        TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - sinceNanos));
    listeners.deaf(reason, sinceNanos);
  }

  /** The transport hears again; ignored unless deaf. */
  void hearing(boolean missedNothing) {
    if (!deaf) {
      return;
    }
    deaf = false;
    boolean clean = missedNothing && !lostWhileDeaf;
    LOG.log(Level.INFO, "{0} bus {1}: hearing invalidations again ({2})", kind, nodeId,
        clean ? "nothing was missed" : "some may have been missed");
    listeners.hearing(clean);
  }

  /** Messages may have been lost; every listener hears it at once. */
  void lost(String reason) {
    if (deaf) {
      lostWhileDeaf = true;
    }
    listeners.lost(reason);
  }

  /** A listener just subscribed: if the bus is deaf, it must know as well. */
  void subscribed(ListenerRegistry.Registration registration) {
    if (deaf) {
      registration.deaf(deafReason, deafSinceNanos);
    }
  }

  /** While this node hears, reports once every other node not heard for the timeout. */
  void checkOrigins(long nowNanos, long timeoutNanos, long aliveSinceNanos, long expiryNanos) {
    if (deaf) {
      return;
    }
    int silent = tracker.markSilent(nowNanos, timeoutNanos, aliveSinceNanos, expiryNanos);
    for (int i = 0; i < silent; i++) {
      counters.silentNodes.increment();
      LOG.log(Level.DEBUG, "{0} bus {1}: another node fell silent; its publishes may be failing",
          kind, nodeId);
      lost("silence");
    }
  }

  void expireOrigins(long nowNanos, long expiryNanos) {
    tracker.expire(nowNanos, expiryNanos);
  }

  /** The last number seen from {@code origin}, or -1 if unknown. For tests. */
  long lastSeen(String origin) {
    return tracker.last(origin);
  }
}
