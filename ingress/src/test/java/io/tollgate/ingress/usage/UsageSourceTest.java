package io.tollgate.ingress.usage;

import static io.tollgate.ingress.usage.UsageParsingTest.chunkings;
import static io.tollgate.ingress.usage.UsageParsingTest.fixture;
import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** Where the counts came from: a cut or usage-less stream must never look like a real $0. */
@Timeout(30)
class UsageSourceTest {

  private static Usage stream(Api api, String text) {
    StreamUsageTap tap = new StreamUsageTap(api);
    tap.onBytes(text.getBytes(StandardCharsets.UTF_8));
    return tap.usage();
  }

  private static String text(String fixture) {
    return new String(fixture(fixture), StandardCharsets.UTF_8);
  }

  /** The same stream without {@code event:} lines, as some proxies and SDK re-emitters send it. */
  private static String withoutEventLines(String sse) {
    return sse.replaceAll("(?m)^event:[^\\n]*\\n", "");
  }

  @Test
  void aBodyWithUsageIsResponseAndOneWithoutIsNone() {
    assertThat(UsageJson.fromBody(Api.MESSAGES, fixture("anthropic-message.json")).source()).isEqualTo(UsageSource.RESPONSE);
    assertThat(UsageJson.fromBody(Api.CHAT_COMPLETIONS, "{\"id\":\"x\",\"choices\":[]}".getBytes(StandardCharsets.UTF_8)).source())
        .isEqualTo(UsageSource.NONE);
    assertThat(Usage.NONE.source()).isEqualTo(UsageSource.NONE);
  }

  @Test
  void anthropicStreamCompleteCutAndEmpty() {
    String all = text("anthropic-stream.sse");
    assertThat(stream(Api.MESSAGES, all).source()).isEqualTo(UsageSource.STREAM);
    Usage cut = stream(Api.MESSAGES, all.substring(0, all.indexOf("event: message_delta")));
    assertThat(cut.source()).isEqualTo(UsageSource.PARTIAL);
    assertThat(cut.complete()).isFalse();
    assertThat(cut.inputTokens()).isEqualTo(3);
    assertThat(stream(Api.MESSAGES, all.substring(0, 10)).source()).isEqualTo(UsageSource.NONE);
    assertThat(stream(Api.MESSAGES, "event: message_stop\ndata: {\"type\":\"message_stop\"}\n\n").source())
        .as("a stop without any usage is not a real $0").isEqualTo(UsageSource.NONE);
  }

  @Test
  void openAiChatCutBeforeTheUsageChunkIsNotFinal() {
    String all = text("openai-chat-stream.sse");
    int usageChunk = all.indexOf("\"choices\":[],\"usage\"");
    Usage cut = stream(Api.CHAT_COMPLETIONS, all.substring(0, all.lastIndexOf("data:", usageChunk)));
    assertThat(cut.complete()).isFalse();
    assertThat(cut.source()).as("nothing counted yet").isEqualTo(UsageSource.NONE);
    assertThat(cut.model()).isEqualTo("o4-mini-2025-04-16");

    String noUsage = all.substring(0, all.lastIndexOf("data:", usageChunk)) + "data: [DONE]\n\n";
    assertThat(stream(Api.CHAT_COMPLETIONS, noUsage).source())
        .as("[DONE] from an upstream that ignored include_usage: not a real $0").isEqualTo(UsageSource.NONE);
  }

  @Test
  void openAiChatWithUsageInEveryChunkCutShortIsPartial() {
    String chunk = "data: {\"id\":\"c1\",\"model\":\"m\",\"choices\":[{\"delta\":{\"content\":\"x\"},\"finish_reason\":null}],"
        + "\"usage\":{\"prompt_tokens\":50,\"completion_tokens\":%d}}\n\n";
    Usage u = stream(Api.CHAT_COMPLETIONS, chunk.formatted(1) + chunk.formatted(2));
    assertThat(u.source()).isEqualTo(UsageSource.PARTIAL);
    assertThat(u.outputTokens()).isEqualTo(2);
    assertThat(stream(Api.CHAT_COMPLETIONS, chunk.formatted(1) + chunk.formatted(2) + "data: [DONE]\n\n").source())
        .isEqualTo(UsageSource.STREAM);
  }

  @Test
  void responsesStreamCutBeforeCompletedIsNotFinal() {
    String all = text("openai-responses-stream.sse");
    Usage cut = stream(Api.RESPONSES, all.substring(0, all.indexOf("event: response.completed")));
    assertThat(cut.complete()).isFalse();
    assertThat(cut.model()).isEqualTo("gpt-5-codex");
    assertThat(stream(Api.RESPONSES, all).source()).isEqualTo(UsageSource.STREAM);
  }

  @Test
  void streamsWithoutEventLinesAreReadByTheirTypeField() {
    for (String[] c : new String[][] {{"anthropic-stream.sse", "MESSAGES"}, {"openai-responses-stream.sse", "RESPONSES"}}) {
      Api api = Api.valueOf(c[1]);
      String sse = text(c[0]);
      Usage expected = stream(api, sse);
      assertThat(expected.source()).isEqualTo(UsageSource.STREAM);
      byte[] bare = withoutEventLines(sse).getBytes(StandardCharsets.UTF_8);
      assertThat(new String(bare, StandardCharsets.UTF_8)).doesNotContain("event:");
      for (List<byte[]> chunks : chunkings(bare)) {
        StreamUsageTap tap = new StreamUsageTap(api);
        chunks.forEach(tap::onBytes);
        assertThat(tap.usage()).as(c[0]).isEqualTo(expected);
      }
    }
  }

  @Test
  void eventStreamContentTypesInAnyCasingAndWithParameters() {
    assertThat(StreamUsageTap.isEventStream("text/event-stream")).isTrue();
    assertThat(StreamUsageTap.isEventStream("Text/Event-Stream; charset=utf-8")).isTrue();
    assertThat(StreamUsageTap.isEventStream("  TEXT/EVENT-STREAM ;charset=UTF-8")).isTrue();
    assertThat(StreamUsageTap.isEventStream("text/event-stream;")).isTrue();
    assertThat(StreamUsageTap.isEventStream("application/json")).isFalse();
    assertThat(StreamUsageTap.isEventStream("text/event-streamx")).isFalse();
    assertThat(StreamUsageTap.isEventStream("")).isFalse();
    assertThat(StreamUsageTap.isEventStream(null)).isFalse();
  }

  @Test
  void theUsageOnlyChunkTestNeverThrows() {
    assertThat(StreamUsageTap.isUsageOnlyChatChunk(null)).isFalse();
    assertThat(StreamUsageTap.isUsageOnlyChatChunk("{\"usage\"".getBytes(StandardCharsets.UTF_8))).isFalse();
    assertThat(StreamUsageTap.isUsageOnlyChatChunk("[\"usage\"]".getBytes(StandardCharsets.UTF_8))).isFalse();
    assertThat(StreamUsageTap.isUsageOnlyChatChunk(
        "{\"choices\":[],\"usage\":{\"prompt_tokens\":-1}}".getBytes(StandardCharsets.UTF_8))).isTrue();
  }
}
