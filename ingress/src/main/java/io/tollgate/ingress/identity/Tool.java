package io.tollgate.ingress.identity;

/**
 * The coding tool or client library behind a request.
 *
 * @param name      normalized name (claude-code, codex, gemini-cli, roo-code, cursor, cline, aider, continue,
 *                  anthropic-sdk-python, anthropic-sdk-js, openai-sdk-python, openai-sdk-js, curl, other)
 * @param version   version from the User-Agent, or null
 * @param userAgent the raw User-Agent, truncated to {@link ToolDetector#MAX_USER_AGENT} chars, or null
 */
public record Tool(String name, String version, String userAgent) {
  public static final String OTHER = "other";
}
