package io.tollgate.schemas;

/**
 * The one cap on {@code UsageEvent.request_tags}: the gateway keeps at most {@link #MAX_TAGS} tags
 * of at most {@link #MAX_TAG_LENGTH} characters, and the aggregator's tag totals look at the same
 * number again (the topic is shared input). One constant, so ClickHouse, {@code /spend/tags}, the
 * tag day totals and tag alerts all see the same tags.
 */
public final class RequestTagLimits {
  public static final int MAX_TAGS = 32;
  public static final int MAX_TAG_LENGTH = 128;

  private RequestTagLimits() {
  }
}
