package io.tollgate.reconciler;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** {@code reconciler --validate}: OK only without errors and warnings; every problem listed, no secret. */
@Timeout(30)
class MainValidateTest {
  private static final String SECRET = "sk-ant-admin01-secret-value";
  private final ByteArrayOutputStream out = new ByteArrayOutputStream();
  private final ByteArrayOutputStream err = new ByteArrayOutputStream();

  private int validate(String yaml) throws Exception {
    Path file = Files.createTempFile("tollgate", ".yaml");
    Files.writeString(file, yaml);
    try {
      return Main.validate(file, Map.of("ANTHROPIC_ADMIN_KEY", SECRET), new PrintStream(out, true, StandardCharsets.UTF_8),
          new PrintStream(err, true, StandardCharsets.UTF_8));
    } finally {
      Files.delete(file);
    }
  }

  @Test
  void unknownKeysAndErrorsAreListedTogether() throws Exception {
    assertThat(validate("""
        tollgate:
          reconciliation:
            settle_hour: 12
            drift_usd: -1
            anthropic: {admin_key: os.environ/ANTHROPIC_ADMIN_KEY}
            openai: {admin_key: os.environ/OPENAI_ADMIN_KEY}
        """)).isEqualTo(1);
    String text = err.toString(StandardCharsets.UTF_8);
    assertThat(text).contains("error: tollgate.reconciliation.drift_usd must be 0-1000000",
        "error: tollgate.reconciliation.openai.admin_key refers to environment variable OPENAI_ADMIN_KEY",
        "warning: tollgate.reconciliation.settle_hour").doesNotContain(SECRET);
    assertThat(out.toString(StandardCharsets.UTF_8)).isEmpty();
  }

  @Test
  void aCleanConfigIsOkAndItsSummaryHidesTheKey() throws Exception {
    assertThat(validate("""
        tollgate:
          reconciliation:
            anthropic: {admin_key: os.environ/ANTHROPIC_ADMIN_KEY, workspace_ids: [wrkspc_1]}
        """)).isZero();
    assertThat(out.toString(StandardCharsets.UTF_8)).startsWith("configuration OK").contains("wrkspc_1")
        .doesNotContain(SECRET);
  }
}
