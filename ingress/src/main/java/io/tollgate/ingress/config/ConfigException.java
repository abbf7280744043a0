package io.tollgate.ingress.config;

import java.util.List;

/** Every problem of the gateway's configuration, reported together. Messages never contain secret values. */
public final class ConfigException extends io.tollgate.schemas.config.ConfigException {
  private static final long serialVersionUID = 1L;

  public ConfigException(List<String> problems) {
    super(problems);
  }

  public ConfigException(List<String> problems, List<String> warnings) {
    super(problems, warnings);
  }
}
