package io.tieredcache.redis.bus;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.tieredcache.redis.bus.BusMessage.Type;
import io.tieredcache.redis.bus.MessageCodec.MalformedMessageException;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

class MessageCodecTest {

  static final List<String> AWKWARD_KEYS = List.of(
      "",
      "plain",
      "with space",
      "{braces}:and[brackets]",
      "tab\tnew\nline\r\0nul",
      "ünïcødé – 日本語 – Ελληνικά",
      "emoji 😀👍🏽",
      "lone high \uD800 and low \uDC00 surrogates",
      "\uFFFF\uFFFE",
      "x".repeat(5_000),
      "é".repeat(3_000));

  @Test
  void keysRoundTripExactly() {
    BusMessage message = BusMessage.keys("node-1", 42L, 7, 3, "users", AWKWARD_KEYS);
    BusMessage decoded = MessageCodec.decode(MessageCodec.encode(message));
    assertThat(decoded).isEqualTo(message);
    assertThat(decoded.keys()).containsExactlyElementsOf(AWKWARD_KEYS);
  }

  @Test
  void everyTypeRoundTrips() {
    List<BusMessage> messages = List.of(
        BusMessage.all("n", -1L, 1, 0, "c", 0),
        BusMessage.all("n", -1L, 9, 8, "c", Long.MAX_VALUE),
        BusMessage.all("n", -1L, 9, 8, "c", -5),
        BusMessage.control(Type.HEARTBEAT, "n", Long.MIN_VALUE, 0, 0),
        BusMessage.control(Type.HELLO, "n", Long.MAX_VALUE, 12, 12),
        BusMessage.control(Type.BYE, "ünï code", 0, Long.MAX_VALUE, 17));
    for (BusMessage message : messages) {
      assertThat(MessageCodec.decode(MessageCodec.encode(message))).isEqualTo(message);
    }
  }

  @Test
  void originAndCacheNamesMayContainAnything() {
    BusMessage message = BusMessage.keys("host 1/😀", 1, 1, 0, "cache:\uD800{x}", List.of("k"));
    assertThat(MessageCodec.decode(MessageCodec.encode(message))).isEqualTo(message);
  }

  @Test
  void asciiStaysReadableOnTheWire() {
    byte[] payload = MessageCodec.encode(BusMessage.keys("node-1", 0, 1, 0, "users", List.of("user:42")));
    String text = new String(payload, StandardCharsets.ISO_8859_1);
    assertThat(text).startsWith("T\u0002K").contains("node-1").contains("users").contains("user:42");
  }

  @Test
  void maxEncodedSizeIsAnUpperBound() {
    for (String key : AWKWARD_KEYS) {
      byte[] payload = MessageCodec.encode(BusMessage.keys("", 0, 0, 0, "", List.of(key)));
      int overhead = MessageCodec.encode(BusMessage.keys("", 0, 0, 0, "", List.of())).length;
      assertThat((long) payload.length - overhead).isLessThanOrEqualTo(MessageCodec.maxEncodedSize(key));
    }
  }

  @Test
  void rejectsWhatIsNotAMessage() {
    byte[] good = MessageCodec.encode(BusMessage.keys("n", 1, 1, 0, "c", List.of("a", "b")));

    assertThatThrownBy(() -> MessageCodec.decode(new byte[0])).isInstanceOf(MalformedMessageException.class);
    assertThatThrownBy(() -> MessageCodec.decode("hello".getBytes(StandardCharsets.UTF_8)))
        .isInstanceOf(MalformedMessageException.class).hasMessageContaining("magic");

    byte[] newer = good.clone();
    newer[1] = 3;
    assertThatThrownBy(() -> MessageCodec.decode(newer)).hasMessageContaining("version 3");

    byte[] badType = good.clone();
    badType[2] = 'Z';
    assertThatThrownBy(() -> MessageCodec.decode(badType)).hasMessageContaining("type");

    for (int length = 3; length < good.length; length++) {
      byte[] truncated = Arrays.copyOf(good, length);
      assertThatThrownBy(() -> MessageCodec.decode(truncated)).isInstanceOf(MalformedMessageException.class);
    }

    byte[] trailing = Arrays.copyOf(good, good.length + 1);
    assertThatThrownBy(() -> MessageCodec.decode(trailing)).hasMessageContaining("trailing");
  }

  @Test
  void rejectsAbsurdLengthsWithoutAllocating() {
    // magic, version, 'K', origin "" , incarnation 0, sequence 1, lastFailed 0, cache "", key count 2^62
    byte[] payload = {'T', 2, 'K', 0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 0, 0,
        (byte) 0x80, (byte) 0x80, (byte) 0x80, (byte) 0x80, (byte) 0x80, (byte) 0x80, (byte) 0x80,
        (byte) 0x80, 0x40};
    assertThatThrownBy(() -> MessageCodec.decode(payload)).hasMessageContaining("key count");

    byte[] longString = {'T', 2, 'K', (byte) 0xFF, (byte) 0xFF, (byte) 0xFF, 0x7F};
    assertThatThrownBy(() -> MessageCodec.decode(longString)).hasMessageContaining("exceeds");
  }

  @Test
  void rejectsBrokenCharacters() {
    byte[] good = MessageCodec.encode(BusMessage.keys("n", 1, 1, 0, "c", List.of("é")));
    byte[] broken = good.clone();
    broken[broken.length - 1] = 'x'; // second byte of 'é' is no continuation byte any more
    assertThatThrownBy(() -> MessageCodec.decode(broken)).hasMessageContaining("continuation");
  }

  @Test
  void keysOnlyOnKeysMessagesAndEpochsOnlyOnAll() {
    assertThatThrownBy(() -> new BusMessage(Type.ALL, "n", 0, 1, 0, "c", List.of("k"), 0))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> new BusMessage(Type.KEYS, "n", 0, 1, 0, "c", List.of("k"), 7))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> BusMessage.control(Type.KEYS, "n", 0, 1, 0))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> BusMessage.control(Type.HEARTBEAT, "n", 0, 1, 2))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("lastFailed");
  }

  @Test
  void allCarriesTheEpochOnTheWire() {
    BusMessage all = BusMessage.all("n", 1, 4, 2, "users", 0x0102030405060708L);
    byte[] payload = MessageCodec.encode(all);
    byte[] epoch = Arrays.copyOfRange(payload, payload.length - 8, payload.length);
    assertThat(epoch).containsExactly(1, 2, 3, 4, 5, 6, 7, 8);
    assertThat(MessageCodec.decode(payload).epoch()).isEqualTo(0x0102030405060708L);
    assertThat(MessageCodec.decode(payload).lastFailed()).isEqualTo(2);
  }

  @Test
  void aVersionOneMessageIsUnreadable() {
    // what the previous format put on the wire for "all" (no lastFailed, no epoch): a node of the
    // new version must not take it for an "all" at some epoch
    byte[] v1 = {'T', 1, 'A', 1, 'n', 0, 0, 0, 0, 0, 0, 0, 1, 3, 1, 'c', 0};
    assertThatThrownBy(() -> MessageCodec.decode(v1))
        .isInstanceOf(MalformedMessageException.class).hasMessageContaining("version 1");
  }

  @Test
  void decodingRejectsALastFailedAboveTheSequence() {
    byte[] payload = MessageCodec.encode(BusMessage.control(Type.HEARTBEAT, "n", 0, 5, 5));
    byte[] tampered = payload.clone();
    tampered[tampered.length - 2] = 6; // lastFailed, just before the empty cache name
    assertThatThrownBy(() -> MessageCodec.decode(tampered)).isInstanceOf(MalformedMessageException.class);
  }
}
