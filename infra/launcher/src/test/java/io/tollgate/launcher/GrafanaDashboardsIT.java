package io.tollgate.launcher;

import static java.util.stream.Collectors.counting;
import static java.util.stream.Collectors.groupingBy;
import static java.util.stream.Collectors.toMap;
import static java.util.stream.Collectors.toSet;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import io.tollgate.launcher.DashboardTestData.Event;
import io.tollgate.launcher.GrafanaFiles.Query;
import io.tollgate.launcher.GrafanaMacros.TimeRange;
import io.tollgate.launcher.GrafanaMacros.Variable;
import io.tollgate.local.junit.ClickHouseExtension;
import io.tollgate.local.junit.ClickHouseTestDatabase;
import java.sql.Timestamp;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;
import java.util.function.Predicate;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Every ClickHouse query of every dashboard (panels, the customer variable, the alert annotation)
 * runs against a real ClickHouse the way Grafana would send it — macros and variables expanded by
 * {@link GrafanaMacros}, which cites the plugin sources it follows; the {@code tollgate.} database
 * prefix, which {@link GrafanaDashboardsTest} requires on every table, swapped for this class's
 * database — and the main panels show the numbers computed in Java from the inserted calls.
 * The rows are left unmerged on purpose (see {@link DashboardTestData}), and
 * {@link #withoutFinalTheSamePanelsWouldBeWrong} proves that this makes FINAL matter.
 */
@ExtendWith(ClickHouseExtension.class)
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class GrafanaDashboardsIT {
  private static final TimeRange RANGE = new TimeRange(DashboardTestData.FROM, DashboardTestData.TO);
  private static final Duration HOUR = Duration.ofHours(1);
  private static final List<Duration> INTERVALS = List.of(Duration.ofSeconds(30), Duration.ofHours(2), Duration.ofDays(1));

  private final DashboardTestData data = new DashboardTestData(20260301);
  private final List<Event> calls = data.inRange();
  private ClickHouseTestDatabase db;
  private List<String> customers;

  @BeforeAll
  void insertKnownRows(ClickHouseTestDatabase database) {
    db = database;
    data.insertInto(db.client());
    customers = rows(query("tollgate-spend", "customer"), null, HOUR).stream()
        .map(r -> (String) r.get("customer_id")).toList();
  }

  @Test
  void everyClickHouseQueryRunsAndShowsRows() {
    List<Query> queries = GrafanaFiles.queries().stream().filter(Query::clickHouse).toList();
    List<String> failures = new ArrayList<>();
    for (Query q : queries) {
      boolean perCustomer = q.text().contains("$customer") || q.text().contains("${customer");
      List<Variable> selections = perCustomer
          ? List.of(Variable.all(customers), Variable.of(customers, "acme"), Variable.of(customers, "acme", "globex"))
          : List.of(Variable.all(customers));
      List<Duration> intervals = q.text().contains("$__interval_s") ? INTERVALS : List.of(HOUR);
      for (Variable customer : selections) {
        for (Duration interval : intervals) {
          try {
            if (rows(q, customer, interval).isEmpty()) {
              failures.add(q + " " + customer.values() + " " + interval + ": no rows");
            }
          } catch (RuntimeException e) {
            failures.add(q + " " + customer.values() + " " + interval + ": " + e.getMessage());
          }
        }
      }
    }
    assertThat(queries).hasSizeGreaterThan(40);
    assertThat(failures).isEmpty();
  }

  @Test
  void spendPanelsAddUpToTheCallsInTheRange() {
    long total = sum(Event::costNanos);
    assertThat(nanos(one("tollgate-spend", "Total spend").get("usd"))).isEqualTo(total);
    Map<String, Object> requests = one("tollgate-spend", "Requests");
    assertThat(num(requests.get("requests"))).isEqualTo(calls.size());
    assertThat(num(requests.get("errors"))).isEqualTo(calls.stream().filter(Event::error).count());
    assertThat(num(one("tollgate-spend", "Tokens").get("tokens"))).isEqualTo(sum(Event::tokens));
    assertThat(num(one("tollgate-spend", "Active customers").get("customers")))
        .isEqualTo(calls.stream().map(Event::customer).filter(c -> !c.isEmpty()).distinct().count());
    assertThat(num(one("tollgate-spend", "Calls without a price").get("calls")))
        .isEqualTo(calls.stream().filter(e -> !e.priceKnown()).count());

    Map<String, Long> byTag = new java.util.TreeMap<>();
    calls.forEach(e -> e.tags().forEach(t -> byTag.merge(t, e.costNanos(), Long::sum)));
    assertThat(new java.util.TreeMap<>(usdBy("tollgate-spend", "Spend by tag", "tag", null)))
        .as("a call counts under each of its tags").isEqualTo(byTag);
    assertThat(usdBy("tollgate-spend", "Spend by customer", "customer", null))
        .isEqualTo(data.sumBy(e -> e.customer().isEmpty() ? "(none)" : e.customer(), Event::costNanos));
    assertThat(usdBy("tollgate-spend", "Spend by model", "model", null)).isEqualTo(data.sumBy(Event::model, Event::costNanos));
    assertThat(usdBy("tollgate-spend", "Spend by tool", "tool", null)).isEqualTo(data.sumBy(Event::tool, Event::costNanos));
    assertThat(usdBy("tollgate-spend", "Spend by tool", "tool", null)).containsKeys("claude-code", "codex");

    for (Duration interval : INTERVALS) {
      for (String panel : List.of("Spend over time by tool", "Spend per minute")) {
        double usd = rows(query("tollgate-spend", panel), null, interval).stream().mapToDouble(r -> dbl(r.get("usd"))).sum();
        assertThat(Math.round(usd * 1e9)).as(panel + " at " + interval).isEqualTo(total);
      }
      List<Map<String, Object>> perMinute = rows(query("tollgate-spend", "Requests per minute"), null, interval);
      assertThat(perMinute.stream().mapToLong(r -> num(r.get("requests"))).sum()).isEqualTo(calls.size());
      List<Map<String, Object>> tokens = rows(query("tollgate-spend", "Tokens over time by kind"), null, interval);
      assertThat(tokens.stream().mapToLong(r -> num(r.get("cache_read"))).sum()).isEqualTo(sum(Event::cacheRead));
    }
    // At a one-day interval the hourly panel has at most one bar per day and tool.
    assertThat(rows(query("tollgate-spend", "Spend over time by tool"), null, Duration.ofDays(1)))
        .hasSizeLessThanOrEqualTo(3 * data.sumBy(Event::tool, e -> 1L).size());
  }

  @Test
  void customerDrillDownFollowsTheVariable() {
    assertThat(customers).isEqualTo(calls.stream().map(Event::customer).filter(c -> !c.isEmpty()).distinct().sorted().toList());
    Map<String, Long> byCustomer = data.sumBy(e -> e.customer().isEmpty() ? "(none)" : e.customer(), Event::costNanos);

    Variable acme = Variable.of(customers, "acme");
    assertThat(usdBy("tollgate-spend", "Selected customers", "customer", acme)).isEqualTo(Map.of("acme", byCustomer.get("acme")));
    Variable two = Variable.of(customers, "acme", "globex");
    assertThat(usdBy("tollgate-spend", "Selected customers", "customer", two))
        .isEqualTo(Map.of("acme", byCustomer.get("acme"), "globex", byCustomer.get("globex")));
    assertThat(usdBy("tollgate-spend", "Selected customers", "customer", Variable.all(customers))).isEqualTo(byCustomer);
    double overTime = rows(query("tollgate-spend", "Spend over time per selected customer"), acme, HOUR).stream()
        .mapToDouble(r -> dbl(r.get("usd"))).sum();
    assertThat(Math.round(overTime * 1e9)).isEqualTo(byCustomer.get("acme"));

    List<Map<String, Object>> recent = rows(query("tollgate-spend", "Recent calls of selected customers"),
        Variable.of(customers, "globex"), HOUR);
    assertThat(recent).hasSize((int) Math.min(200, calls.stream().filter(e -> e.customer().equals("globex")).count()))
        .allSatisfy(r -> assertThat(r.get("customer")).isEqualTo("globex"));
  }

  @Test
  void toolPanelsCountActiveCustomersLikeTheRawLog() {
    Instant lastDay = DashboardTestData.TO.truncatedTo(ChronoUnit.DAYS);
    List<Map<String, Object>> active = rows(query("tollgate-tools", "Active customers per tool (DAU / WAU / MAU)"), null, HOUR);
    Map<String, List<Long>> actual = active.stream().collect(toMap(r -> (String) r.get("tool"),
        r -> List.of(num(r.get("dau")), num(r.get("wau")), num(r.get("mau")))));
    Map<String, List<Long>> expected = data.events().stream().filter(e -> !e.customer().isEmpty())
        .filter(e -> !e.ts().isAfter(DashboardTestData.TO)).map(Event::tool).distinct()
        .collect(toMap(t -> t, t -> List.of(activeSince(t, lastDay), activeSince(t, lastDay.minus(Duration.ofDays(6))),
            activeSince(t, lastDay.minus(Duration.ofDays(29))))));
    assertThat(actual).isEqualTo(expected);
    // dora (20 days back) counts for codex's MAU only, erin (5 days back) for claude-code's WAU and MAU.
    assertThat(actual.get("codex").get(2)).isGreaterThan(actual.get("codex").get(1));
    assertThat(actual.get("claude-code").get(1)).isGreaterThan(customersOfTool("claude-code", e -> true));

    assertThat(usdBy("tollgate-tools", "Tools", "tool", null)).isEqualTo(data.sumBy(Event::tool, Event::costNanos));
    Map<String, Long> toolCustomers = rows(query("tollgate-tools", "Tools"), null, HOUR).stream()
        .collect(toMap(r -> (String) r.get("tool"), r -> num(r.get("customers"))));
    for (String tool : toolCustomers.keySet()) {
      assertThat(toolCustomers.get(tool)).as(tool).isEqualTo(customersOfTool(tool, e -> true));
    }
    List<Map<String, Object>> daily = rows(query("tollgate-tools", "Daily active customers per tool"), null, HOUR);
    for (Map<String, Object> r : daily) {
      Instant day = ((Timestamp) r.get("time")).toInstant();
      assertThat(num(r.get("customers"))).as(r.toString()).isEqualTo(customersOfTool((String) r.get("tool"),
          e -> e.ts().truncatedTo(ChronoUnit.DAYS).equals(day)));
    }
  }

  @Test
  void cacheAndUnpricedPanelsMatchTheTokensOfTheCalls() {
    Map<String, Long> read = data.sumBy(Event::model, Event::cacheRead);
    Map<String, Long> prompt = data.sumBy(Event::model, Event::prompt);
    for (Map<String, Object> r : rows(query("tollgate-cache", "Cache shares per model"), null, HOUR)) {
      String model = (String) r.get("model");
      assertThat(dbl(r.get("cache_read_share"))).as(model).isCloseTo((double) read.get(model) / prompt.get(model), within(1e-12));
    }
    assertThat(dbl(one("tollgate-cache", "Cache read share").get("cache_read_share")))
        .isCloseTo((double) sum(Event::cacheRead) / sum(Event::prompt), within(1e-12));

    Predicate<Event> unpriced = e -> !e.priceKnown();
    assertThat(num(one("tollgate-cache", "Calls without a price").get("calls"))).isEqualTo(calls.stream().filter(unpriced).count());
    Map<String, Long> perModel = rows(query("tollgate-cache", "Unpriced models"), null, HOUR).stream()
        .collect(toMap(r -> r.get("model_requested") + "/" + r.get("model"), r -> num(r.get("calls"))));
    assertThat(perModel).isEqualTo(calls.stream().filter(unpriced).collect(groupingBy(e -> e.model() + "/" + e.model(), counting())))
        .containsKeys("my-finetune/my-finetune", "claude-next-preview/claude-next-preview");
  }

  @Test
  void alertPanelsShowEachAlertOnceWithItsLatestDeliveryOutcome() {
    assertThat(num(one("tollgate-alerts", "Alerts raised").get("alerts"))).isEqualTo(3);
    assertThat(num(one("tollgate-alerts", "Critical alerts").get("critical"))).isEqualTo(1);
    assertThat(num(one("tollgate-alerts", "Deliveries failed").get("failed"))).isEqualTo(1);
    assertThat(num(one("tollgate-alerts", "Deliveries delivered").get("delivered"))).isEqualTo(3);
    assertThat(rows(query("tollgate-alerts", "Alert list"), null, HOUR)).extracting(r -> r.get("alert_id"))
        .containsExactly("a-2", "a-4", "a-1");
    Map<String, List<Long>> byChannel = rows(query("tollgate-alerts", "Delivery outcomes by channel"), null, HOUR).stream()
        .collect(toMap(r -> (String) r.get("channel"), r -> List.of(num(r.get("delivered")), num(r.get("failed")))));
    assertThat(byChannel).isEqualTo(Map.of("slack", List.of(1L, 1L), "email", List.of(2L, 0L)));
    Map<String, String> deliveries = rows(query("tollgate-alerts", "Deliveries"), null, HOUR).stream()
        .collect(toMap(r -> r.get("alert_id") + "/" + r.get("channel"), r -> r.get("outcome") + " " + r.get("last_error")));
    assertThat(deliveries).containsEntry("a-1/slack", "delivered HTTP 500").containsEntry("a-2/slack", "failed HTTP 404 no_service")
        .containsEntry("a-1/email", "delivered ").hasSize(4);

    List<Map<String, Object>> annotations = rows(query("tollgate-spend", "Alerts"), null, HOUR);
    assertThat(annotations).hasSize(3);
    assertThat(annotations.get(0).get("text").toString()).contains("warning threshold alert, customer acme");

    assertThat(rows(query("tollgate-cache", "Cache-break alerts"), null, HOUR)).singleElement().satisfies(r -> {
      assertThat(r.get("scope_id")).isEqualTo("globex");
      assertThat(r.get("message").toString()).endsWith("+$110.16/day if it stays broken");
      assertThat(r.get("spend_usd").toString()).isEqualTo("7.73");
    });
  }

  @Test
  void withoutFinalTheSamePanelsWouldBeWrong() {
    assertThat(nanos(one("tollgate-spend", "Total spend", true).get("usd"))).isGreaterThan(sum(Event::costNanos));
    assertThat(num(one("tollgate-cache", "Calls without a price", true).get("calls")))
        .isGreaterThan(calls.stream().filter(e -> !e.priceKnown()).count());
    assertThat(num(one("tollgate-alerts", "Alerts raised", true).get("alerts"))).isEqualTo(4);
  }

  private long activeSince(String tool, Instant since) {
    return data.events().stream().filter(e -> e.tool().equals(tool) && !e.customer().isEmpty())
        .filter(e -> !e.ts().isBefore(since) && !e.ts().isAfter(DashboardTestData.TO)).map(Event::customer).distinct().count();
  }

  private long customersOfTool(String tool, Predicate<Event> filter) {
    Set<String> set = calls.stream().filter(e -> e.tool().equals(tool) && !e.customer().isEmpty()).filter(filter)
        .map(Event::customer).collect(toSet());
    return set.size();
  }

  private long sum(Function<Event, Long> value) {
    return calls.stream().mapToLong(value::apply).sum();
  }

  private Map<String, Long> usdBy(String dashboard, String panel, String column, Variable customer) {
    return rows(query(dashboard, panel), customer, HOUR).stream()
        .collect(toMap(r -> (String) r.get(column), r -> nanos(r.get("usd"))));
  }

  private Map<String, Object> one(String dashboard, String panel) {
    return one(dashboard, panel, false);
  }

  private Map<String, Object> one(String dashboard, String panel, boolean withoutFinal) {
    Query q = query(dashboard, panel);
    if (withoutFinal) {
      assertThat(q.text()).contains(" FINAL");
      q = new Query(q.dashboard(), q.where(), q.title(), q.datasource(), q.text().replace(" FINAL", ""), q.target(), q.panel());
    }
    List<Map<String, Object>> rows = rows(q, null, HOUR);
    assertThat(rows).as(q.toString()).hasSize(1);
    return rows.get(0);
  }

  private static Query query(String dashboard, String title) {
    List<Query> found = GrafanaFiles.queries().stream()
        .filter(q -> q.dashboard().uid().equals(dashboard) && q.title().equals(title) && q.clickHouse()).toList();
    assertThat(found).as(dashboard + " / " + title).hasSize(1);
    return found.get(0);
  }

  /** Runs a query as Grafana would; {@code customer} null = "All" for dashboards with that variable. */
  private List<Map<String, Object>> rows(Query q, Variable customer, Duration interval) {
    boolean declared = q.dashboard().json().path("templating").path("list").findValuesAsText("name").contains("customer");
    Map<String, Variable> variables = !declared ? Map.of()
        : Map.of("customer", customer != null ? customer : Variable.all(customers == null ? List.of() : customers));
    String sql = GrafanaMacros.expand(q.text(), RANGE, interval, variables).replaceAll("\\btollgate\\.", db.database() + ".");
    return db.client().query(sql);
  }

  private static long nanos(Object usd) {
    return Math.round(dbl(usd) * 1e9);
  }

  private static double dbl(Object value) {
    return ((Number) value).doubleValue();
  }

  private static long num(Object value) {
    return ((Number) value).longValue();
  }
}
