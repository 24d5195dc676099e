package io.tieredcache.redis.bus;

import java.util.concurrent.atomic.LongAdder;

/** The live counters behind {@link BusStats}, incremented wherever an event is detected. */
final class BusCounters {

  final LongAdder sent = new LongAdder();
  final LongAdder received = new LongAdder();
  final LongAdder publishFailures = new LongAdder();
  final LongAdder gaps = new LongAdder();
  final LongAdder missedWhileDeaf = new LongAdder();
  final LongAdder deafSpells = new LongAdder();
  final LongAdder disconnects = new LongAdder();
  final LongAdder silences = new LongAdder();
  final LongAdder silentNodes = new LongAdder();
  final LongAdder trims = new LongAdder();
  final LongAdder unreadable = new LongAdder();
  final LongAdder reconnects = new LongAdder();

  BusStats snapshot() {
    return new BusStats(sent.sum(), received.sum(), publishFailures.sum(), gaps.sum(),
        missedWhileDeaf.sum(), deafSpells.sum(), disconnects.sum(), silences.sum(),
        silentNodes.sum(), trims.sum(), unreadable.sum(), reconnects.sum());
  }
}
