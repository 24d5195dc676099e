package io.tieredcache.redis.bus;

import io.tieredcache.spi.InvalidationListener;
import java.util.Collection;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.LinkedBlockingQueue;

/**
 * Records everything a bus tells one listener, in order: the keys, and every other event as a
 * short text ({@code "all:7"}, {@code "lost:gap"}, {@code "deaf:disconnect"}, {@code
 * "hearing:false"}) with the {@code sinceNanos} of each {@code onDeaf}.
 */
final class RecordingListener implements InvalidationListener {

  final List<String> keys = new CopyOnWriteArrayList<>();
  final BlockingQueue<Long> keyArrivals = new LinkedBlockingQueue<>();
  /** Every event but keys, in order. */
  final List<String> notices = new CopyOnWriteArrayList<>();
  /** The {@code sinceNanos} of every {@code onDeaf}, in order. */
  final List<Long> deafSince = new CopyOnWriteArrayList<>();
  /** When each {@code onDeaf} and {@code onHearing} arrived ({@link System#nanoTime()}). */
  final List<Long> healthArrivals = new CopyOnWriteArrayList<>();

  @Override
  public void onKeys(Collection<String> encodedKeys) {
    keyArrivals.add(System.nanoTime());
    keys.addAll(encodedKeys);
  }

  @Override
  public void onAll(long epoch) {
    notices.add("all:" + epoch);
  }

  @Override
  public void onMessagesLost(String reason) {
    notices.add("lost:" + reason);
  }

  @Override
  public void onDeaf(String reason, long sinceNanos) {
    healthArrivals.add(System.nanoTime());
    deafSince.add(sinceNanos);
    notices.add("deaf:" + reason);
  }

  @Override
  public void onHearing(boolean missedNothing) {
    healthArrivals.add(System.nanoTime());
    notices.add("hearing:" + missedNothing);
  }

  /** The notices that start with {@code prefix}, e.g. {@code "deaf:"}. */
  List<String> noticesStartingWith(String prefix) {
    return notices.stream().filter(n -> n.startsWith(prefix)).toList();
  }

  /** Whether the notices so far, in order, are exactly {@code expected}. */
  boolean noticed(String... expected) {
    return notices.equals(List.of(expected));
  }
}
