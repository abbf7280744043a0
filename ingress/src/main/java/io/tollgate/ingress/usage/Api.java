package io.tollgate.ingress.usage;

/** The provider APIs the gateway meters; {@link #wireName()} is the {@code api} field of a UsageEvent. */
public enum Api {
  MESSAGES("messages", "anthropic"),
  COUNT_TOKENS("count_tokens", "anthropic"),
  CHAT_COMPLETIONS("chat_completions", "openai"),
  RESPONSES("responses", "openai"),
  EMBEDDINGS("embeddings", "openai");

  private final String wireName;
  private final String family;

  Api(String wireName, String family) {
    this.wireName = wireName;
    this.family = family;
  }

  public String wireName() {
    return wireName;
  }

  /** anthropic or openai: which error shape and usage semantics apply. */
  public String family() {
    return family;
  }

  /** Whether a stream reports its usage only at its end (OpenAI), not from its first event (Anthropic). */
  public boolean usageAtEnd() {
    return this == CHAT_COMPLETIONS || this == RESPONSES;
  }

  public boolean anthropic() {
    return family.equals("anthropic");
  }
}
