package io.tieredcache.redis.bus;

/**
 * What a Redis invalidation bus has done and detected since it started: an immutable snapshot
 * from {@link RedisInvalidationBus#stats()}. Every detection counter counts one event that made
 * the bus tell its listeners to flush (with the reason named after the counter), except {@code
 * disconnects} on the streams transport, which resumes without a flush when it can.
 *
 * @param messagesSent invalidation messages (keys or "all") this node published successfully;
 *     heartbeats and other control messages are not counted
 * @param messagesReceived invalidation messages from other nodes applied to this node's listeners
 * @param publishFailures invalidation messages that Redis did not accept (their futures failed);
 *     receivers notice them as gaps
 * @param gaps times another node's sequence numbers jumped: messages were lost ({@code "gap"})
 * @param disconnects times the receiving connection was lost ({@code "disconnect"} for pub/sub;
 *     the streams transport resumes without a flush when it can)
 * @param silences times nothing was heard for the timeout, from Redis or from a known node
 *     ({@code "silence"}); repeats every timeout while it lasts
 * @param trims times the streams transport could not prove it read every entry since its last one,
 *     because they were trimmed or the stream was gone ({@code "trimmed"})
 * @param unreadable payloads on the channel or stream that were not bus messages of a known
 *     version ({@code "unreadable"})
 */
public record BusStats(
    long messagesSent,
    long messagesReceived,
    long publishFailures,
    long gaps,
    long disconnects,
    long silences,
    long trims,
    long unreadable) {}
