package io.tollgate.local.mock;

/** The routes, by path (query strings such as {@code ?beta=true} are ignored). */
enum MockApi {
  MESSAGES, COUNT_TOKENS, CHAT, RESPONSES, EMBEDDINGS, MODELS, UNKNOWN;

  static MockApi of(String path) {
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
}
