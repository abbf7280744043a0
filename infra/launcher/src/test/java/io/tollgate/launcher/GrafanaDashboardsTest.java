package io.tollgate.launcher;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;

import com.fasterxml.jackson.databind.JsonNode;
import io.tollgate.launcher.GrafanaFiles.Dashboard;
import io.tollgate.launcher.GrafanaFiles.Query;
import io.tollgate.launcher.GrafanaMacros.TimeRange;
import io.tollgate.launcher.GrafanaMacros.Variable;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * The Grafana provisioning and dashboards, checked without servers: stable uids, provisioned data
 * sources only, ClickHouse SQL in the 18.16 / current subset and always reading the replacing
 * tables with FINAL, money in USD, and PromQL only over the metrics the apps export. Whether the
 * SQL actually runs and shows the right numbers is {@link GrafanaDashboardsIT}'s job.
 */
class GrafanaDashboardsTest {
  private static final Set<String> UIDS = Set.of("tollgate-spend", "tollgate-tools", "tollgate-cache", "tollgate-alerts",
      "tollgate-pipeline");
  private static final Set<String> REPLACING_TABLES = Set.of("usage_events", "spend_1m", "spend_1h", "spend_1d", "alerts",
      "provider_usage");
  /** Metric → labels, as the gateway exports them and as agreed for the sink, consumers and alerting. */
  private static final Map<String, Set<String>> METRICS = Map.of(
      "tollgate_requests_total", Set.of("api", "status"),
      "tollgate_request_duration_seconds", Set.of("api", "streamed"),
      "tollgate_usage_events_total", Set.of("outcome"),
      "tollgate_unpriced_requests_total", Set.of("model"),
      "tollgate_sink_rows_total", Set.of("table"),
      "tollgate_sink_failures_total", Set.of("table"),
      "tollgate_consumer_lag_records", Set.of("app"),
      "tollgate_spend_freshness_seconds", Set.of(),
      "tollgate_alerts_total", Set.of("kind", "severity"),
      "tollgate_alert_deliveries_total", Set.of("channel", "outcome"));
  /** Not on ClickHouse 18.16 (tests) or expanding to something that is not. */
  private static final List<String> FORBIDDEN_SQL = List.of("toStartOfInterval", "$__timeInterval", "_ms(", "$__fromTime_ms",
      "$__toTime_ms", "DateTime64",
      "fromUnixTimestamp64", "WITH FILL", " OVER ", "OVER(", "Map(");

  @Test
  void provisioningDefinesTheDataSourcesOfTheComposeStack() {
    Map<String, JsonNode> sources = provisionedDataSources();
    assertThat(sources).containsOnlyKeys(GrafanaFiles.CLICKHOUSE_UID, GrafanaFiles.PROMETHEUS_UID);

    JsonNode ch = sources.get(GrafanaFiles.CLICKHOUSE_UID);
    JsonNode compose = DockerComposeTest.compose().path("services");
    assertThat(ch.path("type").asText()).isEqualTo("grafana-clickhouse-datasource");
    assertThat(ch.at("/jsonData/host").asText()).isEqualTo("clickhouse");
    assertThat(ch.at("/jsonData/port").asInt()).isEqualTo(8123);
    assertThat(ch.at("/jsonData/protocol").asText()).isEqualTo("http");
    assertThat(ch.at("/jsonData/defaultDatabase").asText()).isEqualTo(compose.at("/clickhouse/environment/CLICKHOUSE_DB").asText());
    assertThat(ch.at("/jsonData/username").asText()).isEqualTo(compose.at("/clickhouse/environment/CLICKHOUSE_USER").asText());
    assertThat(ch.at("/secureJsonData/password").asText())
        .isEqualTo(compose.at("/clickhouse/environment/CLICKHOUSE_PASSWORD").asText());

    // The macro expansions the IT applies are those of the plugin version compose installs.
    assertThat(compose.at("/grafana/environment/GF_INSTALL_PLUGINS").asText())
        .isEqualTo("grafana-clickhouse-datasource " + GrafanaMacros.PLUGIN);

    JsonNode prometheus = sources.get(GrafanaFiles.PROMETHEUS_UID);
    assertThat(prometheus.path("type").asText()).isEqualTo("prometheus");
    assertThat(prometheus.path("url").asText()).isEqualTo("http://prometheus:9090");
    assertThat(compose.at("/prometheus/ports/0").asText()).endsWith(":9090");

    JsonNode provider = GrafanaFiles.yaml("provisioning/dashboards/dashboards.yaml").at("/providers/0");
    assertThat(provider.path("type").asText()).isEqualTo("file");
    assertThat(provider.at("/options/path").asText()).isEqualTo("/var/lib/grafana/dashboards");
  }

  @Test
  void everyDashboardHasItsStableUidAndFileName() {
    List<Dashboard> dashboards = GrafanaFiles.dashboards();
    assertThat(dashboards).extracting(Dashboard::uid).containsExactlyInAnyOrderElementsOf(UIDS);
    for (Dashboard d : dashboards) {
      assertThat(d.file().getFileName().toString()).isEqualTo(d.uid() + ".json");
      assertThat(d.json().path("id").isNull()).as(d.uid() + ": provisioned dashboards carry no database id").isTrue();
      assertThat(d.json().path("schemaVersion").asInt()).as(d.uid()).isGreaterThanOrEqualTo(39);
      assertThat(d.json().path("title").asText()).as(d.uid()).startsWith("Tollgate / ");
    }
  }

  @Test
  void panelIdsAreUniqueAndEveryQueryRunsOnAProvisionedDataSource() {
    Map<String, JsonNode> sources = provisionedDataSources();
    for (Dashboard d : GrafanaFiles.dashboards()) {
      Set<Integer> ids = new HashSet<>();
      for (JsonNode panel : d.panels()) {
        assertThat(ids.add(panel.path("id").asInt())).as(d.uid() + " duplicate panel id " + panel.path("id")).isTrue();
        if (!panel.path("type").asText().equals("row")) {
          assertThat(panel.path("targets")).as(d.uid() + " " + panel.path("title") + " has no query").isNotEmpty();
          assertDataSource(sources, panel.path("datasource"), d.uid() + " " + panel.path("title"));
        }
      }
    }
    for (Query q : GrafanaFiles.queries()) {
      assertDataSource(sources, q.datasource(), q.toString());
      assertThat(q.text()).as(q.toString()).isNotBlank();
      if (q.clickHouse() && q.where().startsWith("panel")) {
        assertThat(q.target().path("editorType").asText()).as(q.toString()).isEqualTo("sql");
        assertThat(q.target().path("pluginVersion").asText()).as(q.toString()).isEqualTo(GrafanaMacros.PLUGIN);
        boolean timeSeries = q.panel().path("type").asText().equals("timeseries");
        assertThat(q.target().path("format").asInt()).as(q + ": 0 = time series, 1 = table").isEqualTo(timeSeries ? 0 : 1);
        if (timeSeries) {
          assertThat(q.text()).as(q.toString()).contains(" AS time,").contains("ORDER BY time");
        }
      }
    }
  }

  @Test
  void clickHouseQueriesUseOnlyWhatClickHouse18_16AndCurrentReleasesShare() {
    TimeRange range = new TimeRange(Instant.parse("2026-03-01T00:00:00Z"), Instant.parse("2026-03-02T00:00:00Z"));
    Map<String, Variable> variables = Map.of("customer", Variable.of(List.of("acme"), "acme"));
    for (Query q : clickHouseQueries()) {
      for (String forbidden : FORBIDDEN_SQL) {
        assertThat(q.text()).as(q.toString()).doesNotContain(forbidden);
      }
      assertThatCode(() -> GrafanaMacros.expand(q.text(), range, Duration.ofMinutes(1), variables))
          .as(q + ": only macros of the pinned plugin version").doesNotThrowAnyException();
    }
  }

  @Test
  void everyTableIsReadFromTheTollgateDatabaseAndReplacingTablesWithFinal() {
    Pattern from = Pattern.compile("\\b(?:FROM|JOIN)\\s+(?!\\()(\\S+)(\\s+FINAL\\b)?");
    int tables = 0;
    for (Query q : clickHouseQueries()) {
      Matcher m = from.matcher(q.text());
      while (m.find()) {
        tables++;
        // GrafanaDashboardsIT swaps this prefix for its test database, so it must be on every table.
        assertThat(m.group(1)).as(q.toString()).startsWith("tollgate.");
        if (REPLACING_TABLES.contains(m.group(1).substring("tollgate.".length()))) {
          assertThat(m.group(2)).as(q + ": " + m.group(1) + " holds versions or replays not yet merged: read it with FINAL")
              .isNotNull();
        }
      }
    }
    assertThat(tables).isGreaterThan(40);
  }

  @Test
  void moneyIsShownInUsd() {
    Pattern nanos = Pattern.compile("\\w+_nanos\\)?(\\s*/\\s*1e9)?");
    for (Query q : clickHouseQueries()) {
      Matcher m = nanos.matcher(q.text());
      boolean money = false;
      while (m.find()) {
        assertThat(m.group(1)).as(q + ": nano-USD shown as USD (/ 1e9)").isNotNull();
        money = true;
      }
      if (money && !q.panel().isMissingNode()) {
        assertThat(q.panel().path("fieldConfig").toString()).as(q.toString()).contains("\"currencyUSD\"");
      }
    }
  }

  @Test
  void prometheusQueriesUseOnlyTheExportedMetricsAndTheirLabels() {
    Pattern metric = Pattern.compile("\\btollgate_\\w+");
    Pattern by = Pattern.compile("\\bby\\s*\\(([^)]*)\\)");
    Pattern matcher = Pattern.compile("[{,]\\s*(\\w+)\\s*(?:=~|!~|!=|=)");
    Set<String> used = new HashSet<>();
    List<Query> prometheus = GrafanaFiles.queries().stream()
        .filter(q -> q.datasourceUid().equals(GrafanaFiles.PROMETHEUS_UID)).toList();
    assertThat(prometheus).isNotEmpty();
    for (Query q : prometheus) {
      Set<String> labels = new HashSet<>();
      boolean readsOne = false;
      Matcher m = metric.matcher(q.text());
      while (m.find()) {
        readsOne = true;
        String name = m.group().replaceAll("_(bucket|sum|count)$", "");
        if (!name.equals(m.group())) {
          assertThat(name).as(q + ": only the histogram has _bucket/_sum/_count").isEqualTo("tollgate_request_duration_seconds");
          labels.add("le");
        }
        assertThat(METRICS).as(q.toString()).containsKey(name);
        labels.addAll(METRICS.get(name));
        used.add(name);
      }
      assertThat(readsOne).as(q + " reads no Tollgate metric").isTrue();
      Set<String> grouped = new HashSet<>();
      for (Matcher g = by.matcher(q.text()); g.find(); ) {
        for (String label : g.group(1).split(",")) {
          grouped.add(label.strip());
        }
      }
      Set<String> referenced = new HashSet<>(grouped);
      for (Matcher l = matcher.matcher(q.text()); l.find(); ) {
        referenced.add(l.group(1));
      }
      assertThat(labels).as(q + ": labels the metrics have").containsAll(referenced);
      for (Matcher l = Pattern.compile("\\{\\{(\\w+)}}").matcher(q.target().path("legendFormat").asText()); l.find(); ) {
        assertThat(grouped).as(q + ": legend labels must survive the aggregation").contains(l.group(1));
      }
    }
    assertThat(used).as("every pipeline metric has a panel").containsExactlyInAnyOrderElementsOf(METRICS.keySet());
  }

  private static List<Query> clickHouseQueries() {
    List<Query> queries = GrafanaFiles.queries().stream().filter(Query::clickHouse).toList();
    assertThat(queries).hasSizeGreaterThan(40);
    return queries;
  }

  private static Map<String, JsonNode> provisionedDataSources() {
    Map<String, JsonNode> byUid = new HashMap<>();
    GrafanaFiles.yaml("provisioning/datasources/datasources.yaml").path("datasources")
        .forEach(ds -> byUid.put(ds.path("uid").asText(), ds));
    return byUid;
  }

  private static void assertDataSource(Map<String, JsonNode> sources, JsonNode ref, String where) {
    String uid = ref.path("uid").asText();
    assertThat(sources).as(where + ": data source uid").containsKey(uid);
    assertThat(ref.path("type").asText()).as(where + ": data source type").isEqualTo(sources.get(uid).path("type").asText());
  }
}
