package io.tollgate.reconciler.provider;

import com.fasterxml.jackson.databind.JsonNode;
import io.tollgate.ingress.pricing.Cost;
import io.tollgate.ingress.pricing.PriceTable;
import io.tollgate.reconciler.config.ReconcilerConfig;
import java.math.BigDecimal;
import java.math.RoundingMode;
import java.time.LocalDate;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * Anthropic's Admin API: {@code GET /v1/organizations/usage_report/messages} (tokens per model and
 * context window, scoped by API key and workspace ids) and {@code GET /v1/organizations/cost_report}
 * (cost per workspace and description; {@code amount} is a decimal string in cents). The cost
 * report has no model dimension we can scope by key, so per model the usage report's tokens are
 * priced with Tollgate's own table, and the cost report is compared as each day's total — only
 * when the scope is all workspaces or named workspaces (API key ids cannot scope it).
 */
public final class AnthropicReports {
  public static final String PROVIDER = "anthropic";
  static final String USAGE = "/v1/organizations/usage_report/messages";
  static final String COST = "/v1/organizations/cost_report";
  /** 1 cent = 10^7 nano-USD. */
  private static final int CENTS_TO_NANOS = 7;

  private final AdminHttp http;
  private final ReconcilerConfig.Anthropic config;
  private final PriceTable prices;

  public AnthropicReports(AdminHttp http, ReconcilerConfig.Anthropic config, PriceTable prices) {
    this.http = Objects.requireNonNull(http);
    this.config = Objects.requireNonNull(config);
    this.prices = Objects.requireNonNull(prices);
  }

  /** Days {@code [from, to)}. */
  public ProviderReport fetch(LocalDate from, LocalDate to) {
    Map<String, String> headers = Map.of("x-api-key", config.adminKey(), "anthropic-version", "2023-06-01");
    List<Map.Entry<String, String>> usage = range(from, to);
    usage.add(Map.entry("group_by[]", "model"));
    usage.add(Map.entry("group_by[]", "context_window"));
    config.apiKeyIds().forEach(id -> usage.add(Map.entry("api_key_ids[]", id)));
    config.workspaceIds().forEach(id -> usage.add(Map.entry("workspace_ids[]", id)));
    List<JsonNode> usagePages = http.pages(config.baseUrl(), USAGE, usage, headers);
    List<JsonNode> costPages = List.of();
    boolean totals = config.apiKeyIds().isEmpty() || !config.workspaceIds().isEmpty();
    if (totals) {
      List<Map.Entry<String, String>> cost = range(from, to);
      cost.add(Map.entry("group_by[]", "workspace_id"));
      cost.add(Map.entry("group_by[]", "description"));
      costPages = http.pages(config.baseUrl(), COST, cost, headers);
    }
    return parse(usagePages, costPages, totals, Set.copyOf(config.workspaceIds()), prices);
  }

  private static List<Map.Entry<String, String>> range(LocalDate from, LocalDate to) {
    List<Map.Entry<String, String>> p = new ArrayList<>();
    p.add(Map.entry("starting_at", from.atStartOfDay(ZoneOffset.UTC).toInstant().toString()));
    p.add(Map.entry("ending_at", to.atStartOfDay(ZoneOffset.UTC).toInstant().toString()));
    p.add(Map.entry("bucket_width", "1d"));
    p.add(Map.entry("limit", "31"));
    return p;
  }

  /**
   * The report from fetched pages (pure).
   *
   * @param compareTotals whether the cost report is in scope (else its pages are ignored)
   * @param workspaces    cost-report rows of these workspaces count; empty = all
   */
  public static ProviderReport parse(List<JsonNode> usagePages, List<JsonNode> costPages, boolean compareTotals,
                                     Set<String> workspaces, PriceTable prices) {
    Map<ProviderReport.ModelDay, Tokens> models = new HashMap<>();
    Set<LocalDate> reported = new HashSet<>();
    for (JsonNode page : usagePages) {
      for (JsonNode bucket : page.path("data")) {
        LocalDate day = day(bucket);
        for (JsonNode r : bucket.path("results")) {
          reported.add(day);
          String model = text(r, "model", "unknown");
          boolean longContext = "200k-1M".equals(text(r, "context_window", ""));
          long input = count(r.path("uncached_input_tokens"));
          long output = count(r.path("output_tokens"));
          long read = count(r.path("cache_read_input_tokens"));
          long w5 = count(r.path("cache_creation").path("ephemeral_5m_input_tokens"));
          long w1 = count(r.path("cache_creation").path("ephemeral_1h_input_tokens"));
          Cost cost = prices.totalsCost(model, longContext, input, output, read, w5, w1);
          models.merge(new ProviderReport.ModelDay(model, day),
              new Tokens(input, output, read, w5, w1, 0, cost.nanos()), Tokens::plus);
        }
      }
    }
    Map<LocalDate, Long> totals = new HashMap<>();
    if (compareTotals) {
      for (JsonNode page : costPages) {
        for (JsonNode bucket : page.path("data")) {
          LocalDate day = day(bucket);
          for (JsonNode r : bucket.path("results")) {
            String workspace = text(r, "workspace_id", "");
            if (!workspaces.isEmpty() && !workspaces.contains(workspace)) {
              continue;
            }
            String currency = text(r, "currency", "USD");
            if (!currency.equalsIgnoreCase("USD")) {
              throw new AdminApiException(COST + " reported an amount in " + currency + ", not USD", 200);
            }
            reported.add(day);
            totals.merge(day, centsToNanos(r.path("amount")), Tokens::add);
          }
        }
      }
    }
    return new ProviderReport(PROVIDER, models, "usage_priced", totals, reported);
  }

  /** {@code "123.45"} (cents, a decimal string) → 1,234,500,000 nano-USD, rounded half up. */
  static long centsToNanos(JsonNode amount) {
    String text = amount.isTextual() ? amount.asText() : amount.isNumber() ? amount.decimalValue().toPlainString() : null;
    if (text == null) {
      throw new AdminApiException(COST + " reported a cost without amount", 200);
    }
    try {
      return new BigDecimal(text.trim()).movePointRight(CENTS_TO_NANOS).setScale(0, RoundingMode.HALF_UP).longValueExact();
    } catch (NumberFormatException | ArithmeticException e) {
      throw new AdminApiException(COST + " reported an amount that is not a decimal: '"
          + (text.length() > 40 ? text.substring(0, 40) : text) + "'", 200);
    }
  }

  static LocalDate day(JsonNode bucket) {
    try {
      return OffsetDateTime.parse(bucket.path("starting_at").asText()).withOffsetSameInstant(ZoneOffset.UTC).toLocalDate();
    } catch (RuntimeException e) {
      throw new AdminApiException("a report bucket has no valid starting_at", 200);
    }
  }

  static String text(JsonNode r, String field, String fallback) {
    JsonNode v = r.get(field);
    return v == null || v.isNull() || !v.isValueNode() || v.asText().isEmpty() ? fallback : v.asText();
  }

  /** A token count: a non-negative integer, else an error (a report must not be half-read). */
  static long count(JsonNode v) {
    if (v.isMissingNode() || v.isNull()) {
      return 0;
    }
    if (!v.isIntegralNumber() || v.bigIntegerValue().signum() < 0 || !v.canConvertToLong()) {
      throw new AdminApiException("a report has a token count that is not a non-negative integer", 200);
    }
    return v.longValue();
  }
}
