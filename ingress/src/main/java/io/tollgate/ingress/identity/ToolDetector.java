package io.tollgate.ingress.identity;

import java.util.List;
import java.util.Locale;
import java.util.function.Function;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Names the coding tool from a request's User-Agent and the few headers tools set besides it.
 * Specific tools are checked before the SDKs they are built on (Claude Code runs on the Anthropic
 * JS SDK but says {@code claude-cli/…}), so the most telling product wins; a tool that sends only
 * its SDK's User-Agent is known by its headers (Cline's {@code X-Title: Cline} /
 * {@code HTTP-Referer: https://cline.bot}, Roo Code's {@code X-Title: Roo Code}, Codex's
 * {@code originator: codex_cli_rs}), which win over the SDK. Pure and thread-safe.
 */
public final class ToolDetector {
  /** Raw User-Agents are kept up to this length. */
  public static final int MAX_USER_AGENT = 256;

  private record Rule(String tool, Pattern pattern) {
  }

  // Each pattern's group 1, when present, is the version.
  private static final List<Rule> TOOLS = List.of(
      rule("claude-code", "(?:^|\\s)claude-cli/v?([\\w.\\-+]+)"),
      rule("claude-code", "(?:^|\\s)claude-code/v?([\\w.\\-+]+)"),
      rule("codex", "(?:^|\\s)codex[_-](?:cli_rs|exec|vscode|tui|cli|sdk_ts|mcp_server)/v?([\\w.\\-+]+)"),
      rule("codex", "(?:^|\\s)codex/v?([\\w.\\-+]+)"),
      // GeminiCLI[-<client>]/<version>/<model> (<platform>; <arch>; <surface>); older ones without model and surface
      rule("gemini-cli", "(?:^|\\s)(?:GeminiCLI(?:-[\\w\\-]+)?|gemini-cli)/v?([\\w.\\-+]+)"),
      rule("roo-code", "(?:^|\\s)(?:RooCode|Roo-Code|roo-cline)/v?([\\w.\\-+]+)"),
      rule("cursor", "(?:^|\\s)cursor(?:-agent)?/v?([\\w.\\-+]+)"),
      rule("cline", "(?:^|\\s)cline/v?([\\w.\\-+]+)"),
      rule("aider", "(?:^|\\s)aider/v?([\\w.\\-+]+)"),
      rule("continue", "(?:^|\\s)continue/v?([\\w.\\-+]+)"));
  private static final List<Rule> LIBRARIES = List.of(
      rule("anthropic-sdk-python", "(?:^|\\s)Anthropic/Python\\s+v?([\\w.\\-+]+)"),
      rule("anthropic-sdk-js", "(?:^|\\s)Anthropic/JS\\s+v?([\\w.\\-+]+)"),
      rule("openai-sdk-python", "(?:^|\\s)(?:OpenAI/Python|AsyncOpenAI/Python)\\s+v?([\\w.\\-+]+)"),
      rule("openai-sdk-js", "(?:^|\\s)OpenAI/JS\\s+v?([\\w.\\-+]+)"),
      rule("litellm", "(?:^|\\s)litellm/v?([\\w.\\-+]+)"),
      rule("curl", "^curl/([\\w.\\-+]+)"));
  private static final Pattern CODEX_ORIGINATOR = Pattern.compile("codex_[a-z_]+", Pattern.CASE_INSENSITIVE);

  private static Rule rule(String tool, String regex) {
    return new Rule(tool, Pattern.compile(regex, Pattern.CASE_INSENSITIVE));
  }

  private ToolDetector() {
  }

  /** The tool for {@code userAgent}; {@code other} (raw UA kept, truncated) when none matches. */
  public static Tool detect(String userAgent) {
    return fromHeaders(name -> name.equals("user-agent") ? userAgent : null);
  }

  /**
   * The tool of a request by its headers ({@code header}: case-insensitive lookup by lower-case
   * name): a tool's own User-Agent, else a tool's identifying headers, else a library's User-Agent,
   * else {@code other}.
   */
  public static Tool fromHeaders(Function<String, String> header) {
    String userAgent = header.apply("user-agent");
    String ua = userAgent == null || userAgent.isBlank() ? null : userAgent.strip();
    String kept = ua == null ? null : ua.length() > MAX_USER_AGENT ? ua.substring(0, MAX_USER_AGENT) : ua;
    Matches m = ua == null ? Matches.NONE : matches(ua, kept);
    Tool tool = m.tool();
    if (tool == null) {
      String byHeaders = byHeaders(header);
      tool = byHeaders != null ? new Tool(byHeaders, null, kept) : m.library();
    }
    return tool != null ? tool : new Tool(Tool.OTHER, null, kept);
  }

  /** What a User-Agent matches among the tools and among the libraries (both depend on it alone). */
  private record Matches(Tool tool, Tool library) {
    static final Matches NONE = new Matches(null, null);
  }

  /** User-Agents seen lately: a fleet sends a handful, and up to 16 patterns per call add up. */
  private static final java.util.concurrent.ConcurrentHashMap<String, Matches> BY_USER_AGENT =
      new java.util.concurrent.ConcurrentHashMap<>();
  /** A client may send a new User-Agent with every call: the cache starts over when this full. */
  static final int CACHE_MAX = 1024;

  private static Matches matches(String ua, String kept) {
    Matches m = BY_USER_AGENT.get(ua);
    if (m == null) {
      m = new Matches(match(TOOLS, ua, kept), match(LIBRARIES, ua, kept));
      if (ua.length() <= 2 * MAX_USER_AGENT) {
        if (BY_USER_AGENT.size() >= CACHE_MAX) {
          BY_USER_AGENT.clear();
        }
        BY_USER_AGENT.put(ua, m);
      }
    }
    return m;
  }

  /** How many User-Agents the cache holds (for its test). */
  static int cached() {
    return BY_USER_AGENT.size();
  }

  private static Tool match(List<Rule> rules, String ua, String kept) {
    if (ua == null) {
      return null;
    }
    for (Rule rule : rules) {
      Matcher m = rule.pattern().matcher(ua);
      if (m.find()) {
        return new Tool(rule.tool(), m.groupCount() >= 1 ? m.group(1).toLowerCase(Locale.ROOT) : null, kept);
      }
    }
    return null;
  }

  /** A tool named by the headers it sets besides its SDK's User-Agent, or null. */
  private static String byHeaders(Function<String, String> header) {
    String title = lower(header.apply("x-title"));
    String referer = lower(header.apply("http-referer"));
    if (title.startsWith("roo code") || referer.contains("roocode.com") || referer.contains("roovetgit/roo-cline")) {
      return "roo-code";
    }
    if (title.equals("cline") || referer.startsWith("https://cline.bot")) {
      return "cline";
    }
    String originator = header.apply("originator");
    if (originator != null && CODEX_ORIGINATOR.matcher(originator.strip()).matches()) {
      return "codex";
    }
    return null;
  }

  private static String lower(String s) {
    return s == null ? "" : s.strip().toLowerCase(Locale.ROOT);
  }
}
