package io.tieredcache.examples.springboot;

import java.sql.Array;
import java.sql.SQLException;
import java.util.Arrays;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.stream.Collectors;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Repository;

/** The database: every method is one SQL statement. */
@Repository
public class ShopRepository {

  private final JdbcClient jdbc;

  ShopRepository(JdbcClient jdbc) {
    this.jdbc = jdbc;
  }

  /** One page of orders, each with its product ids. */
  public List<Order> ordersPage(int page, int size) {
    return jdbc.sql("""
            select o.id, o.customer_id, array_agg(i.product_id order by i.product_id) as product_ids
            from tc_example_orders o join tc_example_order_items i on i.order_id = o.id
            group by o.id order by o.id limit :size offset :offset""")
        .param("size", size).param("offset", page * size)
        .query((rs, row) -> new Order(rs.getLong("id"), rs.getLong("customer_id"), longs(rs.getArray("product_ids"))))
        .list();
  }

  /** One customer. */
  public Customer customer(long id) {
    return jdbc.sql("select id, name from tc_example_customers where id = :id").param("id", id)
        .query(Customer.class).optional().orElse(null);
  }

  /** One product. */
  public Product product(long id) {
    return jdbc.sql("select id, title, price from tc_example_products where id = :id").param("id", id)
        .query(Product.class).optional().orElse(null);
  }

  /** Many customers in one query. */
  public Map<Long, Customer> customers(Collection<Long> ids) {
    return jdbc.sql("select id, name from tc_example_customers where id = any(:ids)")
        .param("ids", ids.toArray(Long[]::new)).query(Customer.class).list().stream()
        .collect(Collectors.toMap(Customer::id, Function.identity()));
  }

  /** Many products in one query. */
  public Map<Long, Product> products(Collection<Long> ids) {
    return jdbc.sql("select id, title, price from tc_example_products where id = any(:ids)")
        .param("ids", ids.toArray(Long[]::new)).query(Product.class).list().stream()
        .collect(Collectors.toMap(Product::id, Function.identity()));
  }

  private static List<Long> longs(Array array) throws SQLException {
    return Arrays.stream((Long[]) array.getArray()).toList();
  }
}
