package io.tollgate.local.mock;

/** The routes, by path (query strings such as {@code ?beta=true} are ignored; Gemini's {@code …/models/{model}:{method}}). */
enum MockApi {
  MESSAGES, COUNT_TOKENS, CHAT, RESPONSES, EMBEDDINGS, MODELS, UNKNOWN,
  GEMINI_GENERATE, GEMINI_STREAM, GEMINI_COUNT_TOKENS, GEMINI_EMBED;

  static MockApi of(String path) {
    if (path.contains("/models/") && path.lastIndexOf(':') > path.indexOf("/models/")) {
      return switch (path.substring(path.lastIndexOf(':') + 1)) {
        case "generateContent" -> GEMINI_GENERATE;
        case "streamGenerateContent" -> GEMINI_STREAM;
        case "countTokens" -> GEMINI_COUNT_TOKENS;
        case "embedContent" -> GEMINI_EMBED;
        default -> UNKNOWN;
      };
    }
    String p = path.startsWith("/anthropic/") ? path.substring("/anthropic".length()) : path;
    return switch (p) {
      case "/v1/messages" -> MESSAGES;
      case "/v1/messages/count_tokens" -> COUNT_TOKENS;
      case "/v1/chat/completions", "/chat/completions" -> CHAT;
      case "/v1/responses" -> RESPONSES;
      case "/v1/embeddings" -> EMBEDDINGS;
      case "/v1/models" -> MODELS;
      default -> UNKNOWN;
    };
  }

  boolean anthropic() {
    return this == MESSAGES || this == COUNT_TOKENS;
  }

  boolean gemini() {
    return name().startsWith("GEMINI_");
  }
}
