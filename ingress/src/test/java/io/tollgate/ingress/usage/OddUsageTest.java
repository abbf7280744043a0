package io.tollgate.ingress.usage;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;

import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** Token counts upstream should never send: the event is still written, the numbers clamped and flagged. */
@Timeout(30)
class OddUsageTest {

  private static byte[] bytes(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }

  private static Usage anthropicBody(String inputValue) {
    return UsageJson.fromBody(Api.MESSAGES, bytes(
        "{\"model\":\"claude-sonnet-4-5\",\"usage\":{\"input_tokens\":" + inputValue + ",\"output_tokens\":7}}"));
  }

  @ParameterizedTest(name = "input_tokens {0} -> {1}")
  @CsvSource(delimiter = '|', value = {
      "-5 | 0",
      "1000000000000 | 10000000000",
      "1e30 | 10000000000",
      "99999999999999999999999999 | 10000000000",
      "1.5 | 1",
      "0.5 | 0",
      "-1e30 | 0",
      "'\"12\"' | 12",
      "'\"abc\"' | 0",
      "true | 0",
      "'{\"a\":1}' | 0",
      "'[3]' | 0"})
  void oddCountsAreClampedAndFlaggedNotThrown(String value, long expected) {
    Usage u = anthropicBody(value);
    assertThat(u.source()).isEqualTo(UsageSource.RESPONSE);
    assertThat(u.inputTokens()).isEqualTo(expected);
    assertThat(u.outputTokens()).isEqualTo(7);
    assertThat(u.clamped()).isTrue();
  }

  @Test
  void ordinaryCountsAreNotFlagged() {
    assertThat(anthropicBody("12").clamped()).isFalse();
    assertThat(anthropicBody("null").clamped()).as("null is an absent count").isFalse();
    assertThat(anthropicBody("10000000000").clamped()).as("the maximum itself is accepted").isFalse();
  }

  @Test
  void theRecordClampsInsteadOfThrowing() {
    Usage u = new Usage(-1, Long.MAX_VALUE, 0, Long.MIN_VALUE, 3, 5, null, null, true);
    assertThat(u.inputTokens()).isZero();
    assertThat(u.outputTokens()).isEqualTo(Usage.MAX_COUNT);
    assertThat(u.cacheWrite5mTokens()).isZero();
    assertThat(u.clamped()).isTrue();
    assertThat(u.promptTokens()).as("cannot overflow").isEqualTo(3);
    assertThat(new Usage(1, 2, 3, 4, 5, 0, null, null, true).clamped()).isFalse();
  }

  @Test
  void reasoningAboveOutputIsCappedAtOutput() {
    Usage u = UsageJson.fromBody(Api.CHAT_COMPLETIONS, bytes(
        "{\"usage\":{\"prompt_tokens\":10,\"completion_tokens\":4,\"completion_tokens_details\":{\"reasoning_tokens\":9}}}"));
    assertThat(u.reasoningTokens()).isEqualTo(4);
    assertThat(u.clamped()).isTrue();
  }

  @Test
  void cachedAbovePromptIsCappedAtThePromptAndFlagged() {
    Usage chat = UsageJson.fromBody(Api.CHAT_COMPLETIONS, bytes(
        "{\"usage\":{\"prompt_tokens\":100,\"completion_tokens\":5,\"prompt_tokens_details\":{\"cached_tokens\":150}}}"));
    assertThat(chat.cacheReadTokens()).as("not billed as reads beyond the prompt").isEqualTo(100);
    assertThat(chat.inputTokens()).isZero();
    assertThat(chat.clamped()).isTrue();

    Usage responses = UsageJson.fromBody(Api.RESPONSES, bytes(
        "{\"usage\":{\"input_tokens\":10,\"output_tokens\":5,\"input_tokens_details\":{\"cached_tokens\":11}}}"));
    assertThat(responses.cacheReadTokens()).isEqualTo(10);
    assertThat(responses.inputTokens()).isZero();
    assertThat(responses.clamped()).isTrue();

    Usage ok = UsageJson.fromBody(Api.RESPONSES, bytes(
        "{\"usage\":{\"input_tokens\":10,\"output_tokens\":5,\"input_tokens_details\":{\"cached_tokens\":10}}}"));
    assertThat(ok.clamped()).isFalse();
  }

  @Test
  void aNegativeCountInAStreamNeitherThrowsNorLosesTheRest() {
    String sse = """
        event: message_start
        data: {"type":"message_start","message":{"id":"msg_1","model":"claude-sonnet-4-5","usage":{"input_tokens":-3,"output_tokens":1}}}

        event: message_delta
        data: {"type":"message_delta","delta":{"stop_reason":"end_turn"},"usage":{"output_tokens":1e30}}

        event: message_stop
        data: {"type":"message_stop"}

        """;
    for (List<byte[]> chunks : UsageParsingTest.chunkings(bytes(sse))) {
      StreamUsageTap tap = new StreamUsageTap(Api.MESSAGES);
      assertThatCode(() -> chunks.forEach(tap::onBytes)).doesNotThrowAnyException();
      Usage u = tap.usage();
      assertThat(u.inputTokens()).isZero();
      assertThat(u.outputTokens()).isEqualTo(Usage.MAX_COUNT);
      assertThat(u.clamped()).isTrue();
      assertThat(u.source()).isEqualTo(UsageSource.STREAM);
    }
  }

  @Test
  void webSearchRequestsAndServiceTierAreRead() {
    Usage body = UsageJson.fromBody(Api.MESSAGES, bytes("{\"usage\":{\"input_tokens\":5,\"output_tokens\":7,"
        + "\"server_tool_use\":{\"web_search_requests\":3},\"service_tier\":\"batch\"}}"));
    assertThat(body.webSearchRequests()).isEqualTo(3);
    assertThat(body.serviceTier()).isEqualTo("batch");

    StreamUsageTap tap = new StreamUsageTap(Api.MESSAGES);
    tap.onBytes(bytes("""
        event: message_start
        data: {"type":"message_start","message":{"usage":{"input_tokens":5,"output_tokens":1,"service_tier":"priority"}}}

        event: message_delta
        data: {"type":"message_delta","delta":{"stop_reason":"end_turn"},"usage":{"output_tokens":90,"server_tool_use":{"web_search_requests":2}}}

        """));
    assertThat(tap.usage().webSearchRequests()).isEqualTo(2);
    assertThat(tap.usage().serviceTier()).isEqualTo("priority");

    Usage chat = UsageJson.fromBody(Api.CHAT_COMPLETIONS, UsageParsingTest.fixture("openai-chat.json"));
    assertThat(chat.serviceTier()).isEqualTo("default");
    StreamUsageTap responses = new StreamUsageTap(Api.RESPONSES);
    responses.onBytes(bytes("event: response.completed\ndata: {\"type\":\"response.completed\",\"response\":"
        + "{\"service_tier\":\"flex\",\"usage\":{\"input_tokens\":3,\"output_tokens\":4}}}\n\n"));
    assertThat(responses.usage().serviceTier()).isEqualTo("flex");
  }
}
