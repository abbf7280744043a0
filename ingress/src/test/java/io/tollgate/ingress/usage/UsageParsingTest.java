package io.tollgate.ingress.usage;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** Usage from recorded-shape payloads of both providers, streaming and not, under every chunking. */
@Timeout(30)
class UsageParsingTest {

  static byte[] fixture(String name) {
    try (InputStream in = UsageParsingTest.class.getClassLoader().getResourceAsStream("payloads/" + name)) {
      assertThat(in).as(name).isNotNull();
      return in.readAllBytes();
    } catch (IOException e) {
      throw new AssertionError(e);
    }
  }

  /** The same bytes cut whole, byte by byte, and at random places (fixed seed). */
  static List<List<byte[]>> chunkings(byte[] bytes) {
    List<List<byte[]>> out = new ArrayList<>();
    out.add(List.of(bytes));
    List<byte[]> single = new ArrayList<>();
    for (int i = 0; i < bytes.length; i++) {
      single.add(new byte[] {bytes[i]});
    }
    out.add(single);
    Random random = new Random(7);
    for (int round = 0; round < 20; round++) {
      List<byte[]> chunks = new ArrayList<>();
      int pos = 0;
      while (pos < bytes.length) {
        int n = Math.min(bytes.length - pos, 1 + random.nextInt(64));
        chunks.add(Arrays.copyOfRange(bytes, pos, pos + n));
        pos += n;
      }
      out.add(chunks);
    }
    return out;
  }

  static Usage stream(Api api, List<byte[]> chunks) {
    StreamUsageTap tap = new StreamUsageTap(api);
    chunks.forEach(tap::onBytes);
    return tap.usage();
  }

  @Test
  void anthropicMessageSplitsCacheWritesByTtl() {
    Usage u = UsageJson.fromBody(Api.MESSAGES, fixture("anthropic-message.json"));
    assertThat(u).isEqualTo(new Usage(12, 393, 12_289, 51, 2_000, 0, "claude-sonnet-4-5-20250929",
        "msg_01XFDUDYJgAACzvnptvVoYEL", true, 0, "standard", UsageSource.RESPONSE, false));
  }

  @Test
  void anthropicWithoutTheTtlBreakdownCountsWritesAsFiveMinutes() {
    byte[] body = "{\"model\":\"m\",\"usage\":{\"input_tokens\":5,\"cache_creation_input_tokens\":70,\"output_tokens\":9}}"
        .getBytes(StandardCharsets.UTF_8);
    Usage u = UsageJson.fromBody(Api.MESSAGES, body);
    assertThat(u.cacheWrite5mTokens()).isEqualTo(70);
    assertThat(u.cacheWrite1hTokens()).isZero();
  }

  @Test
  void anthropicStreamTakesInputFromStartAndOutputFromTheLastDelta() {
    Usage expected = new Usage(3, 217, 20_480, 0, 1_542, 0, "claude-sonnet-4-5-20250929",
        "msg_01Bn9tQ2N5w3LqVnF9xYzAbc", true, 0, "standard", UsageSource.STREAM, false);
    for (List<byte[]> chunks : chunkings(fixture("anthropic-stream.sse"))) {
      assertThat(stream(Api.MESSAGES, chunks)).isEqualTo(expected);
    }
  }

  @Test
  void anthropicStreamCutShortKeepsWhatItSaw() {
    byte[] all = fixture("anthropic-stream.sse");
    String text = new String(all, StandardCharsets.UTF_8);
    byte[] cut = text.substring(0, text.indexOf("event: message_delta")).getBytes(StandardCharsets.UTF_8);
    Usage u = stream(Api.MESSAGES, List.of(cut));
    assertThat(u.complete()).isFalse();
    assertThat(u.inputTokens()).isEqualTo(3);
    assertThat(u.cacheReadTokens()).isEqualTo(20_480);
    assertThat(u.outputTokens()).as("message_start's placeholder").isEqualTo(1);
  }

  @Test
  void openAiChatSubtractsCachedTokensFromPrompt() {
    Usage u = UsageJson.fromBody(Api.CHAT_COMPLETIONS, fixture("openai-chat.json"));
    assertThat(u).isEqualTo(new Usage(86, 300, 1_920, 0, 0, 0, "gpt-4.1-2025-04-14",
        "chatcmpl-CQ3x1aBcDeFgHiJkLmNoPqRsTuV", true, 0, "default", UsageSource.RESPONSE, false));
  }

  @Test
  void openAiChatStreamReadsTheIncludeUsageChunk() {
    Usage expected = new Usage(476, 704, 1_024, 0, 0, 640, "o4-mini-2025-04-16", "chatcmpl-CQ4abc", true, 0,
        "default", UsageSource.STREAM, false);
    for (List<byte[]> chunks : chunkings(fixture("openai-chat-stream.sse"))) {
      StreamUsageTap tap = new StreamUsageTap(Api.CHAT_COMPLETIONS);
      chunks.forEach(tap::onBytes);
      assertThat(tap.usage()).isEqualTo(expected);
      assertThat(tap.sawUsageOnlyChunk()).isTrue();
    }
  }

  @Test
  void responsesApiBodyAndStream() {
    assertThat(UsageJson.fromBody(Api.RESPONSES, fixture("openai-responses.json"))).isEqualTo(
        new Usage(1_241, 1_250, 7_680, 0, 0, 1_024, "gpt-5-codex", "resp_68f9a1b2c3d4e5f60718293a4b5c6d7e", true, 0, null,
            UsageSource.RESPONSE, false));
    Usage expected = new Usage(1_154, 512, 14_080, 0, 0, 384, "gpt-5-codex", "resp_0a1b2c", true, 0, null,
        UsageSource.STREAM, false);
    for (List<byte[]> chunks : chunkings(fixture("openai-responses-stream.sse"))) {
      assertThat(stream(Api.RESPONSES, chunks)).isEqualTo(expected);
    }
  }

  @Test
  void embeddingsAndCountTokens() {
    assertThat(UsageJson.fromBody(Api.EMBEDDINGS, fixture("openai-embeddings.json")).inputTokens()).isEqualTo(8);
    Usage count = UsageJson.fromBody(Api.COUNT_TOKENS, "{\"input_tokens\":1234}".getBytes(StandardCharsets.UTF_8));
    assertThat(count.inputTokens()).as("counting tokens is not billed").isZero();
  }

  @Test
  void garbageGivesNoUsageNotAnException() {
    assertThat(UsageJson.fromBody(Api.MESSAGES, "<html>502</html>".getBytes(StandardCharsets.UTF_8))).isEqualTo(Usage.NONE);
    assertThat(stream(Api.MESSAGES, List.of("event: message_start\ndata: {not json\n\n".getBytes(StandardCharsets.UTF_8))))
        .satisfies(u -> assertThat(u.inputTokens()).isZero());
  }

  @Test
  void usageOnlyChunkIsRecognized() {
    assertThat(StreamUsageTap.isUsageOnlyChatChunk(
        "{\"choices\":[],\"usage\":{\"prompt_tokens\":1}}".getBytes(StandardCharsets.UTF_8))).isTrue();
    assertThat(StreamUsageTap.isUsageOnlyChatChunk(
        "{\"choices\":[{\"delta\":{}}],\"usage\":null}".getBytes(StandardCharsets.UTF_8))).isFalse();
  }
}
