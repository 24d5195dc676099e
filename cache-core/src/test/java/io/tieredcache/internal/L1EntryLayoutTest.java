package io.tieredcache.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.lang.reflect.Field;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** The fields a hit reads lie before all others in an entry, whatever this JVM's header size. */
class L1EntryLayoutTest {

  @Test
  void theFieldsAHitReadsComeFirst() throws Exception {
    Map<String, Long> offsets = offsets(L1Entry.class);
    long lastHot = Math.max(offsets.get("value"), Math.max(offsets.get("freshUntil"), offsets.get("state")));
    offsets.keySet().removeAll(Set.of("value", "freshUntil", "state"));
    assertThat(offsets.values()).isNotEmpty().allSatisfy(offset -> assertThat(offset).isGreaterThan(lastHot));
    // Header (8-16 bytes), an int, a long and a reference: within the first 40 bytes.
    assertThat(lastHot).isLessThan(40);
  }

  /** Instance field offsets through sun.misc.Unsafe, reached reflectively (no compile-time use). */
  private static Map<String, Long> offsets(Class<?> type) throws Exception {
    Class<?> unsafeType = Class.forName("sun.misc.Unsafe");
    Field instance = unsafeType.getDeclaredField("theUnsafe");
    instance.setAccessible(true);
    Object unsafe = instance.get(null);
    Method offsetOf = unsafeType.getMethod("objectFieldOffset", Field.class);
    Map<String, Long> offsets = new HashMap<>();
    for (Class<?> c = type; c != Object.class; c = c.getSuperclass()) {
      for (Field field : c.getDeclaredFields()) {
        if (!Modifier.isStatic(field.getModifiers())) {
          offsets.put(field.getName(), (Long) offsetOf.invoke(unsafe, field));
        }
      }
    }
    return offsets;
  }
}
