package io.tieredcache.spring;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.tieredcache.spring.Values.Address;
import io.tieredcache.spring.Values.Card;
import io.tieredcache.spring.Values.Customer;
import io.tieredcache.spring.Values.Product;
import java.nio.charset.StandardCharsets;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.springframework.cache.support.NullValue;

class SpringValueCodecTest {

  private final SpringValueCodec codec = SpringValueCodec.polymorphic(
      TypeAllowlist.jdkValueTypes().and("io.tieredcache.spring"), getClass().getClassLoader());

  private Object roundTrip(Object value) {
    return codec.decode(codec.encode(value));
  }

  @Test
  void aRecordComesBackAsItsClassWithNestedTypesKept() {
    Customer alice = Values.alice();
    Object back = roundTrip(alice);
    assertThat(back).isInstanceOf(Customer.class).isEqualTo(alice);
    Customer customer = (Customer) back;
    assertThat(customer.payment()).isInstanceOf(Card.class);
    assertThat(customer.attributes().get("home")).isInstanceOf(Address.class);
    assertThat(customer.attributes().get("visits")).isInstanceOf(Long.class);
  }

  @Test
  void collectionsAndJdkValuesKeepTheirElementTypes() {
    List<Customer> list = new ArrayList<>(List.of(Values.alice()));
    assertThat(roundTrip(list)).isEqualTo(list);
    assertThat(((List<?>) roundTrip(list)).get(0)).isInstanceOf(Customer.class);
    assertThat(roundTrip(List.of(Values.alice()))).isEqualTo(List.of(Values.alice()));
    assertThat(roundTrip(Map.of("a", new Address("x", "y")))).isEqualTo(Map.of("a", new Address("x", "y")));
    assertThat(roundTrip(42L)).isEqualTo(42L);
    assertThat(roundTrip(42)).isEqualTo(42);
    assertThat(roundTrip("text")).isEqualTo("text");
    assertThat(roundTrip(LocalDate.of(2026, 12, 1))).isEqualTo(LocalDate.of(2026, 12, 1));
    assertThat(roundTrip(new long[] {1, 2})).isEqualTo(new long[] {1, 2});
  }

  @Test
  void aBeanWithAnObjectFieldKeepsTheFieldsClass() {
    Product back = (Product) roundTrip(new Product(7, "pen", new Address("Lyon", "69001")));
    assertThat(back.getExtra()).isEqualTo(new Address("Lyon", "69001"));
  }

  @Test
  void aCachedNullIsRecognised() {
    assertThat(new String(codec.encode(NullValue.INSTANCE), StandardCharsets.US_ASCII)).isEqualTo("null");
    assertThat(roundTrip(NullValue.INSTANCE)).isSameAs(NullValue.INSTANCE);
    SpringValueCodec typed = SpringValueCodec.of(Address.class);
    assertThat(typed.decode(typed.encode(NullValue.INSTANCE))).isSameAs(NullValue.INSTANCE);
    assertThat(new String(typed.encode(new Address("Lyon", "69001")), StandardCharsets.UTF_8))
        .isEqualTo("{\"city\":\"Lyon\",\"zip\":\"69001\"}");
    assertThat(typed.decode(typed.encode(new Address("Lyon", "69001")))).isEqualTo(new Address("Lyon", "69001"));
  }

  @Test
  void aClassOutsideTheAllowlistIsNeverLoaded() {
    byte[] gadget = "com.evil.Gadget\n{\"command\":\"rm -rf /\"}".getBytes(StandardCharsets.UTF_8);
    assertThatThrownBy(() -> codec.decode(gadget))
        .isInstanceOf(RejectedTypeException.class)
        .hasMessageContaining("com.evil.Gadget");
    byte[] nested = ("io.tieredcache.spring.Values$Product\n"
        + "{\"@class\":\"io.tieredcache.spring.Values$Product\",\"id\":1,\"title\":\"t\","
        + "\"extra\":{\"@class\":\"java.lang.ProcessBuilder\",\"command\":[\"sh\"]}}").getBytes(StandardCharsets.UTF_8);
    assertThatThrownBy(() -> codec.decode(nested)).hasMessageContaining("java.lang.ProcessBuilder");
  }

  @Test
  void aValueOtherNodesWouldRefuseIsRefusedWhenWritten() {
    SpringValueCodec jdkOnly = SpringValueCodec.polymorphic(TypeAllowlist.jdkValueTypes(), getClass().getClassLoader());
    assertThatThrownBy(() -> jdkOnly.encode(Values.alice()))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("Values$Customer");
  }

  @Test
  void allowlistEntriesArePackagesOrClasses() {
    TypeAllowlist list = TypeAllowlist.of("com.example", "org.acme.User");
    assertThat(list.allows("com.example.A")).isTrue();
    assertThat(list.allows("com.example.sub.B$C")).isTrue();
    assertThat(list.allows("com.examples.A")).isFalse();
    assertThat(list.allows("org.acme.User$Nested")).isTrue();
    assertThat(list.allows("org.acme.Users")).isFalse();
    assertThat(list.allows("[Lcom.example.A;")).isTrue();
    assertThat(list.allows("[J")).isTrue();
    assertThat(list.allows("[Lcom.evil.A;")).isFalse();
    assertThatThrownBy(() -> TypeAllowlist.of("com.*")).isInstanceOf(IllegalArgumentException.class);
  }
}
