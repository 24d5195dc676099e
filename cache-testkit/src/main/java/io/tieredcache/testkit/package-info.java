/**
 * A real Redis for tests: {@link io.tieredcache.testkit.RedisServer} finds or starts one,
 * {@link io.tieredcache.testkit.RedisAdmin} controls it over a plain socket, and
 * {@link io.tieredcache.testkit.RedisExtension} injects it into JUnit Jupiter tests.
 */
package io.tieredcache.testkit;
