package io.tieredcache.spring.boot;

import org.springframework.boot.autoconfigure.condition.ConditionOutcome;
import org.springframework.boot.autoconfigure.condition.SpringBootCondition;
import org.springframework.context.annotation.ConditionContext;
import org.springframework.core.type.AnnotatedTypeMetadata;

/** Matches while {@code spring.cache.type} is not set: setting it picks one of Boot's own cache managers. */
final class NoCacheTypeCondition extends SpringBootCondition {

  @Override
  public ConditionOutcome getMatchOutcome(ConditionContext context, AnnotatedTypeMetadata metadata) {
    String type = context.getEnvironment().getProperty("spring.cache.type");
    return type == null || type.isBlank()
        ? ConditionOutcome.match("spring.cache.type is not set")
        : ConditionOutcome.noMatch("spring.cache.type is set to " + type);
  }
}
