package io.tollgate.aggregator.topology;

import io.tollgate.schemas.UsageEvent;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * Which tag day totals a usage event adds to: its {@code request_tags}, checked. The gateway caps
 * them, but the usage topic is shared input and every distinct tag makes a total per day, so the
 * aggregator caps them again: only the first {@link #MAX_TAGS} entries are looked at, a tag must be
 * 1–{@link #MAX_TAG_LENGTH} characters, and a tag named twice counts once. What is skipped is
 * counted by reason ({@link TopologyMetrics#tagSkipped}); the rest of the event still counts. Pure.
 */
public final class RequestTags {
  public static final int MAX_TAGS = io.tollgate.schemas.RequestTagLimits.MAX_TAGS;
  public static final int MAX_TAG_LENGTH = io.tollgate.schemas.RequestTagLimits.MAX_TAG_LENGTH;

  /** Reasons a tag is skipped, as metric labels. */
  public static final String TOO_MANY = "too_many";
  public static final String TOO_LONG = "too_long";
  public static final String EMPTY = "empty";
  public static final String REPEATED = "repeated";

  private RequestTags() {
  }

  /** The distinct valid tags of {@code e}, in order; {@code metrics} hears of every skipped one. */
  static List<String> of(UsageEvent e, TopologyMetrics metrics) {
    List<String> tags = e.getRequestTags();
    if (tags == null || tags.isEmpty()) {
      return List.of();
    }
    Set<String> out = new LinkedHashSet<>();
    for (int i = 0; i < tags.size(); i++) {
      if (i >= MAX_TAGS) {
        metrics.tagSkipped(TOO_MANY, tags.size() - MAX_TAGS);
        break;
      }
      String tag = tags.get(i);
      String problem = tag == null || tag.isEmpty() ? EMPTY
          : tag.length() > MAX_TAG_LENGTH ? TOO_LONG
          : out.add(tag) ? null : REPEATED; // the same tag twice would count the call twice
      if (problem != null) {
        metrics.tagSkipped(problem, 1);
      }
    }
    return new ArrayList<>(out);
  }
}
