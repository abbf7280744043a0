package io.tollgate.local.containers;

import java.util.Locale;

/**
 * Which servers back the test fixtures: {@code embedded} (default: in-process Kafka, local
 * ClickHouse process) or {@code testcontainers} (Docker images of current Kafka and ClickHouse),
 * chosen with {@code -Dtollgate.fixtures=…} or the {@code TOLLGATE_FIXTURES} variable.
 */
public enum Fixtures {
  EMBEDDED, TESTCONTAINERS;

  public static final String PROPERTY = "tollgate.fixtures";

  /** The choice in force for this JVM. */
  public static Fixtures selected() {
    String value = System.getProperty(PROPERTY, System.getenv().getOrDefault("TOLLGATE_FIXTURES", "embedded"));
    try {
      return valueOf(value.trim().toUpperCase(Locale.ROOT));
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException(PROPERTY + " must be 'embedded' or 'testcontainers', got '" + value + "'");
    }
  }

  /** True when a Docker engine answers; never throws (no Docker is the normal case here). */
  public static boolean dockerAvailable() {
    try {
      Class.forName("org.testcontainers.DockerClientFactory");
      return org.testcontainers.DockerClientFactory.instance().isDockerAvailable();
    } catch (ClassNotFoundException | LinkageError e) {
      return false;
    } catch (RuntimeException e) {
      return false;
    }
  }
}
