package io.tieredcache.spring;

import com.fasterxml.jackson.annotation.JsonTypeInfo;
import io.tieredcache.redis.ValueCodec;
import java.nio.charset.StandardCharsets;
import java.util.Objects;
import org.springframework.cache.support.NullValue;
import tools.jackson.databind.DefaultTyping;
import tools.jackson.databind.DeserializationFeature;
import tools.jackson.databind.ObjectReader;
import tools.jackson.databind.ObjectWriter;
import tools.jackson.databind.json.JsonMapper;

/**
 * Stores a Spring cache's values in Redis as JSON so that the value read on one node has the same
 * class as the one written on another, nested objects included.
 *
 * <p>Two forms:
 * <ul>
 *   <li><b>Polymorphic</b> (the default): {@code <class name>\n<json>}. The class name is checked
 *       against the {@link TypeAllowlist} before anything is loaded, and values nested in fields
 *       declared as {@code Object}, an interface or a non-final class carry their class name too,
 *       checked the same way by {@link AllowlistTypeValidator}. A value naming a class outside the
 *       allowlist fails to decode: the Redis tier treats that as a miss, deletes it and counts it.
 *   <li><b>One value type</b>: plain JSON bound to that type; type names in the data are ignored.
 * </ul>
 * Spring's {@link NullValue} (a cached {@code null}) is stored as the JSON {@code null} in both
 * forms and read back as {@link NullValue#INSTANCE}.
 */
final class SpringValueCodec implements ValueCodec<Object> {

  private static final byte[] NULL_JSON = "null".getBytes(StandardCharsets.US_ASCII);
  private static final byte SEPARATOR = '\n';

  private final JsonMapper mapper;
  private final TypeAllowlist allowlist;
  private final ClassLoader classLoader;
  private final ObjectReader fixedReader;
  private final ObjectWriter fixedWriter;
  private final ClassValue<ObjectWriter> writers = new ClassValue<>() {
    @Override
    protected ObjectWriter computeValue(Class<?> type) {
      return mapper.writerFor(type);
    }
  };
  private final ClassValue<ObjectReader> readers = new ClassValue<>() {
    @Override
    protected ObjectReader computeValue(Class<?> type) {
      return mapper.readerFor(type);
    }
  };

  private SpringValueCodec(TypeAllowlist allowlist, ClassLoader classLoader, Class<?> valueType) {
    this.allowlist = allowlist;
    this.classLoader = classLoader;
    JsonMapper.Builder builder = JsonMapper.builder().disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES);
    if (valueType == null) {
      builder.activateDefaultTyping(new AllowlistTypeValidator(allowlist), DefaultTyping.NON_FINAL,
          JsonTypeInfo.As.PROPERTY);
    }
    this.mapper = builder.build();
    this.fixedReader = valueType == null ? null : mapper.readerFor(valueType);
    this.fixedWriter = valueType == null ? null : mapper.writerFor(valueType);
  }

  /** Values of any allowed class, each stored with its class name. */
  static SpringValueCodec polymorphic(TypeAllowlist allowlist, ClassLoader classLoader) {
    return new SpringValueCodec(Objects.requireNonNull(allowlist, "allowlist"),
        Objects.requireNonNull(classLoader, "classLoader"), null);
  }

  /** Values of {@code valueType} only. */
  static SpringValueCodec of(Class<?> valueType) {
    return new SpringValueCodec(null, null, Objects.requireNonNull(valueType, "valueType"));
  }

  @Override
  public byte[] encode(Object value) {
    if (value == NullValue.INSTANCE) {
      return NULL_JSON.clone();
    }
    if (fixedWriter != null) {
      return fixedWriter.writeValueAsBytes(value);
    }
    Class<?> type = value.getClass();
    if (!allowlist.allows(type.getName())) {
      throw new IllegalArgumentException("values of " + type.getName() + " are not in this cache's "
          + allowlist + ": other nodes would refuse to read them; add the class or its package to the allowlist");
    }
    byte[] name = type.getName().getBytes(StandardCharsets.UTF_8);
    byte[] json = writers.get(type).writeValueAsBytes(value);
    byte[] out = new byte[name.length + 1 + json.length];
    System.arraycopy(name, 0, out, 0, name.length);
    out[name.length] = SEPARATOR;
    System.arraycopy(json, 0, out, name.length + 1, json.length);
    return out;
  }

  @Override
  public Object decode(byte[] bytes) {
    return decode(bytes, 0, bytes.length);
  }

  @Override
  public Object decode(byte[] bytes, int offset, int length) {
    if (isNullJson(bytes, offset, length)) {
      return NullValue.INSTANCE;
    }
    if (fixedReader != null) {
      Object value = fixedReader.readValue(bytes, offset, length);
      return value == null ? NullValue.INSTANCE : value;
    }
    int separator = -1;
    for (int i = offset; i < offset + length; i++) {
      if (bytes[i] == SEPARATOR) {
        separator = i;
        break;
      }
    }
    if (separator < 0) {
      throw new IllegalArgumentException("not a value this codec wrote: no class name");
    }
    String className = new String(bytes, offset, separator - offset, StandardCharsets.UTF_8);
    if (!allowlist.allows(className)) {
      throw new RejectedTypeException(className, allowlist);
    }
    Class<?> type;
    try {
      type = Class.forName(className, false, classLoader);
    } catch (ClassNotFoundException | LinkageError e) {
      throw new IllegalArgumentException("value of unknown class " + className, e);
    }
    Object value = readers.get(type).readValue(bytes, separator + 1, offset + length - separator - 1);
    return value == null ? NullValue.INSTANCE : value;
  }

  private static boolean isNullJson(byte[] bytes, int offset, int length) {
    if (length != NULL_JSON.length) {
      return false;
    }
    for (int i = 0; i < length; i++) {
      if (bytes[offset + i] != NULL_JSON[i]) {
        return false;
      }
    }
    return true;
  }

  @Override
  public String toString() {
    return fixedReader != null ? "SpringValueCodec[" + fixedReader.getValueType() + "]" : "SpringValueCodec[" + allowlist + "]";
  }
}
