package io.tollgate.ingress.usage;

import static io.tollgate.ingress.usage.UsageParsingTest.chunkings;
import static io.tollgate.ingress.usage.UsageParsingTest.fixture;
import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** Gemini's usageMetadata from recorded-shape payloads: a body, the SSE stream, the JSON-array stream. */
@Timeout(30)
class GeminiUsageTest {

  private static Usage body(Api api, List<byte[]> chunks) {
    BodyUsageReader reader = new BodyUsageReader(api, null);
    chunks.forEach(reader::onBytes);
    return reader.usage();
  }

  @Test
  void cachedTokensAreSubtractedFromThePromptAndThoughtsAreOutput() {
    // promptTokenCount 1200 includes 1024 cached; output = 9 candidates + 53 thoughts
    Usage expected = new Usage(176, 62, 1_024, 0, 0, 53, "gemini-2.5-flash", "kc4uaePVM-OqvdIPxq2q-Ac", true, 0,
        null, UsageSource.RESPONSE, false);
    assertThat(UsageJson.fromBody(Api.GENERATE_CONTENT, fixture("gemini-generate.json"))).isEqualTo(expected);
    for (List<byte[]> chunks : chunkings(fixture("gemini-generate.json"))) {
      assertThat(body(Api.GENERATE_CONTENT, chunks)).isEqualTo(expected);
    }
  }

  @Test
  void sseStreamTakesTheLastChunksUsageNotTheSum() {
    // chunks say 0, 5+300, 14+1211 output: the last one is the total
    Usage expected = new Usage(11, 1_225, 0, 0, 0, 1_211, "gemini-2.5-pro", "0s4uaYmTLoKcvdIP1uKY0Qk", true, 0, null,
        UsageSource.STREAM, false);
    for (List<byte[]> chunks : chunkings(fixture("gemini-stream.sse"))) {
      StreamUsageTap tap = new StreamUsageTap(Api.STREAM_GENERATE_CONTENT);
      chunks.forEach(tap::onBytes);
      assertThat(tap.usage()).isEqualTo(expected);
    }
  }

  @Test
  void sseStreamCutBeforeItsFinishReasonIsPartial() {
    String text = new String(fixture("gemini-stream.sse"), StandardCharsets.UTF_8);
    byte[] cut = text.substring(0, text.lastIndexOf("data: ")).getBytes(StandardCharsets.UTF_8);
    StreamUsageTap tap = new StreamUsageTap(Api.STREAM_GENERATE_CONTENT);
    tap.onBytes(cut);
    Usage u = tap.usage();
    assertThat(u.source()).isEqualTo(UsageSource.PARTIAL);
    assertThat(u.inputTokens()).isEqualTo(11);
    assertThat(u.outputTokens()).isEqualTo(305);
  }

  @Test
  void jsonArrayStreamCountsToolUsePromptTokensAsInput() {
    // 20 prompt + 130 tool-use prompt tokens in, 42 out
    Usage expected = new Usage(150, 42, 0, 0, 0, 0, "gemini-2.0-flash", "Ys8uaf2PFdm7vdIPo8-hoQ4", true, 0, null,
        UsageSource.STREAM, false);
    for (List<byte[]> chunks : chunkings(fixture("gemini-stream-array.json"))) {
      assertThat(body(Api.STREAM_GENERATE_CONTENT, chunks)).isEqualTo(expected);
    }
  }

  @Test
  void jsonArrayStreamCutMidElementKeepsTheLastCompleteElement() {
    byte[] all = fixture("gemini-stream-array.json");
    String text = new String(all, StandardCharsets.UTF_8);
    byte[] cut = Arrays.copyOf(all, text.indexOf("\"finishReason\""));
    Usage u = body(Api.STREAM_GENERATE_CONTENT, List.of(cut));
    assertThat(u.source()).isEqualTo(UsageSource.PARTIAL);
    assertThat(u.inputTokens()).isEqualTo(20);
    assertThat(u.outputTokens()).isZero();
  }

  @Test
  void countTokensIsFreeAndEmbeddingsWithoutUsageAreNotGuessed() {
    Usage count = UsageJson.fromBody(Api.GEMINI_COUNT_TOKENS, fixture("gemini-count-tokens.json"));
    assertThat(count.source()).isEqualTo(UsageSource.RESPONSE);
    assertThat(count.inputTokens()).isZero();
    assertThat(UsageJson.fromBody(Api.EMBED_CONTENT, fixture("gemini-embed.json"))).isEqualTo(Usage.NONE);
    Usage embed = UsageJson.fromBody(Api.EMBED_CONTENT,
        "{\"embedding\":{\"values\":[0.1]},\"usageMetadata\":{\"promptTokenCount\":8}}".getBytes(StandardCharsets.UTF_8));
    assertThat(embed.inputTokens()).isEqualTo(8);
  }

  @Test
  void oddCountsAreClampedNotThrown() {
    byte[] odd = ("{\"usageMetadata\":{\"promptTokenCount\":5,\"cachedContentTokenCount\":9,"
        + "\"candidatesTokenCount\":-3,\"thoughtsTokenCount\":\"7\",\"toolUsePromptTokenCount\":1e30}}")
        .getBytes(StandardCharsets.UTF_8);
    Usage u = UsageJson.fromBody(Api.GENERATE_CONTENT, odd);
    assertThat(u.clamped()).isTrue();
    assertThat(u.cacheReadTokens()).as("cached capped at the prompt").isEqualTo(5);
    assertThat(u.inputTokens()).isEqualTo(Usage.MAX_COUNT);
    assertThat(u.outputTokens()).isEqualTo(7);
    assertThat(u.reasoningTokens()).isEqualTo(7);
    for (String garbage : new String[] {"", "[", "[1,2]", "{\"usageMetadata\":[]}", "<html>", "[{\"a\":1},"}) {
      assertThat(UsageJson.fromBody(Api.STREAM_GENERATE_CONTENT, garbage.getBytes(StandardCharsets.UTF_8)).inputTokens())
          .as(garbage).isZero();
    }
  }
}
