package io.tollgate.ingress.config;

import java.util.List;

/** Every problem of a configuration, reported together. Messages never contain secret values. */
public final class ConfigException extends IllegalArgumentException {
  private static final long serialVersionUID = 1L;
  private final transient List<String> problems;

  public ConfigException(List<String> problems) {
    super("invalid configuration:\n  - " + String.join("\n  - ", problems));
    this.problems = List.copyOf(problems);
  }

  public List<String> problems() {
    return problems;
  }
}
