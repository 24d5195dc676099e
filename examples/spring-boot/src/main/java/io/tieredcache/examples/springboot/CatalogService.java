package io.tieredcache.examples.springboot;

import org.springframework.cache.annotation.Cacheable;
import org.springframework.stereotype.Service;

/** Customers and products by id behind {@code @Cacheable}: L1, then Redis, then one query. */
@Service
public class CatalogService {

  private final ShopRepository repository;

  CatalogService(ShopRepository repository) {
    this.repository = repository;
  }

  /** A customer, cached. */
  @Cacheable(cacheNames = "customers", sync = true)
  public Customer customer(long id) {
    return repository.customer(id);
  }

  /** A product, cached. */
  @Cacheable(cacheNames = "products", sync = true)
  public Product product(long id) {
    return repository.product(id);
  }
}
