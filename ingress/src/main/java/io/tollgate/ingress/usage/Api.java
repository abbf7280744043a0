package io.tollgate.ingress.usage;

/** The provider APIs the gateway meters; {@link #wireName()} is the {@code api} field of a UsageEvent. */
public enum Api {
  MESSAGES("messages", "anthropic"),
  COUNT_TOKENS("count_tokens", "anthropic"),
  CHAT_COMPLETIONS("chat_completions", "openai"),
  RESPONSES("responses", "openai"),
  EMBEDDINGS("embeddings", "openai"),
  /** Gemini {@code models/{model}:generateContent}. */
  GENERATE_CONTENT("generate_content", "gemini"),
  /** Gemini {@code models/{model}:streamGenerateContent}: SSE with {@code alt=sse}, else a JSON array. */
  STREAM_GENERATE_CONTENT("stream_generate_content", "gemini"),
  /** Gemini {@code models/{model}:countTokens} (free). */
  GEMINI_COUNT_TOKENS("gemini_count_tokens", "gemini"),
  /** Gemini {@code models/{model}:embedContent}. */
  EMBED_CONTENT("embed_content", "gemini");

  private final String wireName;
  private final String family;

  Api(String wireName, String family) {
    this.wireName = wireName;
    this.family = family;
  }

  public String wireName() {
    return wireName;
  }

  /** anthropic, openai or gemini: which error shape and usage semantics apply. */
  public String family() {
    return family;
  }

  /**
   * Whether a stream reports its final usage only at its end (OpenAI; Gemini, whose earlier chunks
   * carry partial counts), not from its first event (Anthropic).
   */
  public boolean usageAtEnd() {
    return this == CHAT_COMPLETIONS || this == RESPONSES || this == STREAM_GENERATE_CONTENT;
  }

  public boolean gemini() {
    return family.equals("gemini");
  }

  public boolean anthropic() {
    return family.equals("anthropic");
  }
}
