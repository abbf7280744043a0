package io.tollgate.ingress.admin;

import io.tollgate.ingress.identity.KeyAuth;
import java.math.BigDecimal;
import java.math.RoundingMode;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * One spend request's parameters, checked: every problem is collected and reported at once
 * ({@link #parse} throws one 400 naming them all). Parameters a route does not know are refused
 * rather than ignored — a misspelt filter must not turn into "every row".
 *
 * @param route     which route
 * @param filter    the rows asked for
 * @param page      1-based page
 * @param pageSize  rows per page
 * @param summarize {@code /spend/logs}: one entry per day instead of one per call
 * @param sortBy    {@code /spend/logs/v2}: one of {@link #SORTS}
 * @param ascending {@code /spend/logs/v2}: sort order
 * @param groupBy   {@code /global/spend/report}: team, customer or api_key
 * @param tags      {@code /global/spend/tags}: only these tags ({@code tags=a,b}); empty: every tag
 */
public record SpendRequest(Route route, SpendFilter filter, int page, int pageSize, boolean summarize, String sortBy,
                           boolean ascending, String groupBy, List<String> tags) {
  /** The spend routes. */
  public enum Route {
    LOGS("/spend/logs"), LOGS_V2("/spend/logs/v2"), GLOBAL_REPORT("/global/spend/report"), TAGS("/spend/tags"),
    GLOBAL_TAGS("/global/spend/tags"),
    /** Metered vs billed per provider, model and day (the reconciler's provider_usage); master key only. */
    RECONCILIATION("/spend/reconciliation");

    private final String path;

    Route(String path) {
      this.path = path;
    }

    public String path() {
      return path;
    }

    /** The route at {@code path}, or null. */
    public static Route of(String path) {
      for (Route r : values()) {
        if (r.path.equals(path)) {
          return r;
        }
      }
      return null;
    }
  }

  /** {@code sort_by} values of {@code /spend/logs/v2} (LiteLLM's). */
  public static final Set<String> SORTS = Set.of("startTime", "endTime", "spend", "total_tokens",
      "request_duration_ms", "model", "ttft_ms");
  public static final Set<String> GROUPS = Set.of("team", "customer", "api_key");
  public static final int MAX_VALUE_CHARS = 512;
  public static final int MAX_LOGS_PAGE_SIZE = 1_000;
  public static final int MAX_V2_PAGE_SIZE = 100;
  /** Deepest row a page may start at: deep OFFSETs make ClickHouse read and drop every row before. */
  public static final long MAX_OFFSET = 100_000;
  /** Longest range of a per-day answer (summarized logs, the global report). */
  public static final Duration MAX_DAYS = Duration.ofDays(366);
  static final Instant EARLIEST = Instant.parse("1970-01-01T00:00:00Z");
  /** ClickHouse's DateTime ends in February 2106. */
  static final Instant LATEST = Instant.parse("2106-01-01T00:00:00Z");
  private static final BigDecimal MAX_USD = BigDecimal.valueOf(9_000_000_000L);
  private static final Pattern HASH = Pattern.compile("[0-9a-fA-F]{64}");

  private static final Set<String> FILTERS = Set.of("api_key", "user_id", "request_id", "team_id", "end_user",
      "customer_id", "model", "key_alias", "session_id", "status_filter", "min_spend", "max_spend", "error_code", "tool",
      "start_date", "end_date");
  private static final Map<Route, Set<String>> ALLOWED = Map.of(
      Route.LOGS, union(FILTERS, Set.of("summarize", "page", "page_size")),
      Route.LOGS_V2, union(FILTERS, Set.of("page", "page_size", "sort_by", "sort_order")),
      Route.GLOBAL_REPORT, Set.of("start_date", "end_date", "group_by", "api_key", "internal_user_id", "team_id",
          "customer_id"),
      Route.TAGS, Set.of("start_date", "end_date", "api_key"),
      Route.GLOBAL_TAGS, Set.of("start_date", "end_date", "tags", "api_key"),
      Route.RECONCILIATION, Set.of("start_date", "end_date"));
  /** LiteLLM parameters with no Tollgate data behind them: refused with a reason instead of "unknown". */
  private static final Map<String, String> UNSUPPORTED = Map.of(
      "model_id", "Tollgate records no deployment ids; filter by model",
      "error_message", "Tollgate records the error type, not the message; filter by error_code or status_filter");

  /**
   * Parses a request's query parameters.
   *
   * @param params each name with every value it was given
   * @throws ProxyError.Failure a 400 listing every problem
   */
  public static SpendRequest parse(Route route, Map<String, List<String>> params) {
    Reader r = new Reader(params);
    for (String name : params.keySet()) {
      if (UNSUPPORTED.containsKey(name)) {
        r.problem(name, name + " is not supported: " + UNSUPPORTED.get(name));
      } else if (!ALLOWED.get(route).contains(name)) {
        r.problem(name, "unknown parameter " + SpendFilter.cap(name) + " for " + route.path());
      }
    }
    String apiKey = r.text("api_key");
    String keyHash = apiKey == null ? null
        : HASH.matcher(apiKey).matches() ? apiKey.toLowerCase(Locale.ROOT) : KeyAuth.sha256(apiKey); // a hash, or the key
    Boolean success = null;
    String status = r.text("status_filter");
    if (status != null) {
      switch (status.toLowerCase(Locale.ROOT)) {
        case "success" -> success = true;
        case "failure" -> success = false;
        default -> r.problem("status_filter", "status_filter must be success or failure, got '" + SpendFilter.cap(status) + "'");
      }
    }
    Integer errorCode = r.integer("error_code", 100, 599);
    Long min = r.usd("min_spend", RoundingMode.CEILING);
    Long max = r.usd("max_spend", RoundingMode.FLOOR);
    if (min != null && max != null && min > max) {
      r.problem("min_spend", "min_spend is above max_spend");
    }
    Instant start = r.date("start_date", false);
    Instant end = r.date("end_date", true);
    boolean datesOptional = route == Route.LOGS || route == Route.TAGS || route == Route.GLOBAL_TAGS;
    if (!datesOptional && (!r.has("start_date") || !r.has("end_date"))) {
      r.problem(r.has("start_date") ? "end_date" : "start_date", "start_date and end_date are required on " + route.path()
          + " (YYYY-MM-DD" + (route == Route.LOGS_V2 ? " or YYYY-MM-DD HH:MM:SS, UTC" : "") + ")");
    }
    if (start != null && end != null && !start.isBefore(end)) {
      r.problem("end_date", "end_date is before start_date");
    }
    boolean summarize = r.bool("summarize", true) && start != null && end != null && route == Route.LOGS;
    boolean perDay = summarize || route == Route.GLOBAL_REPORT || route == Route.RECONCILIATION;
    if (perDay && start != null && end != null && Duration.between(start, end).compareTo(MAX_DAYS.plusDays(1)) > 0) {
      r.problem("start_date", "the range may span at most " + MAX_DAYS.toDays() + " days here");
    }
    String customer = r.text("end_user");
    String customerId = r.text("customer_id");
    if (customer != null && customerId != null && !customer.equals(customerId)) {
      r.problem("customer_id", "end_user and customer_id name the same filter; give one");
    }
    String user = r.text("user_id");
    String internalUser = r.text("internal_user_id");
    if (user != null && internalUser != null && !user.equals(internalUser)) {
      r.problem("internal_user_id", "user_id and internal_user_id name the same filter; give one");
    }
    SpendFilter filter = new SpendFilter(keyHash, user != null ? user : internalUser, r.text("request_id"),
        r.text("team_id"), customer != null ? customer : customerId, r.text("model"), r.text("key_alias"),
        r.text("session_id"), r.text("tool"), success, errorCode, min, max, start, end);

    int maxSize = route == Route.LOGS_V2 ? MAX_V2_PAGE_SIZE : MAX_LOGS_PAGE_SIZE;
    Integer page = r.integer("page", 1, Integer.MAX_VALUE);
    Integer size = r.integer("page_size", 1, maxSize);
    int p = page == null ? 1 : page;
    int s = size == null ? (route == Route.LOGS_V2 ? 50 : maxSize) : size;
    if ((long) (p - 1) * s > MAX_OFFSET) {
      r.problem("page", "page " + p + " starts beyond row " + MAX_OFFSET + "; narrow start_date/end_date or the filters");
    }
    String sortBy = r.text("sort_by");
    if (sortBy != null && !SORTS.contains(sortBy)) {
      r.problem("sort_by", "sort_by must be one of " + new java.util.TreeSet<>(SORTS) + ", got '" + SpendFilter.cap(sortBy) + "'");
    }
    String order = r.text("sort_order");
    if (order != null && !order.equalsIgnoreCase("asc") && !order.equalsIgnoreCase("desc")) {
      r.problem("sort_order", "sort_order must be asc or desc, got '" + SpendFilter.cap(order) + "'");
    }
    String group = r.text("group_by");
    if (group != null && !GROUPS.contains(group)) {
      r.problem("group_by", "group_by must be one of team, customer, api_key, got '" + SpendFilter.cap(group) + "'");
    }
    List<String> tags = tags(r);
    r.throwIfProblems();
    return new SpendRequest(route, filter, p, s, summarize, sortBy == null ? "startTime" : sortBy,
        order != null && order.equalsIgnoreCase("asc"), group == null ? "team" : group, tags);
  }

  /** LiteLLM's {@code tags=a,b} (trimmed, each once; {@code all-tags} among them: every tag). */
  private static List<String> tags(Reader r) {
    String v = r.text("tags");
    if (v == null) {
      return List.of();
    }
    java.util.LinkedHashSet<String> tags = new java.util.LinkedHashSet<>();
    for (String t : v.split(",")) {
      if (!t.isBlank()) {
        tags.add(t.strip());
      }
    }
    if (tags.contains(SpendTags.ALL_TAGS)) {
      return List.of();
    }
    if (tags.size() > SpendTags.MAX_FILTER_TAGS) {
      r.problem("tags", "tags may name at most " + SpendTags.MAX_FILTER_TAGS + " tags, got " + tags.size());
    }
    return List.copyOf(tags);
  }

  private static Set<String> union(Set<String> a, Set<String> b) {
    Set<String> all = new java.util.HashSet<>(a);
    all.addAll(b);
    return Set.copyOf(all);
  }

  /** Reads typed values out of the parameters, noting each problem. */
  private static final class Reader {
    private final Map<String, List<String>> params;
    private final Map<String, String> problems = new LinkedHashMap<>();

    Reader(Map<String, List<String>> params) {
      this.params = params;
    }

    boolean has(String name) {
      return params.containsKey(name);
    }

    void problem(String param, String message) {
      problems.putIfAbsent(param, message);
    }

    /** The one value of {@code name}, or null; empty is a value (it matches rows where the field is empty). */
    String text(String name) {
      List<String> values = params.get(name);
      if (values == null || values.isEmpty()) {
        return null;
      }
      if (values.size() > 1) {
        problem(name, name + " is given " + values.size() + " times; give it once");
        return null;
      }
      String v = values.get(0);
      if (v.length() > MAX_VALUE_CHARS) {
        problem(name, name + " is longer than " + MAX_VALUE_CHARS + " characters");
        return null;
      }
      return v;
    }

    Integer integer(String name, int min, int max) {
      String v = text(name);
      if (v == null) {
        return null;
      }
      try {
        long n = Long.parseLong(v.strip());
        if (n >= min && n <= max) {
          return (int) n;
        }
      } catch (NumberFormatException e) {
        // reported below
      }
      problem(name, name + " must be a whole number from " + min + (max == Integer.MAX_VALUE ? " up" : " to " + max)
          + ", got '" + SpendFilter.cap(v) + "'");
      return null;
    }

    boolean bool(String name, boolean fallback) {
      String v = text(name);
      if (v == null) {
        return fallback;
      }
      return switch (v.strip().toLowerCase(Locale.ROOT)) {
        case "true", "1", "yes" -> true;
        case "false", "0", "no" -> false;
        default -> {
          problem(name, name + " must be true or false, got '" + SpendFilter.cap(v) + "'");
          yield fallback;
        }
      };
    }

    /** USD as nano-USD, rounded towards what keeps the bound honest (min up, max down). */
    Long usd(String name, RoundingMode rounding) {
      String v = text(name);
      if (v == null) {
        return null;
      }
      try {
        BigDecimal usd = new BigDecimal(v.strip());
        if (usd.abs().compareTo(MAX_USD) <= 0) {
          return usd.setScale(9, rounding).unscaledValue().longValueExact();
        }
      } catch (NumberFormatException | ArithmeticException e) {
        // reported below
      }
      problem(name, name + " must be a USD amount like 0.25 (at most " + MAX_USD.toPlainString() + "), got '"
          + SpendFilter.cap(v) + "'");
      return null;
    }

    /**
     * A date ({@code YYYY-MM-DD}) or date-time ({@code YYYY-MM-DD HH:MM:SS}, a {@code T} and an
     * offset or {@code Z} allowed; UTC when none), as the instant it starts. An end date counts
     * whole: a date ends at the next midnight, a date-time includes its second.
     */
    Instant date(String name, boolean end) {
      String v = text(name);
      if (v == null) {
        return null;
      }
      String s = v.strip();
      Instant at;
      try {
        if (s.length() == 10) {
          LocalDate day = LocalDate.parse(s);
          at = (end ? day.plusDays(1) : day).atStartOfDay().toInstant(ZoneOffset.UTC);
        } else {
          String iso = s.replace(' ', 'T');
          Instant instant;
          try {
            instant = OffsetDateTime.parse(iso).toInstant();
          } catch (DateTimeParseException e) {
            instant = LocalDateTime.parse(iso).toInstant(ZoneOffset.UTC);
          }
          instant = instant.truncatedTo(java.time.temporal.ChronoUnit.SECONDS);
          at = end ? instant.plusSeconds(1) : instant;
        }
      } catch (DateTimeParseException e) {
        problem(name, name + " must be a date like 2026-11-24 or 2026-11-24 13:00:00 (UTC), got '" + SpendFilter.cap(v) + "'");
        return null;
      }
      if (at.isBefore(EARLIEST) || at.isAfter(LATEST)) {
        problem(name, name + " must lie between 1970 and 2105, got '" + SpendFilter.cap(v) + "'");
        return null;
      }
      return at;
    }

    void throwIfProblems() {
      if (problems.isEmpty()) {
        return;
      }
      List<String> messages = new ArrayList<>(problems.values());
      String param = problems.size() == 1 ? problems.keySet().iterator().next() : String.join(",", problems.keySet());
      throw new ProxyError.Failure(ProxyError.badRequest(String.join("; ", messages), SpendFilter.cap(param)));
    }
  }
}
