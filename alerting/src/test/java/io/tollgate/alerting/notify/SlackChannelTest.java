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

  @Test
  void aPossibleRepeatSaysSoInSlackAndKeepsItsEmailMessageId() {
    Instant day = Instant.parse("2026-11-25T00:00:00Z");
    Alert alert = Alert.newBuilder().setAlertId("threshold:daily-50:customer:acme:2026-11-25").setRuleId("r")
        .setKind("threshold").setSeverity("critical").setScope("customer").setScopeId("acme").setPeriod("day")
        .setWindowStart(day).setSpendNanos(1).setThresholdNanos(null).setBaselineMeanNanos(null)
        .setBaselineStddevNanos(null).setZScore(null).setChannels(List.of("slack")).setMessage("m").setCreatedAt(day)
        .setDetails(Map.of()).build();
    SlackChannel slack = new SlackChannel(URI.create("http://127.0.0.1:1/hook"), null);
    assertThat(slack.message(alert, false)).doesNotContain("Possible repeat");
    assertThat(slack.message(alert, true)).contains("\"text\":\":repeat: Possible repeat: :rotating_light: m\"",
        "may have arrived already (alert id `threshold:daily-50:customer:acme:2026-11-25`)");
    assertThat(EmailChannel.messageId(alert.getAlertId(), "Tollgate <tollgate@example.com>"))
        .isEqualTo("<threshold_daily-50_customer_acme_2026-11-25@example.com>")
        .isEqualTo(EmailChannel.messageId(alert.getAlertId(), "tollgate@example.com"));
    assertThat(EmailChannel.messageId("a b", "nobody")).isEqualTo("<a_b@tollgate.invalid>");
  }
}
