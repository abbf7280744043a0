package io.tollgate.ingress.usage;

/**
 * Where a call's token counts came from; {@link #wireName()} is the UsageEvent's {@code usage_source}.
 * Only {@link #RESPONSE} and {@link #STREAM} are final numbers: a {@link #NONE} call's cost of 0 is
 * "not read", never a real $0, and {@link #PARTIAL} counts are a lower bound.
 */
public enum UsageSource {
  /** A complete JSON response body with a usage object. */
  RESPONSE("response"),
  /** A stream whose final usage event arrived. */
  STREAM("stream"),
  /** A stream cut before its final usage: the counts seen so far. */
  PARTIAL("partial"),
  /** No usage could be read (none sent, unparseable, undecodable, too large). */
  NONE("none");

  private final String wireName;

  UsageSource(String wireName) {
    this.wireName = wireName;
  }

  public String wireName() {
    return wireName;
  }

  /** True for the sources whose counts are the provider's final word. */
  public boolean isFinal() {
    return this == RESPONSE || this == STREAM;
  }
}
