package io.tollgate.reconciler.provider;

import com.fasterxml.jackson.databind.JsonNode;
import io.tollgate.reconciler.config.ReconcilerConfig;
import java.math.BigDecimal;
import java.math.RoundingMode;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * OpenAI's Admin API: {@code GET /v1/organization/usage/completions} (tokens per model;
 * {@code input_tokens} includes {@code input_cached_tokens}) and {@code GET /v1/organization/costs}
 * (cost per line item, {@code amount.value} in USD), both scoped by project ids. Line items are
 * named {@code "<model>, <kind>"}: their cost is each model's billed cost; every line item counts
 * in the day's total.
 */
public final class OpenAiReports {
  public static final String PROVIDER = "openai";
  static final String USAGE = "/v1/organization/usage/completions";
  static final String COSTS = "/v1/organization/costs";

  private final AdminHttp http;
  private final ReconcilerConfig.OpenAi config;

  public OpenAiReports(AdminHttp http, ReconcilerConfig.OpenAi config) {
    this.http = Objects.requireNonNull(http);
    this.config = Objects.requireNonNull(config);
  }

  /** Days {@code [from, to)}. */
  public ProviderReport fetch(LocalDate from, LocalDate to) {
    Map<String, String> headers = Map.of("authorization", "Bearer " + config.adminKey());
    List<Map.Entry<String, String>> usage = range(from, to, 31);
    usage.add(Map.entry("group_by[]", "model"));
    config.projectIds().forEach(id -> usage.add(Map.entry("project_ids[]", id)));
    List<Map.Entry<String, String>> costs = range(from, to, 180);
    costs.add(Map.entry("group_by[]", "line_item"));
    config.projectIds().forEach(id -> costs.add(Map.entry("project_ids[]", id)));
    return parse(http.pages(config.baseUrl(), USAGE, usage, headers), http.pages(config.baseUrl(), COSTS, costs, headers));
  }

  private static List<Map.Entry<String, String>> range(LocalDate from, LocalDate to, int limit) {
    List<Map.Entry<String, String>> p = new ArrayList<>();
    p.add(Map.entry("start_time", Long.toString(from.atStartOfDay(ZoneOffset.UTC).toEpochSecond())));
    p.add(Map.entry("end_time", Long.toString(to.atStartOfDay(ZoneOffset.UTC).toEpochSecond())));
    p.add(Map.entry("bucket_width", "1d"));
    p.add(Map.entry("limit", Integer.toString(limit)));
    return p;
  }

  /** The report from fetched pages (pure). */
  public static ProviderReport parse(List<JsonNode> usagePages, List<JsonNode> costPages) {
    Map<ProviderReport.ModelDay, Tokens> models = new HashMap<>();
    Set<LocalDate> reported = new HashSet<>();
    for (JsonNode page : usagePages) {
      for (JsonNode bucket : page.path("data")) {
        LocalDate day = day(bucket);
        for (JsonNode r : bucket.path("results")) {
          reported.add(day);
          long input = AnthropicReports.count(r.path("input_tokens"));
          long cached = Math.min(AnthropicReports.count(r.path("input_cached_tokens")), input);
          models.merge(new ProviderReport.ModelDay(AnthropicReports.text(r, "model", "unknown"), day),
              new Tokens(input - cached, AnthropicReports.count(r.path("output_tokens")), cached, 0, 0,
                  AnthropicReports.count(r.path("num_model_requests")), 0), Tokens::plus);
        }
      }
    }
    Map<LocalDate, Long> totals = new HashMap<>();
    Map<ProviderReport.ModelDay, Long> itemCost = new HashMap<>();
    for (JsonNode page : costPages) {
      for (JsonNode bucket : page.path("data")) {
        LocalDate day = day(bucket);
        for (JsonNode r : bucket.path("results")) {
          reported.add(day);
          long nanos = usdToNanos(r.path("amount"));
          totals.merge(day, nanos, Tokens::add);
          String item = AnthropicReports.text(r, "line_item", "");
          int comma = item.indexOf(',');
          if (comma > 0) {
            itemCost.merge(new ProviderReport.ModelDay(item.substring(0, comma).trim(), day), nanos, Tokens::add);
          }
        }
      }
    }
    itemCost.forEach((key, nanos) -> {
      ProviderReport.ModelDay target = match(key, models.keySet());
      Tokens t = models.getOrDefault(target, Tokens.ZERO);
      models.put(target, t.withNanos(Tokens.add(t.nanos(), nanos)));
    });
    return new ProviderReport(PROVIDER, models, "line_items", totals, reported);
  }

  /**
   * The usage model a line item's model belongs to: the same name, else the one usage model of
   * that day that is a dated version of it ({@code gpt-4o} → {@code gpt-4o-2024-08-06}).
   */
  static ProviderReport.ModelDay match(ProviderReport.ModelDay item, Set<ProviderReport.ModelDay> usage) {
    if (usage.contains(item)) {
      return item;
    }
    ProviderReport.ModelDay found = null;
    for (ProviderReport.ModelDay u : usage) {
      if (u.day().equals(item.day()) && u.model().startsWith(item.model() + "-")) {
        if (found != null) {
          return item; // ambiguous: keep the line item's own name
        }
        found = u;
      }
    }
    return found == null ? item : found;
  }

  /** {@code amount.value} in USD (a JSON number, read as BigDecimal) → nano-USD, rounded half up. */
  static long usdToNanos(JsonNode amount) {
    JsonNode value = amount.path("value");
    String currency = AnthropicReports.text(amount, "currency", "usd");
    if (!currency.equalsIgnoreCase("usd")) {
      throw new AdminApiException(COSTS + " reported an amount in " + currency + ", not usd", 200);
    }
    if (!value.isNumber() && !value.isTextual()) {
      throw new AdminApiException(COSTS + " reported a cost without amount.value", 200);
    }
    try {
      BigDecimal usd = value.isNumber() ? value.decimalValue() : new BigDecimal(value.asText().trim());
      return usd.movePointRight(9).setScale(0, RoundingMode.HALF_UP).longValueExact();
    } catch (NumberFormatException | ArithmeticException e) {
      throw new AdminApiException(COSTS + " reported an amount.value that is not a number", 200);
    }
  }

  static LocalDate day(JsonNode bucket) {
    JsonNode start = bucket.path("start_time");
    if (!start.canConvertToLong()) {
      throw new AdminApiException("a report bucket has no valid start_time", 200);
    }
    return Instant.ofEpochSecond(start.longValue()).atOffset(ZoneOffset.UTC).toLocalDate();
  }
}
