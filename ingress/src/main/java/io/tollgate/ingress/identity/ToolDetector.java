package io.tollgate.ingress.identity;

import java.util.List;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Names the coding tool from a User-Agent. Specific tools are checked before the SDKs they are
 * built on (Claude Code runs on the Anthropic JS SDK but says {@code claude-cli/…}), so the most
 * telling product wins. Pure and thread-safe.
 */
public final class ToolDetector {
  /** Raw User-Agents are kept up to this length. */
  public static final int MAX_USER_AGENT = 256;

  private record Rule(String tool, Pattern pattern) {
  }

  // Each pattern's group 1, when present, is the version.
  private static final List<Rule> RULES = List.of(
      rule("claude-code", "(?:^|\\s)claude-cli/v?([\\w.\\-+]+)"),
      rule("claude-code", "(?:^|\\s)claude-code/v?([\\w.\\-+]+)"),
      rule("codex", "(?:^|\\s)codex[_-](?:cli_rs|exec|vscode|tui|cli|sdk_ts|mcp_server)/v?([\\w.\\-+]+)"),
      rule("codex", "(?:^|\\s)codex/v?([\\w.\\-+]+)"),
      rule("gemini-cli", "(?:^|\\s)(?:GeminiCLI|gemini-cli)/v?([\\w.\\-+]+)"),
      rule("cursor", "(?:^|\\s)cursor(?:-agent)?/v?([\\w.\\-+]+)"),
      rule("cline", "(?:^|\\s)cline/v?([\\w.\\-+]+)"),
      rule("aider", "(?:^|\\s)aider/v?([\\w.\\-+]+)"),
      rule("continue", "(?:^|\\s)continue/v?([\\w.\\-+]+)"),
      rule("anthropic-sdk-python", "(?:^|\\s)Anthropic/Python\\s+v?([\\w.\\-+]+)"),
      rule("anthropic-sdk-js", "(?:^|\\s)Anthropic/JS\\s+v?([\\w.\\-+]+)"),
      rule("openai-sdk-python", "(?:^|\\s)(?:OpenAI/Python|AsyncOpenAI/Python)\\s+v?([\\w.\\-+]+)"),
      rule("openai-sdk-js", "(?:^|\\s)OpenAI/JS\\s+v?([\\w.\\-+]+)"),
      rule("litellm", "(?:^|\\s)litellm/v?([\\w.\\-+]+)"),
      rule("curl", "^curl/([\\w.\\-+]+)"));

  private static Rule rule(String tool, String regex) {
    return new Rule(tool, Pattern.compile(regex, Pattern.CASE_INSENSITIVE));
  }

  private ToolDetector() {
  }

  /** The tool for {@code userAgent}; {@code other} (raw UA kept, truncated) when none matches. */
  public static Tool detect(String userAgent) {
    if (userAgent == null || userAgent.isBlank()) {
      return new Tool(Tool.OTHER, null, null);
    }
    String ua = userAgent.strip();
    String kept = ua.length() > MAX_USER_AGENT ? ua.substring(0, MAX_USER_AGENT) : ua;
    for (Rule rule : RULES) {
      Matcher m = rule.pattern().matcher(ua);
      if (m.find()) {
        return new Tool(rule.tool(), m.groupCount() >= 1 ? m.group(1).toLowerCase(Locale.ROOT) : null, kept);
      }
    }
    return new Tool(Tool.OTHER, null, kept);
  }
}
