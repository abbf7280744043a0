package io.tollgate.schemas.config;

import java.util.Collection;
import java.util.LinkedHashSet;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Logs configuration warnings at start, once each (the launcher's apps share one file). */
public final class ConfigWarnings {
  private static final Logger LOG = LoggerFactory.getLogger("io.tollgate.config");

  private ConfigWarnings() {
  }

  @SafeVarargs
  public static void log(Collection<String>... warnings) {
    LinkedHashSet<String> all = new LinkedHashSet<>();
    for (Collection<String> w : warnings) {
      all.addAll(w);
    }
    all.forEach(w -> LOG.warn("config: {}", w));
  }
}
