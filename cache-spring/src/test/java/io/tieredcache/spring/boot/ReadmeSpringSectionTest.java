package io.tieredcache.spring.boot;

import static org.assertj.core.api.Assertions.assertThat;

import io.tieredcache.spring.TieredCacheManager;
import io.tieredcache.spring.TieredCacheSpec;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.cache.autoconfigure.CacheAutoConfiguration;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.boot.data.redis.autoconfigure.DataRedisProperties;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.cache.annotation.EnableCaching;
import org.springframework.context.annotation.Configuration;

/**
 * The README's "Use it from Spring" properties block works as the README says, and the Spring
 * block of its "Cluster, Sentinel, TLS" section names Boot's and our real properties.
 */
class ReadmeSpringSectionTest {

  @Configuration(proxyBeanMethods = false)
  @EnableCaching
  static class App {}

  private static List<String> readmeProperties() throws IOException {
    String readme = Files.readString(Path.of("..", "README.md"));
    String section = readme.substring(readme.indexOf("## Use it from Spring"));
    String block = section.substring(section.indexOf("```properties") + "```properties".length());
    block = block.substring(0, block.indexOf("```"));
    List<String> lines = new ArrayList<>();
    for (String line : block.strip().split("\n")) {
      lines.add(line.strip());
    }
    return lines;
  }

  @Test
  void thePropertiesTheReadmeShowsConfigureTheCaches() throws IOException {
    List<String> properties = readmeProperties();
    assertThat(properties).anyMatch(p -> p.startsWith("spring.data.redis."));
    String[] ours = properties.stream().filter(p -> p.startsWith("tiered-cache.")).toArray(String[]::new);
    assertThat(ours).hasSizeGreaterThan(3);
    new ApplicationContextRunner()
        .withConfiguration(AutoConfigurations.of(TieredCacheAutoConfiguration.class, CacheAutoConfiguration.class))
        .withUserConfiguration(App.class)
        .withPropertyValues(ours)
        .withPropertyValues("tiered-cache.redis.enabled=false")
        .run(context -> {
          TieredCacheManager manager = context.getBean(TieredCacheManager.class);
          TieredCacheSpec customers = manager.specOf("customers");
          assertThat(customers.maximumSize()).isEqualTo(50_000);
          assertThat(customers.expireAfterWrite()).isEqualTo(Duration.ofMinutes(5));
          assertThat(customers.refreshAfterWrite()).isEqualTo(Duration.ofMinutes(1));
          assertThat(customers.remoteExpireAfterWrite()).isEqualTo(Duration.ofHours(1));
          assertThat(manager.getAllowlist().allows("com.partner.dto.Invoice")).isTrue();
        });
  }

  /** Binds Boot's Redis properties only: no connection, no SSL bundle to load. */
  @Configuration(proxyBeanMethods = false)
  @EnableConfigurationProperties({DataRedisProperties.class, TieredCacheProperties.class})
  static class Binding {}

  @Test
  void theClusterSentinelAndTlsPropertiesAreBootsAndOurs() throws IOException {
    String readme = Files.readString(Path.of("..", "README.md"));
    String section = readme.substring(readme.indexOf("### Cluster, Sentinel, TLS"));
    String block = section.substring(section.indexOf("```properties") + "```properties".length());
    block = block.substring(0, block.indexOf("```"));
    List<String> lines = new ArrayList<>();
    for (String line : block.strip().split("\n")) {
      if (!line.startsWith("#")) {
        lines.add(line.strip().replace("${SENTINEL_PASSWORD}", "s").replace("${REDIS_PASSWORD}", "r"));
      }
    }
    new ApplicationContextRunner().withUserConfiguration(Binding.class)
        .withPropertyValues(lines.toArray(String[]::new))
        .run(context -> {
          DataRedisProperties redis = context.getBean(DataRedisProperties.class);
          assertThat(redis.getCluster().getNodes()).hasSize(3);
          assertThat(redis.getCluster().getMaxRedirects()).isEqualTo(3);
          assertThat(redis.getSentinel().getMaster()).isEqualTo("mymaster");
          assertThat(redis.getSentinel().getNodes()).hasSize(3);
          assertThat(redis.getSentinel().getUsername()).isEqualTo("sentinel-user");
          assertThat(redis.getSentinel().getPassword()).isEqualTo("s");
          assertThat(redis.getSsl().isEnabled()).isTrue();
          assertThat(redis.getSsl().getBundle()).isEqualTo("redis");
          assertThat(redis.getUsername()).isEqualTo("tiered-cache");
          assertThat(redis.getPassword()).isEqualTo("r");
          assertThat(redis.getPort()).isEqualTo(6380);
          assertThat(context.getBean(TieredCacheProperties.class).getRedis().isShardedPubSub()).isTrue();
          assertThat(context.getEnvironment().getProperty("spring.ssl.bundle.pem.redis.truststore.certificate"))
              .isEqualTo("classpath:redis-ca.crt");
        });
  }
}
