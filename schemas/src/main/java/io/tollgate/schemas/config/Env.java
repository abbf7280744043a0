package io.tollgate.schemas.config;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;

/**
 * LiteLLM's {@code os.environ/NAME} references, resolved against the environment. The one place
 * that does it, for every app; a reference to an unset variable is an error naming the variable,
 * never showing a value.
 */
public final class Env {
  public static final String PREFIX = "os.environ/";
  private final Map<String, String> env;

  public Env(Map<String, String> env) {
    this.env = Objects.requireNonNull(env);
  }

  /** The variable {@code name}, or null when unset or blank (environment overrides). */
  public String get(String name) {
    String v = env.get(name);
    return v == null || v.isBlank() ? null : v.trim();
  }

  /** {@code value} itself, or the variable it refers to; null stays null. */
  public String resolve(String path, String value, Problems problems) {
    if (value == null || !value.startsWith(PREFIX)) {
      return value;
    }
    String name = value.substring(PREFIX.length());
    String v = env.get(name);
    if (v == null || v.isBlank()) {
      problems.error(path, "refers to environment variable " + name + ", which is not set");
      return null;
    }
    return v;
  }

  /** Every value resolved (entries whose variable is unset are left out, with an error). */
  public Map<String, String> resolveAll(String path, Map<String, String> values, Problems problems) {
    Map<String, String> out = new LinkedHashMap<>();
    if (values != null) {
      values.forEach((k, v) -> {
        String r = resolve(path + "." + k, v, problems);
        if (r != null) {
          out.put(k, r);
        }
      });
    }
    return out;
  }

  /** An integer from an environment override such as {@code TOLLGATE_PORT}; problems name the variable. */
  public Integer integer(String name, Problems problems) {
    String v = get(name);
    if (v == null) {
      return null;
    }
    try {
      return Integer.valueOf(v);
    } catch (NumberFormatException e) {
      problems.error("environment variable " + name, "must be a whole number");
      return null;
    }
  }
}
