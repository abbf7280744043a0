package io.tollgate.ingress.admin;

import io.tollgate.schemas.clickhouse.Reports;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Spend by request tag ("which feature costs most"): the SQL of report {@code spend_by_tag.sql} and
 * LiteLLM's two answer shapes. {@code GET /spend/tags}: {@code [{individual_request_tag, log_count,
 * total_spend}]}; {@code GET /global/spend/tags}: {@code {"spend_per_tag": [{name, spend, log_count}]}}
 * (its UI's bar chart). Both most spent first, with Tollgate's exact {@code spend_nanos} and
 * {@code total_tokens} added.
 */
final class SpendTags {
  /** LiteLLM's "every tag" value of {@code tags=}. */
  static final String ALL_TAGS = "all-tags";
  /** Most tags one {@code tags=} filter may name (each is one bound parameter). */
  static final int MAX_FILTER_TAGS = 32;

  private SpendTags() {
  }

  /**
   * @param tags only these tags (empty: every tag)
   */
  static SpendSql.Query query(SpendFilter f, List<String> tags, int limit) {
    List<Object> params = new ArrayList<>();
    String where = SpendSql.where(f, params);
    if (!tags.isEmpty()) {
      where += (where.isEmpty() ? " WHERE " : " AND ") + "tag IN (" + String.join(", ",
          Collections.nCopies(tags.size(), "?")) + ")";
      params.addAll(tags);
    }
    params.add((long) limit);
    return new SpendSql.Query(Reports.statement("spend_by_tag", Map.of("where", where.strip())),
        params);
  }

  /** The driver takes only a statement starting with SELECT: the file's {@code --} lines go. */
  /** Most spent first, then by tag: the answer's order is part of its shape, so it is fixed here too. */
  private static java.util.stream.Stream<Map<String, Object>> ordered(List<Map<String, Object>> rows) {
    return rows.stream().sorted(java.util.Comparator
        .comparingLong((Map<String, Object> r) -> SpendRows.nanos(r.get("spend_nanos"))).reversed()
        .thenComparing(r -> String.valueOf(r.get("tag"))));
  }

  /** {@code /spend/tags}. */
  static List<Map<String, Object>> perTag(List<Map<String, Object>> rows) {
    return ordered(rows).map(r -> {
      long nanos = SpendRows.nanos(r.get("spend_nanos"));
      Map<String, Object> out = new LinkedHashMap<>();
      out.put("individual_request_tag", r.get("tag"));
      out.put("log_count", SpendRows.nanos(r.get("log_count")));
      out.put("total_spend", SpendRows.usd(nanos));
      out.put("spend_nanos", nanos);
      out.put("total_tokens", SpendRows.nanos(r.get("total_tokens")));
      return out;
    }).toList();
  }

  /** {@code /global/spend/tags}. */
  static Map<String, Object> global(List<Map<String, Object>> rows) {
    List<Map<String, Object>> tags = ordered(rows).map(r -> {
      long nanos = SpendRows.nanos(r.get("spend_nanos"));
      Map<String, Object> out = new LinkedHashMap<>();
      out.put("name", r.get("tag"));
      out.put("spend", SpendRows.usd(nanos));
      out.put("log_count", SpendRows.nanos(r.get("log_count")));
      out.put("spend_nanos", nanos);
      out.put("total_tokens", SpendRows.nanos(r.get("total_tokens")));
      return out;
    }).toList();
    Map<String, Object> answer = new LinkedHashMap<>();
    answer.put("spend_per_tag", tags);
    return answer;
  }
}
