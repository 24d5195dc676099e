package io.tieredcache.spring;

import java.math.BigDecimal;
import java.time.Instant;
import java.util.List;
import java.util.Map;

/** Value types the tests cache: records, nesting, an interface field, and a plain bean. */
final class Values {

  private Values() {}

  /** A value nested in another. */
  record Address(String city, String zip) {}

  /** Something polymorphic behind an interface. */
  interface Payment {}

  /** One implementation. */
  record Card(String last4) implements Payment {}

  /** The main value: nested records, a list of them, a map of mixed values, an interface field. */
  record Customer(long id, String name, Address address, List<Address> previous, Map<String, Object> attributes,
      Payment payment, BigDecimal balance, Instant since) {}

  /** A mutable bean, not a record. */
  static final class Product {
    private long id;
    private String title;
    private Object extra;

    Product() {}

    Product(long id, String title, Object extra) {
      this.id = id;
      this.title = title;
      this.extra = extra;
    }

    public long getId() {
      return id;
    }

    public void setId(long id) {
      this.id = id;
    }

    public String getTitle() {
      return title;
    }

    public void setTitle(String title) {
      this.title = title;
    }

    public Object getExtra() {
      return extra;
    }

    public void setExtra(Object extra) {
      this.extra = extra;
    }
  }

  static Customer alice() {
    return new Customer(42, "alice", new Address("Lyon", "69001"), List.of(new Address("Paris", "75001")),
        Map.of("tier", "gold", "visits", 12L, "home", new Address("Nice", "06000")), new Card("4242"),
        new BigDecimal("10.50"), Instant.parse("2026-01-02T03:04:05Z"));
  }
}
