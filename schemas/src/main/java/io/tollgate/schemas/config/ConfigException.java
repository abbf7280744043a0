package io.tollgate.schemas.config;

import java.util.List;

/** Every error of a configuration, reported together. Messages never contain secret values. */
public class ConfigException extends IllegalArgumentException {
  private static final long serialVersionUID = 1L;
  private final transient List<String> problems;
  private final transient List<String> warnings;

  public ConfigException(List<String> problems) {
    this(problems, List.of());
  }

  public ConfigException(List<String> problems, List<String> warnings) {
    super("invalid configuration:\n  - " + String.join("\n  - ", problems)
        + (warnings.isEmpty() ? "" : "\nwarnings:\n  - " + String.join("\n  - ", warnings)));
    this.problems = List.copyOf(problems);
    this.warnings = List.copyOf(warnings);
  }

  /** The errors. */
  public List<String> problems() {
    return problems;
  }

  /** Warnings found alongside (unknown keys, unimplemented settings). */
  public List<String> warnings() {
    return warnings;
  }
}
