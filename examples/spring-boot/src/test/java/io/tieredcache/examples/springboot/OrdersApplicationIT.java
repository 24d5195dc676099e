package io.tieredcache.examples.springboot;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** Runs the example as its command does, on a real PostgreSQL and a real redis-server. */
class OrdersApplicationIT {

  @Test
  void thePageCostsNPlusOneUncachedOneQueryPerEntityColdOneWarmAndThreeInBulk() throws Exception {
    OrdersApplication.Report report = OrdersApplication.run();
    int page = OrdersApplication.PAGE_SIZE;
    assertThat(report.uncached()).isEqualTo(1 + page + 3 * page);
    // page 0 names 8 distinct customers and 30 distinct products (see schema.sql): one query each
    assertThat(report.perEntityCold()).isEqualTo(1 + 8 + 30);
    assertThat(report.perEntityWarm()).isEqualTo(1);
    assertThat(report.bulkCold()).isEqualTo(3);
    assertThat(report.bulkWarm()).isEqualTo(1);
    assertThat(report.customers().l1Hits()).isPositive();
  }
}
