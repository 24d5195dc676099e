package io.tieredcache.spring;

import java.lang.reflect.Array;
import java.lang.reflect.Field;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.lang.reflect.RecordComponent;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.time.temporal.TemporalAccessor;
import java.util.List;
import java.util.UUID;
import org.springframework.cache.interceptor.SimpleKey;

/**
 * Turns the keys Spring's key generators produce into strings that are the same on every node and
 * across restarts, and that differ whenever the keys are not {@code equals}: the L1 key, the Redis
 * key and the key on the invalidation bus.
 *
 * <p>A {@link String} stays as it is (prefixed with one more {@code ~} if it starts with {@code ~}),
 * so the common case reads plainly in Redis. Everything else starts with {@code ~} and a tag naming
 * its type: {@code ~l42} (a {@code Long}), {@code ~i42} (an {@code Integer}),
 * {@code ~ecom.example.Color.RED}, {@code ~rcom.example.OrderKey(~l7,eu)},
 * {@code ~k(~l7,eu)} (a {@link SimpleKey}). Components of composite keys are escaped, so no two
 * different keys share a string. A key of any other type (whose {@code toString} or identity is
 * not a stable value) is refused with an {@link IllegalArgumentException} at its first use.
 */
final class SpringCacheKeys {

  private static final ClassValue<Method[]> RECORD_ACCESSORS = new ClassValue<>() {
    @Override
    protected Method[] computeValue(Class<?> type) {
      RecordComponent[] components = type.getRecordComponents();
      Method[] accessors = new Method[components.length];
      for (int i = 0; i < components.length; i++) {
        accessors[i] = components[i].getAccessor();
        accessors[i].trySetAccessible();
      }
      return accessors;
    }
  };

  private static final Field SIMPLE_KEY_PARAMS = simpleKeyParams();

  private SpringCacheKeys() {}

  /** The stable string of {@code key} for the cache called {@code cacheName} (named in errors). */
  static String encode(String cacheName, Object key) {
    if (key instanceof String s) {
      return s.startsWith("~") ? "~" + s : s;
    }
    // The most common keys in one allocation each: this runs on every L1 hit.
    if (key instanceof Long n) {
      return "~l" + n.longValue();
    }
    if (key instanceof Integer n) {
      return "~i" + n.intValue();
    }
    StringBuilder out = new StringBuilder(32);
    append(cacheName, out, key, 0);
    return out.toString();
  }

  private static void append(String cacheName, StringBuilder out, Object key, int depth) {
    if (depth > 16) {
      throw unencodable(cacheName, key, "it nests deeper than 16 levels");
    }
    if (key == null) {
      out.append("~n");
    } else if (key instanceof String s) {
      out.append(s.startsWith("~") ? "~" + s : s);
    } else if (key instanceof Long n) {
      out.append("~l").append(n.longValue());
    } else if (key instanceof Integer n) {
      out.append("~i").append(n.intValue());
    } else if (key instanceof Short n) {
      out.append("~s").append(n.shortValue());
    } else if (key instanceof Byte n) {
      out.append("~b").append(n.byteValue());
    } else if (key instanceof Boolean b) {
      out.append("~z").append(b.booleanValue());
    } else if (key instanceof Character c) {
      out.append("~c").append(c.charValue());
    } else if (key instanceof Double d) {
      out.append("~d").append(d.doubleValue());
    } else if (key instanceof Float f) {
      out.append("~f").append(f.floatValue());
    } else if (key instanceof BigInteger n) {
      out.append("~I").append(n);
    } else if (key instanceof BigDecimal n) {
      out.append("~D").append(n);
    } else if (key instanceof UUID u) {
      out.append("~u").append(u);
    } else if (key instanceof Enum<?> e) {
      out.append("~e").append(e.getDeclaringClass().getName()).append('.').append(e.name());
    } else if (key instanceof TemporalAccessor && key.getClass().getName().startsWith("java.time.")) {
      out.append("~t").append(key.getClass().getSimpleName()).append(':').append(key);
    } else if (key instanceof SimpleKey simpleKey) {
      composite(cacheName, out.append("~k("), simpleKeyParams(cacheName, simpleKey), depth);
    } else if (key.getClass().isArray()) {
      Object[] elements = new Object[Array.getLength(key)];
      for (int i = 0; i < elements.length; i++) {
        elements[i] = Array.get(key, i);
      }
      composite(cacheName, out.append("~a(").append(key.getClass().getComponentType().getName()).append(':'),
          elements, depth);
    } else if (key instanceof List<?> list) {
      composite(cacheName, out.append("~L("), list.toArray(), depth);
    } else if (key instanceof Record) {
      composite(cacheName, out.append("~r").append(key.getClass().getName()).append('('),
          recordComponents(cacheName, key), depth);
    } else {
      throw unencodable(cacheName, key, "its string form is not known to be stable and unique");
    }
  }

  /** Appends each element, escaped so that the delimiters stay unambiguous, then the closing ')'. */
  private static void composite(String cacheName, StringBuilder out, Object[] elements, int depth) {
    for (int i = 0; i < elements.length; i++) {
      if (i > 0) {
        out.append(',');
      }
      StringBuilder element = new StringBuilder();
      append(cacheName, element, elements[i], depth + 1);
      for (int c = 0; c < element.length(); c++) {
        char ch = element.charAt(c);
        if (ch == '\\' || ch == ',' || ch == '(' || ch == ')') {
          out.append('\\');
        }
        out.append(ch);
      }
    }
    out.append(')');
  }

  private static Object[] recordComponents(String cacheName, Object key) {
    Method[] accessors = RECORD_ACCESSORS.get(key.getClass());
    Object[] values = new Object[accessors.length];
    try {
      for (int i = 0; i < accessors.length; i++) {
        values[i] = accessors[i].invoke(key);
      }
    } catch (IllegalAccessException | InvocationTargetException | RuntimeException e) {
      throw unencodable(cacheName, key, "its components cannot be read (" + e + ")");
    }
    return values;
  }

  private static Object[] simpleKeyParams(String cacheName, SimpleKey key) {
    if (SIMPLE_KEY_PARAMS == null) {
      throw unencodable(cacheName, key, "this Spring version hides SimpleKey's parameters");
    }
    try {
      return (Object[]) SIMPLE_KEY_PARAMS.get(key);
    } catch (IllegalAccessException e) {
      throw unencodable(cacheName, key, "SimpleKey's parameters cannot be read (" + e + ")");
    }
  }

  private static Field simpleKeyParams() {
    try {
      Field field = SimpleKey.class.getDeclaredField("params");
      return field.trySetAccessible() && field.getType() == Object[].class ? field : null;
    } catch (NoSuchFieldException | RuntimeException e) {
      return null;
    }
  }

  private static IllegalArgumentException unencodable(String cacheName, Object key, String why) {
    return new IllegalArgumentException("cache '" + cacheName + "' cannot use a key of type "
        + key.getClass().getName() + " (" + why + "): use a String, a number, a UUID, an enum, a "
        + "java.time value, a record or a list of these, or a KeyGenerator that returns one");
  }
}
