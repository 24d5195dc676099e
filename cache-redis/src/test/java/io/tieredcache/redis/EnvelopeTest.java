package io.tieredcache.redis;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.tieredcache.spi.RemoteEntry;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;
import tools.jackson.core.type.TypeReference;

class EnvelopeTest {

  record Item(String name, int quantity) {}

  private final Envelope<Item> items = new Envelope<>(JacksonValueCodec.of(Item.class), 0, 1 << 20);

  @Test
  void valueRoundTripKeepsTheTimestamps() throws Exception {
    var entry = RemoteEntry.value(new Item("tea", 3), 60_000, 1_700_000_000_123L, 1_700_000_060_000L, 42_000);
    byte[] bytes = items.encode(entry);
    assertThat(bytes[0]).isEqualTo((byte) 0xE7);
    assertThat(bytes[1]).isEqualTo((byte) 0x1C);
    assertThat(bytes[2]).isEqualTo((byte) 1);
    assertThat(bytes[3]).isZero();
    assertThat(new String(bytes, Envelope.HEADER_BYTES, bytes.length - Envelope.HEADER_BYTES, UTF_8))
        .isEqualTo("{\"name\":\"tea\",\"quantity\":3}");
    RemoteEntry<Item> read = items.decode(bytes);
    assertThat(read).isEqualTo(RemoteEntry.value(new Item("tea", 3), 0, 1_700_000_000_123L, 1_700_000_060_000L, 42_000));
  }

  @Test
  void absentMarkerIsTheHeaderAlone() throws Exception {
    byte[] bytes = items.encode(RemoteEntry.absent(5_000, 1234));
    assertThat(bytes).hasSize(Envelope.HEADER_BYTES);
    assertThat(bytes[3]).isEqualTo((byte) Envelope.FLAG_ABSENT);
    assertThat(items.decode(bytes)).isEqualTo(RemoteEntry.absent(0, 1234));
  }

  @Test
  void compressesAboveTheThresholdOnlyWhenItHelps() throws Exception {
    var compressing = new Envelope<>(JacksonValueCodec.of(String.class), 100, 1 << 20);
    String text = "tiered cache ".repeat(1_000);
    byte[] bytes = compressing.encode(RemoteEntry.value(text, 1, 1, 0, 0));
    assertThat(bytes[3]).isEqualTo((byte) Envelope.FLAG_DEFLATED);
    assertThat(bytes.length).isLessThan(text.length() / 10);
    assertThat(compressing.decode(bytes).value()).isEqualTo(text);

    byte[] small = compressing.encode(RemoteEntry.value("short", 1, 1, 0, 0));
    assertThat(small[3]).isZero();
    // Random-looking data does not shrink: stored plain.
    var random = new java.util.Random(7);
    var noise = new StringBuilder();
    for (int i = 0; i < 500; i++) {
      noise.append((char) ('!' + random.nextInt(90)));
    }
    byte[] plain = compressing.encode(RemoteEntry.value(noise.toString(), 1, 1, 0, 0));
    assertThat(compressing.decode(plain).value()).isEqualTo(noise.toString());
  }

  @Test
  void refusesWhatItDoesNotUnderstand() throws Exception {
    byte[] good = items.encode(RemoteEntry.value(new Item("x", 1), 1, 1, 0, 0));
    List<byte[]> bad = List.of(
        new byte[0],
        "hello world, this is not an envelope".getBytes(UTF_8),
        Arrays.copyOf(good, 10),
        withByte(good, 2, (byte) 2),            // a future format version
        withByte(good, 3, (byte) 0x80),         // an unknown flag
        withByte(good, 3, (byte) 3),            // absent and deflated
        withByte(good, Envelope.HEADER_BYTES, (byte) '['),                 // not an Item
        withByte(good, 3, (byte) Envelope.FLAG_DEFLATED),                  // claims deflate, is not
        withByte(Arrays.copyOf(good, Envelope.HEADER_BYTES + 1), 3, (byte) Envelope.FLAG_ABSENT));
    for (byte[] bytes : bad) {
      assertThatThrownBy(() -> items.decode(bytes)).isInstanceOf(Envelope.DecodeException.class);
    }
  }

  @Test
  void refusesADeflateBomb() throws Exception {
    var small = new Envelope<>(JacksonValueCodec.of(String.class), 10, 1024);
    byte[] bytes = small.encode(RemoteEntry.value("a".repeat(2_000), 1, 1, 0, 0));
    // Claim an inflated size far past the limit.
    java.nio.ByteBuffer.wrap(bytes).putInt(Envelope.HEADER_BYTES, Integer.MAX_VALUE - 100);
    assertThatThrownBy(() -> small.decode(bytes)).isInstanceOf(Envelope.DecodeException.class)
        .hasMessageContaining("over the limit");
  }

  @Test
  void genericTypesAndEncodeFailures() throws Exception {
    var lists = new Envelope<>(JacksonValueCodec.of(new TypeReference<List<Item>>() {}), 0, 1 << 20);
    var value = List.of(new Item("a", 1), new Item("b", 2));
    assertThat(lists.decode(lists.encode(RemoteEntry.value(value, 1, 1, 0, 0))).value())
        .isEqualTo(value).first().isInstanceOf(Item.class);

    var failing = new Envelope<>(new ValueCodec<String>() {
      @Override
      public byte[] encode(String v) {
        throw new IllegalStateException("cannot");
      }

      @Override
      public String decode(byte[] bytes) {
        return "";
      }
    }, 0, 1 << 20);
    assertThatThrownBy(() -> failing.encode(RemoteEntry.value("x", 1, 1, 0, 0)))
        .isInstanceOf(Envelope.EncodeException.class).hasRootCauseMessage("cannot");
    assertThatThrownBy(() -> failing.encode(RemoteEntry.miss())).isInstanceOf(Envelope.EncodeException.class);
  }

  private static byte[] withByte(byte[] bytes, int at, byte value) {
    byte[] copy = bytes.clone();
    copy[at] = value;
    return copy;
  }
}
