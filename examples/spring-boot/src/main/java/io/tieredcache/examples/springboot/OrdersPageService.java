package io.tieredcache.examples.springboot;

import io.tieredcache.spring.TieredSpringCache;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.springframework.cache.CacheManager;
import org.springframework.stereotype.Service;

/** The orders page, three ways: straight from the database, through {@code @Cacheable}, and in bulk. */
@Service
public class OrdersPageService {

  private final ShopRepository repository;
  private final CatalogService catalog;
  private final CacheManager cacheManager;

  OrdersPageService(ShopRepository repository, CatalogService catalog, CacheManager cacheManager) {
    this.repository = repository;
    this.catalog = catalog;
    this.cacheManager = cacheManager;
  }

  /** The classic N+1: one query for the page, then one per customer and one per product line. */
  public List<OrderView> uncached(int page, int size) {
    return repository.ordersPage(page, size).stream()
        .map(o -> new OrderView(o.id(), repository.customer(o.customerId()),
            o.productIds().stream().map(repository::product).toList()))
        .toList();
  }

  /** The same, with each customer and product read through {@code @Cacheable}. */
  public List<OrderView> perEntity(int page, int size) {
    return repository.ordersPage(page, size).stream()
        .map(o -> new OrderView(o.id(), catalog.customer(o.customerId()),
            o.productIds().stream().map(catalog::product).toList()))
        .toList();
  }

  /**
   * The same entries as {@link #perEntity}, read in bulk: one cache pass per entity type, and one
   * query for all the customers (and one for all the products) that no tier has.
   */
  public List<OrderView> bulk(int page, int size) {
    List<Order> orders = repository.ordersPage(page, size);
    Set<Long> customerIds = new LinkedHashSet<>();
    Set<Long> productIds = new LinkedHashSet<>();
    for (Order order : orders) {
      customerIds.add(order.customerId());
      productIds.addAll(order.productIds());
    }
    Map<Long, Customer> customers = cache("customers").getAll(customerIds, repository::customers);
    Map<Long, Product> products = cache("products").getAll(productIds, repository::products);
    return orders.stream()
        .map(o -> new OrderView(o.id(), customers.get(o.customerId()), o.productIds().stream().map(products::get).toList()))
        .toList();
  }

  private TieredSpringCache cache(String name) {
    return (TieredSpringCache) cacheManager.getCache(name);
  }
}
