package io.tollgate.schemas.config;

import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;
import java.util.function.Predicate;

/**
 * A record whose {@code @JsonAnySetter} map takes keys of an open family (LiteLLM's price keys:
 * base keys times service tiers, …): keys the predicate accepts are bound there without a warning;
 * the record validates their values.
 */
@Retention(RetentionPolicy.RUNTIME)
@Target(ElementType.TYPE)
public @interface ExtraKeys {
  Class<? extends Predicate<String>> value();
}
