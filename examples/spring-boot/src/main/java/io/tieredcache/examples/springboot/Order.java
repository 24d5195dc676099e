package io.tieredcache.examples.springboot;

import java.util.List;

/** An order row with the ids of its customer and products. */
public record Order(long id, long customerId, List<Long> productIds) {}
