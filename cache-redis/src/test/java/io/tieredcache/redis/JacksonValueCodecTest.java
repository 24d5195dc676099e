package io.tieredcache.redis;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import tools.jackson.core.type.TypeReference;
import tools.jackson.databind.DefaultTyping;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.jsontype.BasicPolymorphicTypeValidator;

class JacksonValueCodecTest {

  record Order(long id, List<String> lines, Instant at) {}

  @Test
  void roundTripsRecordsGenericsAndTime() {
    var codec = JacksonValueCodec.of(new TypeReference<Map<String, Order>>() {});
    var value = Map.of("a", new Order(1, List.of("x", "y"), Instant.parse("2025-01-02T03:04:05Z")));
    assertThat(codec.decode(codec.encode(value))).isEqualTo(value);
    byte[] padded = ("##" + new String(codec.encode(value), UTF_8) + "##").getBytes(UTF_8);
    assertThat(codec.decode(padded, 2, padded.length - 4)).isEqualTo(value);
  }

  @Test
  void toleratesPropertiesFromANewerWriter() {
    var codec = JacksonValueCodec.of(Order.class);
    Order read = codec.decode("{\"id\":7,\"lines\":[],\"at\":null,\"addedLater\":true}".getBytes(UTF_8));
    assertThat(read.id()).isEqualTo(7);
  }

  @Test
  void neverReadsClassNamesFromTheData() {
    var codec = JacksonValueCodec.of(Object.class);
    Object read = codec.decode("[\"java.util.concurrent.atomic.AtomicLong\",5]".getBytes(UTF_8));
    assertThat(read).isInstanceOf(List.class);
  }

  @Test
  void refusesAMapperWithDefaultTyping() {
    JsonMapper unsafe = JsonMapper.builder()
        .activateDefaultTyping(BasicPolymorphicTypeValidator.builder().allowIfBaseType(Object.class).build(),
            DefaultTyping.NON_FINAL)
        .build();
    assertThatThrownBy(() -> JacksonValueCodec.of(unsafe, Object.class))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("default typing");
    assertThat(JacksonValueCodec.of(JsonMapper.builder().build(), Order.class).type().getRawClass()).isEqualTo(Order.class);
  }
}
