package io.tieredcache.testkit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.platform.engine.discovery.DiscoverySelectors.selectClass;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.platform.launcher.Launcher;
import org.junit.platform.launcher.LauncherDiscoveryRequest;
import org.junit.platform.launcher.core.LauncherDiscoveryRequestBuilder;
import org.junit.platform.launcher.core.LauncherFactory;
import org.junit.platform.launcher.listeners.SummaryGeneratingListener;
import org.junit.platform.launcher.listeners.TestExecutionSummary;

/**
 * When {@link RedisExtension} closes its servers: runs two small test classes in a nested JUnit
 * run and looks at their servers afterwards. (The fixture classes are nested, so Surefire and
 * Failsafe do not pick them up on their own.)
 */
class RedisExtensionLifecycleTest {

  static final List<RedisServer> SHARED = new ArrayList<>();
  static final List<RedisServer> ISOLATED = new ArrayList<>();
  static volatile boolean sharedRunningAfterIsolatedClass;

  @Test
  void isolatedServersCloseAfterTheirClassAndTheSharedOneAfterTheRun() {
    SHARED.clear();
    ISOLATED.clear();
    LauncherDiscoveryRequest request = LauncherDiscoveryRequestBuilder.request()
        .selectors(selectClass(UsesShared.class), selectClass(UsesIsolated.class), selectClass(UsesSharedAgain.class))
        .build();
    Launcher launcher = LauncherFactory.create();
    SummaryGeneratingListener listener = new SummaryGeneratingListener();
    launcher.execute(request, listener);
    TestExecutionSummary summary = listener.getSummary();
    summary.getFailures().forEach(f -> f.getException().printStackTrace());
    assertThat(summary.getTotalFailureCount()).isZero();
    assertThat(summary.getTestsSucceededCount()).isEqualTo(4);

    assertThat(SHARED).hasSize(3);
    assertThat(SHARED.get(1)).as("one shared server for the whole run").isSameAs(SHARED.get(0)).isSameAs(SHARED.get(2));
    assertThat(ISOLATED).hasSize(2);
    assertThat(ISOLATED.get(1)).as("one isolated server per class").isSameAs(ISOLATED.get(0));
    assertThat(ISOLATED.get(0)).isNotSameAs(SHARED.get(0));
    assertThat(sharedRunningAfterIsolatedClass).as("closing the isolated server spares the shared one").isTrue();
    assertThat(ISOLATED.get(0).isRunning()).isFalse();
    assertThat(SHARED.get(0).isRunning()).as("closed with the root context").isFalse();
  }

  @ExtendWith(RedisExtension.class)
  static class UsesShared {
    @Test
    void t(RedisServer redis) {
      SHARED.add(redis);
    }
  }

  @IsolatedRedis
  static class UsesIsolated {
    @Test
    void a(RedisServer redis) {
      ISOLATED.add(redis);
    }

    @Test
    void b(RedisServer redis) {
      ISOLATED.add(redis);
    }
  }

  @ExtendWith(RedisExtension.class)
  static class UsesSharedAgain {
    @Test
    void t(RedisServer redis) {
      sharedRunningAfterIsolatedClass = ISOLATED.size() == 2 && !ISOLATED.get(0).isRunning() && redis.isRunning();
      SHARED.add(redis);
      SHARED.add(redis);
    }
  }
}
