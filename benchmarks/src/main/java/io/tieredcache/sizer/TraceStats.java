package io.tieredcache.sizer;

/**
 * What the sizer needs to know about a trace before replaying it.
 *
 * @param reads reads (gets) in the trace
 * @param writes writes and invalidations
 * @param distinctKeys distinct keys in the trace (a share {@code sampleRate} of the real ones)
 * @param footprint distinct keys of the real traffic: {@code distinctKeys / sampleRate}
 * @param meanValueBytes mean recorded value size, or NaN if the trace records none
 * @param durationSeconds from the first record to the last
 */
record TraceStats(long reads, long writes, long distinctKeys, long footprint, double meanValueBytes,
    double durationSeconds, double sampleRate) {

  static TraceStats of(Trace trace) {
    KeyIndex keys = new KeyIndex(1 << 16);
    long reads = 0;
    long writes = 0;
    long sized = 0;
    double sizeSum = 0;
    for (int i = 0; i < trace.length(); i++) {
      byte op = trace.op(i);
      if (op == Trace.INVALIDATE_ALL) {
        writes++;
        continue;
      }
      keys.idOf(trace.key(i));
      if (op == Trace.GET) {
        reads++;
      } else {
        writes++;
      }
      int size = trace.size(i);
      if (size >= 0) {
        sized++;
        sizeSum += size;
      }
    }
    double rate = trace.sampleRate();
    return new TraceStats(reads, writes, keys.size(), Math.round(keys.size() / rate),
        sized == 0 ? Double.NaN : sizeSum / sized, trace.durationNanos() / 1e9, rate);
  }

  /** Real reads a second (scaled up by the sample rate); 0 if the trace has no duration. */
  double readsPerSecond() {
    return durationSeconds <= 0 ? 0 : reads / sampleRate / durationSeconds;
  }
}
