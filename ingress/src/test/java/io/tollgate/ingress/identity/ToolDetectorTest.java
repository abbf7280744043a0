package io.tollgate.ingress.identity;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.api.Test;

class ToolDetectorTest {

  @ParameterizedTest(name = "{0}")
  @CsvSource(delimiter = '|', value = {
      "claude-cli/2.1.3 (external, sdk-cli)|claude-code|2.1.3",
      "claude-cli/1.0.113 (external, cli)|claude-code|1.0.113",
      "codex_cli_rs/0.46.0 (Mac OS 15.6.1; arm64) iTerm.app/3.6.2|codex|0.46.0",
      "codex_exec/0.47.0 (Ubuntu 24.4.0; x86_64) unknown (codex_exec; 0.47.0)|codex|0.47.0",
      "codex_vscode/0.45.1 (Windows 10.0.26100; x86_64) unknown|codex|0.45.1",
      "GeminiCLI/0.9.0 (linux; x64)|gemini-cli|0.9.0",
      "GeminiCLI/0.61.0/gemini-2.5-pro (linux; x64; terminal)|gemini-cli|0.61.0",
      "GeminiCLI-tui/0.61.0/gemini-2.5-flash (linux; x64; terminal)|gemini-cli|0.61.0",
      "GeminiCLI-a2a-server/0.61.0/gemini-2.5-pro (darwin; arm64; vscode)|gemini-cli|0.61.0",
      "GeminiCLI/0.62.0-preview.1/gemini-3-pro-preview (darwin; arm64; vscode)|gemini-cli|0.62.0-preview.1",
      "RooCode/3.28.15|roo-code|3.28.15",
      "Cursor/1.7.44|cursor|1.7.44",
      "Cline/3.32.5|cline|3.32.5",
      "Aider/0.86.1|aider|0.86.1",
      "Continue/1.2.0|continue|1.2.0",
      "Anthropic/Python 0.69.0|anthropic-sdk-python|0.69.0",
      "Anthropic/JS 0.65.0|anthropic-sdk-js|0.65.0",
      "OpenAI/Python 1.109.1|openai-sdk-python|1.109.1",
      "AsyncOpenAI/Python 1.109.1|openai-sdk-python|1.109.1",
      "OpenAI/JS 5.23.0|openai-sdk-js|5.23.0",
      "litellm/1.78.5|litellm|1.78.5",
      "curl/8.5.0|curl|8.5.0",
  })
  void knownClients(String userAgent, String tool, String version) {
    Tool t = ToolDetector.detect(userAgent);
    assertThat(t.name()).isEqualTo(tool);
    assertThat(t.version()).isEqualTo(version);
    assertThat(t.userAgent()).isEqualTo(userAgent);
  }

  private static java.util.function.Function<String, String> headers(String... kv) {
    java.util.Map<String, String> m = new java.util.HashMap<>();
    for (int i = 0; i < kv.length; i += 2) {
      m.put(kv[i], kv[i + 1]);
    }
    return m::get;
  }

  @Test
  void toolsThatSendOnlyTheirSdksUserAgentAreKnownByTheirHeaders() {
    // Cline's OpenAI-compatible provider: the SDK's UA, the tool in X-Title / HTTP-Referer
    Tool cline = ToolDetector.fromHeaders(headers("user-agent", "OpenAI/JS 4.96.0", "x-title", "Cline",
        "http-referer", "https://cline.bot"));
    assertThat(cline).isEqualTo(new Tool("cline", null, "OpenAI/JS 4.96.0"));
    assertThat(ToolDetector.fromHeaders(headers("user-agent", "OpenAI/JS 4.96.0", "http-referer", "https://cline.bot")).name())
        .isEqualTo("cline");
    assertThat(ToolDetector.fromHeaders(headers("user-agent", "OpenAI/JS 5.0.1", "x-title", "Roo Code",
        "http-referer", "https://github.com/RooVetGit/Roo-Cline")).name()).isEqualTo("roo-code");
    Tool codex = ToolDetector.fromHeaders(headers("user-agent", "reqwest/0.12", "originator", "codex_cli_rs"));
    assertThat(codex.name()).isEqualTo("codex");
    assertThat(codex.version()).isNull();
    // a tool's own User-Agent wins over headers; a header's mere mention of a name does not count
    assertThat(ToolDetector.fromHeaders(headers("user-agent", "codex_cli_rs/0.46.0 (Linux)", "originator", "codex_cli_rs"))
        .version()).isEqualTo("0.46.0");
    assertThat(ToolDetector.fromHeaders(headers("user-agent", "OpenAI/JS 4.96.0", "x-title", "My Cline fork")).name())
        .isEqualTo("openai-sdk-js");
    assertThat(ToolDetector.fromHeaders(headers("originator", "someone_else")).name()).isEqualTo("other");
    assertThat(ToolDetector.fromHeaders(headers()).name()).isEqualTo("other");
  }

  @Test
  void unknownKeepsTheTruncatedUserAgent() {
    Tool t = ToolDetector.detect("Mozilla/5.0 " + "x".repeat(400));
    assertThat(t.name()).isEqualTo("other");
    assertThat(t.version()).isNull();
    assertThat(t.userAgent()).hasSize(ToolDetector.MAX_USER_AGENT);
    assertThat(ToolDetector.detect(null)).isEqualTo(new Tool("other", null, null));
    assertThat(ToolDetector.detect("  ").name()).isEqualTo("other");
  }

  @Test
  void claudeCodeSessionIdFromBothMetadataFormats() {
    assertThat(ClaudeCodeSession.sessionId("{\"device_id\":\"d1\",\"account_uuid\":\"a1\",\"session_id\":\"5f0c-1234\"}"))
        .isEqualTo("5f0c-1234");
    assertThat(ClaudeCodeSession.sessionId(
        "user_2f8e0e_account_0b4e1b9a-1111-2222-3333-444455556666_session_9c1d2e3f-aaaa-bbbb-cccc-ddddeeeeffff"))
        .isEqualTo("9c1d2e3f-aaaa-bbbb-cccc-ddddeeeeffff");
    assertThat(ClaudeCodeSession.sessionId("alice@example.com")).isNull();
    assertThat(ClaudeCodeSession.sessionId("{broken json")).isNull();
    assertThat(ClaudeCodeSession.sessionId("{\"session_id\":42}")).isNull();
    assertThat(ClaudeCodeSession.sessionId(null)).isNull();
  }

  /** The User-Agent cache: the headers still decide per call, and a client cycling User-Agents cannot grow it. */
  @Test
  void cachedUserAgentsStillLetHeadersDecideAndTheCacheStaysBounded() {
    for (int round = 0; round < 2; round++) { // the second round is served from the cache
      assertThat(ToolDetector.fromHeaders(headers("user-agent", "OpenAI/JS 4.96.0", "x-title", "Cline")).name())
          .isEqualTo("cline");
      Tool sdk = ToolDetector.fromHeaders(headers("user-agent", "OpenAI/JS 4.96.0"));
      assertThat(sdk.name()).isEqualTo("openai-sdk-js");
      assertThat(sdk.version()).isEqualTo("4.96.0");
      assertThat(ToolDetector.detect("claude-cli/2.1.3 (external, cli)").version()).isEqualTo("2.1.3");
    }
    for (int i = 0; i < 3 * ToolDetector.CACHE_MAX; i++) {
      assertThat(ToolDetector.detect("bot-" + i).name()).isEqualTo(Tool.OTHER);
      assertThat(ToolDetector.cached()).isLessThanOrEqualTo(ToolDetector.CACHE_MAX);
    }
    assertThat(ToolDetector.detect("x".repeat(10_000)).userAgent()).hasSize(ToolDetector.MAX_USER_AGENT);
  }
}
