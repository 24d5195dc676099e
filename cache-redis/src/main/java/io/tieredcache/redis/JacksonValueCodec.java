package io.tieredcache.redis;

import java.util.Objects;
import tools.jackson.core.type.TypeReference;
import tools.jackson.databind.DeserializationFeature;
import tools.jackson.databind.JavaType;
import tools.jackson.databind.ObjectReader;
import tools.jackson.databind.ObjectWriter;
import tools.jackson.databind.json.JsonMapper;

/**
 * A {@link ValueCodec} that stores values as JSON with Jackson 3, bound to one type fixed when the
 * codec is made ({@link Class}, {@link TypeReference} or {@link JavaType}): a stored value can only
 * ever become that type.
 *
 * <p><b>Security.</b> This codec never enables polymorphic default typing, and it refuses a
 * {@link JsonMapper} that has it for the bound type: with default typing, anyone who can write to
 * the Redis could make every reader instantiate classes of their choosing (deserialization
 * gadgets). For a polymorphic value type, annotate your own base type with {@code @JsonTypeInfo}
 * and {@code @JsonSubTypes} instead.
 *
 * <p>The default mapper ignores unknown properties, so nodes running an older version of a value
 * class can still read what newer nodes wrote during a rolling upgrade.
 *
 * @param <V> value type
 */
public final class JacksonValueCodec<V> implements ValueCodec<V> {

  private final JavaType type;
  private final ObjectReader reader;
  private final ObjectWriter writer;

  private JacksonValueCodec(JsonMapper mapper, JavaType type) {
    Objects.requireNonNull(mapper, "mapper");
    this.type = Objects.requireNonNull(type, "type");
    if (mapper.deserializationConfig().getDefaultTyper(type) != null) {
      throw new IllegalArgumentException("the JsonMapper enables polymorphic default typing for " + type
          + ": refused, because it lets whoever writes to Redis choose the classes every reader instantiates."
          + " Use @JsonTypeInfo on your own base type instead.");
    }
    this.reader = mapper.readerFor(type);
    this.writer = mapper.writerFor(type);
  }

  /** A codec for {@code type} with the default mapper. */
  public static <V> JacksonValueCodec<V> of(Class<V> type) {
    return of(DefaultMapper.INSTANCE, type);
  }

  /** A codec for a generic type, e.g. {@code new TypeReference<List<User>>() {}}, with the default mapper. */
  public static <V> JacksonValueCodec<V> of(TypeReference<V> type) {
    return of(DefaultMapper.INSTANCE, type);
  }

  /** A codec for {@code type} with the default mapper; the caller vouches that {@code V} matches it. */
  public static <V> JacksonValueCodec<V> of(JavaType type) {
    return of(DefaultMapper.INSTANCE, type);
  }

  /** A codec for {@code type} with your mapper (modules, naming, features). */
  public static <V> JacksonValueCodec<V> of(JsonMapper mapper, Class<V> type) {
    Objects.requireNonNull(type, "type");
    return new JacksonValueCodec<>(mapper, Objects.requireNonNull(mapper, "mapper").constructType(type));
  }

  /** A codec for a generic type with your mapper. */
  public static <V> JacksonValueCodec<V> of(JsonMapper mapper, TypeReference<V> type) {
    Objects.requireNonNull(type, "type");
    return new JacksonValueCodec<>(mapper, Objects.requireNonNull(mapper, "mapper").constructType(type));
  }

  /** A codec for {@code type} with your mapper; the caller vouches that {@code V} matches it. */
  public static <V> JacksonValueCodec<V> of(JsonMapper mapper, JavaType type) {
    return new JacksonValueCodec<>(mapper, type);
  }

  /** The type every stored value is read as. */
  public JavaType type() {
    return type;
  }

  @Override
  public byte[] encode(V value) {
    return writer.writeValueAsBytes(value);
  }

  @Override
  public V decode(byte[] bytes) {
    return reader.readValue(bytes);
  }

  @Override
  public V decode(byte[] bytes, int offset, int length) {
    return reader.readValue(bytes, offset, length);
  }

  @Override
  public String toString() {
    return "JacksonValueCodec[" + type + "]";
  }

  /** Built on first use only. */
  private static final class DefaultMapper {
    static final JsonMapper INSTANCE = JsonMapper.builder()
        .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
        .build();
  }
}
