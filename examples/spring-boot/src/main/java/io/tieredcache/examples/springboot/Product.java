package io.tieredcache.examples.springboot;

import java.math.BigDecimal;

/** A product row. */
public record Product(long id, String title, BigDecimal price) {}
