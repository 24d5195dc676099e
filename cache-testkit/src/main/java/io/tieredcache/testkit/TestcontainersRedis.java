package io.tieredcache.testkit;

import org.testcontainers.DockerClientFactory;
import org.testcontainers.containers.GenericContainer;
import org.testcontainers.containers.wait.strategy.Wait;
import org.testcontainers.utility.DockerImageName;

/**
 * The only class that touches Testcontainers (an optional dependency). Loaded only by
 * {@link ContainerSupport} after it checked the library is on the classpath.
 */
final class TestcontainersRedis {

  private static final int REDIS_PORT = 6379;

  private TestcontainersRedis() { }

  static boolean dockerAvailable() {
    return DockerClientFactory.instance().isDockerAvailable();
  }

  static ContainerSupport.Handle start(String image) {
    GenericContainer<?> container = new GenericContainer<>(DockerImageName.parse(image).asCompatibleSubstituteFor("redis"))
        .withExposedPorts(REDIS_PORT)
        .withCommand("redis-server", "--save", "", "--appendonly", "no", "--maxmemory-policy", "allkeys-lru")
        .waitingFor(Wait.forLogMessage(".*Ready to accept connections.*\\n", 1));
    try {
      container.start();
      return new ContainerSupport.Handle(container.getHost(), container.getMappedPort(REDIS_PORT), container::stop);
    } catch (RuntimeException | Error e) {
      container.stop();
      throw e;
    }
  }
}
