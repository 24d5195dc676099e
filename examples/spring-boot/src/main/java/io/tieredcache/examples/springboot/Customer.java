package io.tieredcache.examples.springboot;

/** A customer row. */
public record Customer(long id, String name) {}
