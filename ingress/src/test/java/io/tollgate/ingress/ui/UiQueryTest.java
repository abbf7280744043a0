package io.tollgate.ingress.ui;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.tollgate.ingress.admin.ProxyError;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The UI's filters: client values only as bound parameters, a virtual key always narrowed, caps. */
class UiQueryTest {
  private static final LocalDate TODAY = LocalDate.parse("2026-12-02");

  @Test
  void everyClientValueIsABoundParameterAndTheKeyIsAlwaysNarrowed() {
    String evil = "x' OR '1'='1";
    UiQuery q = UiQuery.parse(Map.of("customer", List.of(evil + ",b"), "key_alias", List.of(evil), "model", List.of(evil),
        "tool", List.of(evil), "team", List.of(evil), "tag", List.of(evil), "status", List.of("error"),
        "unpriced", List.of("true")), TODAY, "hash-of-key");
    List<Object> params = new ArrayList<>();
    String where = q.where(params, true);
    assertThat(where).doesNotContain("OR '1'").startsWith(" WHERE ").contains("key_hash = ?")
        .contains("status_code >= 400").contains("price_known = 0");
    assertThat(where.chars().filter(c -> c == '?').count()).isEqualTo(params.size());
    assertThat(params).contains("hash-of-key", evil, evil + ",b");
    assertThat(q.windowsSuffice()).isFalse();
  }

  @Test
  void aCustomerIdWithACommaIsOneCustomerAndRepeatedParametersAreSeveral() {
    UiQuery q = UiQuery.parse(Map.of("customer", List.of("acme, inc.", "globex", " ")), TODAY, null);
    assertThat(q.customers()).containsExactly("acme, inc.", "globex");
    List<Object> params = new ArrayList<>();
    assertThat(q.where(params, false)).isEqualTo(" WHERE customer_id IN (?, ?)");
    assertThat(params).containsExactly("acme, inc.", "globex");
    List<Object> windowParams = new ArrayList<>();
    assertThat(q.windowWhere(windowParams)).endsWith("customer_id IN (?, ?)");
    assertThat(windowParams).endsWith("acme, inc.", "globex");
  }

  @Test
  void onlyTheMasterKeysViewByCustomerAndToolIsReadFromTheWindowTables() {
    assertThat(UiQuery.parse(Map.of("customer", List.of("a"), "tool", List.of("codex")), TODAY, null).windowsSuffice())
        .isTrue();
    assertThat(UiQuery.parse(Map.of(), TODAY, "hash").windowsSuffice()).as("a virtual key").isFalse();
    for (String filter : List.of("key_alias", "model", "team", "tag", "id")) {
      assertThat(UiQuery.parse(Map.of(filter, List.of("x")), TODAY, null).windowsSuffice()).as(filter).isFalse();
    }
    assertThat(UiQuery.parse(Map.of("status", List.of("success")), TODAY, null).windowsSuffice()).isFalse();
    assertThat(UiQuery.parse(Map.of("unpriced", List.of("true")), TODAY, null).windowsSuffice()).isFalse();
    assertThat(UiQuery.parse(Map.of("source", List.of("events")), TODAY, null).windowsSuffice()).isFalse();
    assertThatThrownBy(() -> UiQuery.parse(Map.of("source", List.of("spend_1m")), TODAY, null))
        .hasMessageContaining("source must be");
  }

  @Test
  void theRangeDefaultsToTheLastSevenDaysAndIsCapped() {
    UiQuery q = UiQuery.parse(Map.of(), TODAY, null);
    assertThat(q.start()).isEqualTo(LocalDate.parse("2026-11-26"));
    assertThat(q.until().toString()).isEqualTo("2026-12-03T00:00:00Z");
    assertThatThrownBy(() -> UiQuery.parse(Map.of("start", List.of("2024-01-01")), TODAY, null))
        .isInstanceOf(ProxyError.Failure.class).hasMessageContaining("400 days");
    assertThatThrownBy(() -> UiQuery.parse(Map.of("customer", List.of("a".repeat(300))), TODAY, null))
        .hasMessageContaining("customer is longer than 256");
    assertThatThrownBy(() -> UiQuery.parse(Map.of("tool", List.of("a", "b")), TODAY, null))
        .hasMessageContaining("tool may be given once");
  }

  @Test
  void assetsAreLookedUpOnlyByPlainNames() {
    assertThat(UiAssets.resource("index.html")).isEqualTo("tollgate-ui/index.html");
    assertThat(UiAssets.resource("js/pages/logs.js")).isEqualTo("tollgate-ui/js/pages/logs.js");
    assertThat(UiAssets.resource("vendor/uplot/uPlot.esm.js"))
        .isEqualTo("META-INF/resources/webjars/uplot/" + UiAssets.UPLOT_VERSION + "/dist/uPlot.esm.js");
    // The constant follows the POM's uplot.version: a bump of one without the other fails here.
    assertThat(UiQueryTest.class.getClassLoader().getResource(UiAssets.resource("vendor/uplot/uPlot.esm.js"))).isNotNull();
    assertThat(UiQueryTest.class.getClassLoader().getResource(UiAssets.resource("js/app.js"))).isNotNull();
    assertThat(UiAssets.resource("../secret")).isNull();
    assertThat(UiAssets.resource("js/../../x")).isNull();
    assertThat(UiAssets.resource("/etc/passwd")).isNull();
    assertThat(UiAssets.resource("a\\b")).isNull();
  }
}
