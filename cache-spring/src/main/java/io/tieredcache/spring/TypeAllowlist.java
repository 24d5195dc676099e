package io.tieredcache.spring;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;

/**
 * The classes whose names a value read from Redis may name: a value of any other class is treated
 * as a miss, deleted from Redis and counted, and never instantiated. Without this, whoever can
 * write to the Redis could make every node instantiate a class of their choosing (a
 * deserialization gadget).
 *
 * <p>An entry is a package ({@code com.example}: its classes, its sub-packages' and their nested
 * classes) or a class ({@code com.example.User}: it and its nested classes). Array types are
 * allowed when their element type is. {@link #jdkValueTypes()} lists the JDK's value types and
 * collections; Boot's auto-configuration adds the application's own packages.
 *
 * <p>Immutable and thread-safe.
 */
public final class TypeAllowlist {

  private static final List<String> JDK_VALUE_TYPES = List.of(
      "java.lang.String", "java.lang.Boolean", "java.lang.Character", "java.lang.Byte", "java.lang.Short",
      "java.lang.Integer", "java.lang.Long", "java.lang.Float", "java.lang.Double", "java.lang.Number",
      "java.math", "java.time",
      "java.util.UUID", "java.util.Date", "java.util.Locale", "java.util.Currency", "java.util.Optional",
      "java.util.ArrayList", "java.util.LinkedList", "java.util.HashMap", "java.util.LinkedHashMap",
      "java.util.TreeMap", "java.util.HashSet", "java.util.LinkedHashSet", "java.util.TreeSet",
      "java.util.EnumMap", "java.util.EnumSet", "java.util.ImmutableCollections",
      "java.util.Collections$UnmodifiableCollection", "java.util.Collections$UnmodifiableList",
      "java.util.Collections$UnmodifiableRandomAccessList", "java.util.Collections$UnmodifiableSet",
      "java.util.Collections$UnmodifiableMap", "java.util.Collections$SingletonList",
      "java.util.Collections$SingletonSet", "java.util.Collections$SingletonMap",
      "java.util.Collections$EmptyList", "java.util.Collections$EmptySet", "java.util.Collections$EmptyMap",
      "java.util.Arrays$ArrayList");

  private static final TypeAllowlist JDK = new TypeAllowlist(JDK_VALUE_TYPES);

  private final List<String> entries;

  private TypeAllowlist(Collection<String> entries) {
    Set<String> unique = new LinkedHashSet<>();
    for (String entry : entries) {
      Objects.requireNonNull(entry, "allowlist entry");
      String trimmed = entry.strip();
      if (trimmed.isEmpty() || trimmed.endsWith(".") || trimmed.contains("*")) {
        throw new IllegalArgumentException("allowlist entry '" + entry
            + "' must be a package (com.example) or a class (com.example.User), without '.' at the end or '*'");
      }
      unique.add(trimmed);
    }
    this.entries = List.copyOf(unique);
  }

  /** The JDK's value types (numbers, strings, {@code java.time}, {@code java.math}) and its common collections. */
  public static TypeAllowlist jdkValueTypes() {
    return JDK;
  }

  /** Exactly these packages and classes, nothing of the JDK's. */
  public static TypeAllowlist of(String... packagesOrClasses) {
    return new TypeAllowlist(Arrays.asList(packagesOrClasses));
  }

  /** This allowlist and {@code packagesOrClasses}. */
  public TypeAllowlist and(Collection<String> packagesOrClasses) {
    List<String> all = new ArrayList<>(entries);
    all.addAll(packagesOrClasses);
    return new TypeAllowlist(all);
  }

  /** This allowlist and {@code packagesOrClasses}. */
  public TypeAllowlist and(String... packagesOrClasses) {
    return and(Arrays.asList(packagesOrClasses));
  }

  /** The entries, in the order given. */
  public List<String> entries() {
    return entries;
  }

  /** Whether a value may be of the class called {@code className} (a binary name, e.g. {@code a.B$C} or {@code [La.B;}). */
  public boolean allows(String className) {
    Objects.requireNonNull(className, "className");
    String name = className;
    boolean array = false;
    while (name.startsWith("[")) {
      name = name.substring(1);
      array = true;
    }
    if (array) {
      if (name.length() == 1) {
        return true; // an array of primitives
      }
      if (!name.startsWith("L") || !name.endsWith(";")) {
        return false;
      }
      name = name.substring(1, name.length() - 1);
    }
    for (String entry : entries) {
      if (name.equals(entry) || (name.startsWith(entry) && isBoundary(name.charAt(entry.length())))) {
        return true;
      }
    }
    return false;
  }

  private static boolean isBoundary(char c) {
    return c == '.' || c == '$';
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof TypeAllowlist other && entries.equals(other.entries);
  }

  @Override
  public int hashCode() {
    return entries.hashCode();
  }

  @Override
  public String toString() {
    return "TypeAllowlist" + entries;
  }
}
