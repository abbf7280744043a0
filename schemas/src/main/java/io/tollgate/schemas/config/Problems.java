package io.tollgate.schemas.config;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * Every problem of a configuration, collected so that a user sees all of them at once. Errors stop
 * an app from starting; warnings (unknown keys, LiteLLM settings Tollgate does not implement) are
 * logged at start and make {@code --validate} fail. Messages name the key, never a secret value.
 */
public final class Problems {
  private final Set<String> errors = new LinkedHashSet<>();
  private final Set<String> warnings = new LinkedHashSet<>();

  /** {@code error("tollgate.port", "must be a whole number")} → "tollgate.port must be a whole number". */
  public void error(String path, String message) {
    errors.add(path + " " + message);
  }

  /** {@code warn("litellm_settings.cache", "unknown key")} → "litellm_settings.cache: unknown key". */
  public void warn(String path, String message) {
    warnings.add(path + ": " + message);
  }

  public void addAll(Problems other) {
    errors.addAll(other.errors);
    warnings.addAll(other.warnings);
  }

  /** Whether {@code path} itself already has an error (a value of the wrong type, say): no second one for it. */
  public boolean hasErrorAt(String path) {
    return errors.stream().anyMatch(e -> e.startsWith(path + " "));
  }

  /** Whether {@code path} or anything below it has an error. */
  public boolean hasErrorsUnder(String path) {
    return errors.stream().anyMatch(e -> e.startsWith(path));
  }

  public int errorCount() {
    return errors.size();
  }

  public List<String> errors() {
    return List.copyOf(errors);
  }

  public List<String> warnings() {
    return List.copyOf(warnings);
  }

  /** Throws {@link ConfigException} listing every error (and the warnings after them) when there is one. */
  public void throwIfErrors() {
    if (!errors.isEmpty()) {
      throw new ConfigException(errors(), warnings());
    }
  }

  /** Errors then warnings, one per line, for {@code --validate}. */
  public static String report(List<String> errors, List<String> warnings) {
    List<String> lines = new ArrayList<>();
    errors.forEach(e -> lines.add("  - error: " + e));
    warnings.forEach(w -> lines.add("  - warning: " + w));
    return String.join("\n", lines);
  }

  /**
   * {@code --validate} of any app: loads the config, prints "configuration OK" and returns 0 only
   * when there are neither errors nor warnings; else prints the list and returns 1.
   *
   * @param load     builds the app's config (throws {@link ConfigException} with every error)
   * @param warnings the warnings of a loaded config
   */
  public static <T> int validate(java.util.function.Supplier<T> load, java.util.function.Function<T, List<String>> warnings,
                                 java.io.PrintStream out, java.io.PrintStream err) {
    try {
      T config = load.get();
      List<String> found = warnings.apply(config);
      if (!found.isEmpty()) {
        err.println("configuration has warnings:\n" + report(List.of(), found));
        return 1;
      }
      out.println("configuration OK: " + config);
      return 0;
    } catch (ConfigException e) {
      err.println("invalid configuration:\n" + report(e.problems(), e.warnings()));
      return 1;
    }
  }
}
