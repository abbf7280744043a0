package io.tollgate.alerting.notify;

import static org.assertj.core.api.Assertions.assertThat;

import io.tollgate.schemas.Alert;
import java.net.URI;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class SlackChannelTest {

  @Test
  void aWebhookTheHttpClientRefusesIsARetryNotACrashAndTheUrlStaysSecret() {
    Instant day = Instant.parse("2026-11-25T00:00:00Z");
    Alert alert = Alert.newBuilder().setAlertId("a").setRuleId("r").setKind("threshold").setSeverity("critical")
        .setScope("customer").setScopeId("acme").setPeriod("day").setWindowStart(day).setSpendNanos(1)
        .setThresholdNanos(null).setBaselineMeanNanos(null).setBaselineStddevNanos(null).setZScore(null)
        .setChannels(List.of("slack")).setMessage("m").setCreatedAt(day).setDetails(Map.of()).build();
    Channel.Result r = new SlackChannel(URI.create("ftp://hooks.example.com/services/s3cr3t"), null).deliver(alert);
    assertThat(r.delivered()).isFalse();
    assertThat(r.error()).startsWith("Slack call failed").doesNotContain("s3cr3t");
  }
}
