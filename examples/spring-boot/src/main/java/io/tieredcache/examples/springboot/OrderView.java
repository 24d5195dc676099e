package io.tieredcache.examples.springboot;

import java.util.List;

/** One line of the orders page: the order with its customer and products. */
public record OrderView(long orderId, Customer customer, List<Product> products) {}
