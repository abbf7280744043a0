package io.tollgate.launcher;

import static org.assertj.core.api.Assertions.assertThat;

import io.tollgate.alerting.notify.Channel;
import io.tollgate.alerting.notify.SlackChannel;
import io.tollgate.schemas.Alert;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.URI;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The demo's local webhook takes what the real Slack channel sends and shows it on the console. */
class DemoWebhookIT {

  @Test
  void printsTheHeadlineOfEachSlackMessage() {
    ByteArrayOutputStream console = new ByteArrayOutputStream();
    try (DemoWebhook hook = DemoWebhook.start(0, new PrintStream(console, true))) {
      Instant day = Instant.parse("2026-11-25T00:00:00Z");
      Alert alert = Alert.newBuilder().setAlertId("a1").setRuleId("daily-50").setKind("threshold").setSeverity("critical")
          .setScope("customer").setScopeId("wayne-enterprises").setPeriod("day").setWindowStart(day)
          .setSpendNanos(55_350_000_000L).setThresholdNanos(50_000_000_000L).setBaselineMeanNanos(null)
          .setBaselineStddevNanos(null).setZScore(null).setChannels(List.of("slack"))
          .setMessage("customer wayne-enterprises reached its day limit").setCreatedAt(day).setDetails(Map.of()).build();
      Channel.Result result = new SlackChannel(URI.create(hook.url()), null).deliver(alert);
      assertThat(result.delivered()).isTrue();
    }
    assertThat(console.toString()).contains("Slack (local demo webhook): :rotating_light: customer wayne-enterprises "
        + "reached its day limit").contains("Block Kit blocks");
  }
}
