package io.tollgate.launcher;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

/**
 * The files under {@code infra/grafana} as Grafana reads them: every dashboard JSON, every query in
 * it (panel targets, template variables, annotations) with the data source it runs on, and the
 * provisioning YAML. Shared by {@link GrafanaDashboardsTest} (structure) and
 * {@link GrafanaDashboardsIT} (every ClickHouse query against a real server), so both see the
 * same set of queries.
 */
final class GrafanaFiles {
  static final Path GRAFANA = Path.of(System.getProperty("user.dir")).getParent().resolve("grafana");
  static final Path DASHBOARDS = GRAFANA.resolve("dashboards");
  static final String CLICKHOUSE_UID = "tollgate-clickhouse";
  static final String PROMETHEUS_UID = "tollgate-prometheus";

  private static final ObjectMapper JSON = new ObjectMapper();
  private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());

  private GrafanaFiles() {
  }

  /** One dashboard file. */
  record Dashboard(Path file, JsonNode json) {
    String uid() {
      return json.path("uid").asText();
    }

    /** Every panel, including those nested in collapsed rows, rows themselves too. */
    List<JsonNode> panels() {
      List<JsonNode> all = new ArrayList<>();
      for (JsonNode p : json.path("panels")) {
        all.add(p);
        p.path("panels").forEach(all::add);
      }
      return all;
    }
  }

  /**
   * One query as Grafana sends it to a data source.
   *
   * @param where         "panel 'Total spend'", "variable customer" or "annotation Alerts"
   * @param title         the panel title, variable name or annotation name
   * @param datasource    the target's data source reference ({@code {type, uid}}), else its panel's
   * @param text          ClickHouse SQL ({@code rawSql}, or a variable's {@code query}) or PromQL ({@code expr})
   * @param panel         the panel it belongs to; a missing node for variables and annotations
   */
  record Query(Dashboard dashboard, String where, String title, JsonNode datasource, String text, JsonNode target,
               JsonNode panel) {
    String datasourceUid() {
      return datasource.path("uid").asText();
    }

    boolean clickHouse() {
      return CLICKHOUSE_UID.equals(datasourceUid());
    }

    @Override
    public String toString() {
      return dashboard.uid() + " " + where;
    }
  }

  static List<Dashboard> dashboards() {
    try (Stream<Path> files = Files.list(DASHBOARDS)) {
      return files.filter(f -> f.toString().endsWith(".json")).sorted()
          .map(f -> new Dashboard(f, read(JSON, f))).toList();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  static JsonNode yaml(String relativeToGrafana) {
    return read(YAML, GRAFANA.resolve(relativeToGrafana));
  }

  static List<Query> queries() {
    return dashboards().stream().flatMap(d -> queries(d).stream()).toList();
  }

  static List<Query> queries(Dashboard d) {
    List<Query> queries = new ArrayList<>();
    for (JsonNode panel : d.panels()) {
      for (JsonNode target : panel.path("targets")) {
        JsonNode datasource = target.has("datasource") ? target.path("datasource") : panel.path("datasource");
        String text = target.has("expr") ? target.path("expr").asText() : target.path("rawSql").asText();
        String title = panel.path("title").asText();
        queries.add(new Query(d, "panel '" + title + "' " + target.path("refId").asText(), title, datasource, text, target,
            panel));
      }
    }
    for (JsonNode variable : d.json().path("templating").path("list")) {
      if (variable.path("type").asText().equals("query")) {
        JsonNode q = variable.path("query");
        String text = q.isTextual() ? q.asText() : q.path("rawSql").asText(q.path("query").asText());
        String name = variable.path("name").asText();
        queries.add(new Query(d, "variable " + name, name, variable.path("datasource"), text, variable,
            JSON.missingNode()));
      }
    }
    for (JsonNode annotation : d.json().path("annotations").path("list")) {
      if (annotation.path("builtIn").asInt(0) == 1) {
        continue; // Grafana's own "Annotations & Alerts", no query of ours
      }
      JsonNode target = annotation.path("target");
      String text = target.has("expr") ? target.path("expr").asText() : target.path("rawSql").asText();
      String name = annotation.path("name").asText();
      queries.add(new Query(d, "annotation " + name, name, annotation.path("datasource"), text, target,
          JSON.missingNode()));
    }
    return queries;
  }

  private static JsonNode read(ObjectMapper mapper, Path file) {
    try {
      return mapper.readTree(Files.readString(file));
    } catch (IOException e) {
      throw new UncheckedIOException(file + ": " + e.getMessage(), e);
    }
  }
}
