package io.tieredcache.spring;

import tools.jackson.databind.DatabindContext;
import tools.jackson.databind.JavaType;
import tools.jackson.databind.jsontype.PolymorphicTypeValidator;

/**
 * Lets Jackson resolve a type name found in the data only if the {@link TypeAllowlist} allows it;
 * anything else fails the read before the class is loaded.
 */
final class AllowlistTypeValidator extends PolymorphicTypeValidator.Base {

  private static final long serialVersionUID = 1L;

  private final TypeAllowlist allowlist;

  AllowlistTypeValidator(TypeAllowlist allowlist) {
    this.allowlist = allowlist;
  }

  @Override
  public Validity validateBaseType(DatabindContext ctxt, JavaType baseType) {
    return Validity.INDETERMINATE;
  }

  @Override
  public Validity validateSubClassName(DatabindContext ctxt, JavaType baseType, String subClassName) {
    return allowlist.allows(subClassName) ? Validity.ALLOWED : Validity.DENIED;
  }

  @Override
  public Validity validateSubType(DatabindContext ctxt, JavaType baseType, JavaType subType) {
    return allowlist.allows(subType.getRawClass().getName()) ? Validity.ALLOWED : Validity.DENIED;
  }
}
