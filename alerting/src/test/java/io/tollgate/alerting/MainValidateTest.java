package io.tollgate.alerting;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** {@code alerting --validate}: OK only for a config without errors and warnings. */
class MainValidateTest {
  private final ByteArrayOutputStream out = new ByteArrayOutputStream();
  private final ByteArrayOutputStream err = new ByteArrayOutputStream();

  private int validate(String yaml) throws Exception {
    Path file = Files.createTempFile("tollgate", ".yaml");
    Files.writeString(file, yaml);
    return Main.validate(file, Map.of(), new PrintStream(out, true, StandardCharsets.UTF_8),
        new PrintStream(err, true, StandardCharsets.UTF_8));
  }

  @Test
  void warningsAndErrorsFailValidationAndAreListed() throws Exception {
    assertThat(validate("""
        general_settings: {store_model_in_db: true}
        tollgate: {alerts: {thresholds: [{id: t, scope: customer, period: day, amount_usd: 5, channels: [log]}]}}
        """)).isEqualTo(1);
    assertThat(err.toString(StandardCharsets.UTF_8))
        .contains("warning: general_settings.store_model_in_db: not implemented by Tollgate, ignored");
    err.reset();
    assertThat(validate("""
        tollgate: {alerts: {anomalies: [{id: a, scope: customer, period: day, z_warning: abc, channels: [log]}]}}
        """)).isEqualTo(1);
    assertThat(err.toString(StandardCharsets.UTF_8)).contains("error: tollgate.alerts.anomalies[0].z_warning must be a number");
    assertThat(out.toString(StandardCharsets.UTF_8)).isEmpty();
  }

  @Test
  void aCleanConfigIsOk() throws Exception {
    assertThat(validate("""
        tollgate: {alerts: {thresholds: [{id: t, scope: customer, period: day, amount_usd: 5, channels: [log]}]}}
        """)).isZero();
    assertThat(out.toString(StandardCharsets.UTF_8)).startsWith("configuration OK");
  }
}
