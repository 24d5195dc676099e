package io.tieredcache.redis.bus;

/**
 * What a Redis invalidation bus has done and detected since it started: an immutable snapshot
 * from {@link RedisInvalidationBus#stats()}.
 *
 * @param messagesSent invalidation messages (keys or "all") this node published successfully;
 *     heartbeats and other control messages are not counted
 * @param messagesReceived invalidation messages from other nodes applied to this node's listeners
 * @param publishFailures invalidation messages that Redis did not accept, or not in time (their
 *     futures failed); receivers notice them as gaps
 * @param gaps times another node's numbers were skipped and some of the skipped ones may never
 *     have reached Redis: listeners were told {@code onMessagesLost("gap")}
 * @param missedWhileDeaf times another node's numbers were skipped, all of them published while
 *     this node was deaf: already covered by {@code onDeaf}, so listeners were not told again
 * @param deafSpells times listeners were told {@code onDeaf}: once per outage, whatever its length
 * @param disconnects times the receiving connection (subscription or stream reader) dropped
 * @param silences times this node heard nothing for the timeout (one per outage; a disconnect that
 *     came first is not counted again)
 * @param silentNodes times another node, heard before, fell silent while this node heard others:
 *     listeners were told {@code onMessagesLost("silence")}
 * @param trims times the streams transport could not prove it read every entry since its last
 *     one, because they were trimmed or the stream was gone ({@code onMessagesLost("trimmed")})
 * @param unreadable payloads on the channel or stream that were not bus messages of this format
 *     version ({@code onMessagesLost("unreadable")})
 * @param reconnects connections of the bus replaced by fresh ones after a drop or a stall
 */
public record BusStats(
    long messagesSent,
    long messagesReceived,
    long publishFailures,
    long gaps,
    long missedWhileDeaf,
    long deafSpells,
    long disconnects,
    long silences,
    long silentNodes,
    long trims,
    long unreadable,
    long reconnects) {}
