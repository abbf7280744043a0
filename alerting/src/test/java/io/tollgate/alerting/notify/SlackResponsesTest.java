package io.tollgate.alerting.notify;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

@Timeout(10)
class SlackResponsesTest {

  @ParameterizedTest
  @CsvSource({"404, no_service", "403, invalid_token", "403, action_prohibited", "410, channel_is_archived",
      "400, invalid_payload", "400, no_text"})
  void slacksAnswersForARevokedWebhookOrABadMessageArePermanent(int status, String body) {
    Channel.Result r = SlackResponses.classify(status, body, Optional.empty());
    assertThat(r.delivered()).isFalse();
    assertThat(r.permanent()).isTrue();
    assertThat(r.error()).isEqualTo("Slack answered HTTP " + status + " " + body);
  }

  @ParameterizedTest
  @CsvSource({"500", "502", "503", "504", "408"})
  void serverErrorsAndTimeoutsAreRetried(int status) {
    Channel.Result r = SlackResponses.classify(status, "", Optional.empty());
    assertThat(r.delivered()).isFalse();
    assertThat(r.permanent()).isFalse();
  }

  @Test
  void rateLimitedIsRetriedAfterTheWaitSlackAskedFor() {
    Channel.Result r = SlackResponses.classify(429, "rate_limited", Optional.of("30"));
    assertThat(r.permanent()).isFalse();
    assertThat(r.retryAfter()).isEqualTo(Duration.ofSeconds(30));
    assertThat(SlackResponses.classify(429, "", Optional.of("soon")).retryAfter()).isNull();
  }

  @Test
  void okIsDelivered() {
    assertThat(SlackResponses.classify(200, "ok", Optional.empty()).delivered()).isTrue();
  }

  @Test
  void onlySlacksShortReasonWordsReachTheError() {
    assertThat(SlackResponses.reason("<html>https://hooks.slack.com/services/T/B/secret</html>")).isEmpty();
    assertThat(SlackResponses.classify(404, "Not found: /services/T/B/s3cr3t", Optional.empty()).error())
        .isEqualTo("Slack answered HTTP 404");
  }
}
