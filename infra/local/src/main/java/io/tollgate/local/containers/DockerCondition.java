package io.tollgate.local.containers;

import org.junit.jupiter.api.extension.ConditionEvaluationResult;

/**
 * Decides whether tests that need the selected fixtures can run: with container fixtures but no
 * Docker engine they are skipped (disabled with a reason), never failed.
 */
public final class DockerCondition {
  private DockerCondition() {
  }

  public static ConditionEvaluationResult evaluate() {
    if (Fixtures.selected() == Fixtures.TESTCONTAINERS && !Fixtures.dockerAvailable()) {
      return ConditionEvaluationResult.disabled("-D" + Fixtures.PROPERTY + "=testcontainers but no Docker engine");
    }
    return ConditionEvaluationResult.enabled("fixtures: " + Fixtures.selected().name().toLowerCase(java.util.Locale.ROOT));
  }
}
