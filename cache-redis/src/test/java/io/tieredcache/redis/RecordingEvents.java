package io.tieredcache.redis;

import io.tieredcache.spi.RemoteErrorKind;
import io.tieredcache.spi.TierEvents;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;

/** Counts what a tier reports. */
final class RecordingEvents implements TierEvents {

  record Event(RemoteErrorKind kind, Throwable cause) {}

  private final ConcurrentLinkedQueue<Event> events = new ConcurrentLinkedQueue<>();

  @Override
  public void remoteError(RemoteErrorKind kind, Throwable cause) {
    events.add(new Event(kind, cause));
  }

  private final java.util.concurrent.atomic.AtomicInteger epochMoves = new java.util.concurrent.atomic.AtomicInteger();

  @Override
  public void epochMoved() {
    epochMoves.incrementAndGet();
  }

  int epochMoves() {
    return epochMoves.get();
  }

  long count(RemoteErrorKind kind) {
    return events.stream().filter(event -> event.kind() == kind).count();
  }

  long total() {
    return events.size();
  }

  List<Event> all() {
    return List.copyOf(events);
  }

  void clear() {
    events.clear();
  }

  @Override
  public String toString() {
    return events.toString();
  }
}
