package io.tollgate.schemas.config;

import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * Keys of a section that LiteLLM (or an older Tollgate) knows but Tollgate does not implement: each
 * present one is a warning "not implemented by Tollgate, ignored", so a LiteLLM config still starts
 * and nobody believes a setting took effect. Any other key not bound by the record is "unknown".
 */
@Retention(RetentionPolicy.RUNTIME)
@Target(ElementType.TYPE)
public @interface Ignored {
  String[] value();
}
