package io.tollgate.reconciler;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import io.tollgate.ingress.pricing.PriceTable;
import io.tollgate.local.junit.ClickHouseExtension;
import io.tollgate.local.junit.ClickHouseTestDatabase;
import io.tollgate.local.junit.KafkaExtension;
import io.tollgate.local.kafka.KafkaCluster;
import io.tollgate.reconciler.config.ReconcilerConfig;
import io.tollgate.reconciler.config.ReconcilerConfigLoader;
import io.tollgate.schemas.Alert;
import io.tollgate.schemas.config.ConfigFile;
import io.tollgate.schemas.serde.TollgateSerdes;
import io.tollgate.schemas.topics.TopicSetup;
import io.tollgate.schemas.topics.Topics;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.UUID;
import java.util.stream.Collectors;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The reconciler against the local fake admin APIs (recorded page shapes of the four endpoints,
 * two pages each), the embedded Kafka and the local ClickHouse. The fixtures and the metered
 * events below are one scenario, "now" = 2026-11-20 12:00 UTC, 48 h settle delay, lookback 5 days:
 * <ul>
 *   <li>11-15: Tollgate metered haiku, neither provider reported the day (lag) → missing, no alert;
 *   <li>11-16: Anthropic sonnet metered 3 % above the usage report priced by Tollgate → the one alert;
 *       haiku and OpenAI gpt-4o-mini match → none;
 *   <li>11-17: everything matches (OpenAI via undated line items) → none;
 *   <li>11-18: sonnet 10 % off but unsettled → shown, no alert.
 * </ul>
 */
@ExtendWith({KafkaExtension.class, ClickHouseExtension.class})
@Timeout(180)
class ReconcilerIT {
  private static final Instant NOW = Instant.parse("2026-11-20T12:00:00Z");
  private static final String SONNET = "claude-sonnet-4-5-20250929";
  private static final String HAIKU = "claude-haiku-4-5-20251001";
  private static final String MINI = "gpt-4o-mini-2024-07-18";
  private static FakeAdminApi fake;

  @BeforeAll
  static void start() throws Exception {
    fake = new FakeAdminApi();
  }

  @AfterAll
  static void stop() {
    fake.close();
  }

  private static ReconcilerConfig config(String anthropicKeyEnv) throws Exception {
    String yaml = """
        tollgate:
          reconciliation:
            lookback_days: 5
            drift_percent: 2
            drift_usd: 1000
            min_drift_usd: 0.01
            channels: [log]
            anthropic: {admin_key: os.environ/%s, api_key_ids: [apikey_gateway], workspace_ids: [wrkspc_gateway], base_url: "%s"}
            openai: {admin_key: os.environ/OPENAI_ADMIN_KEY, project_ids: [proj_gateway], base_url: "%s"}
        """.formatted(anthropicKeyEnv, fake.baseUrl(), fake.baseUrl());
    return ReconcilerConfigLoader.from(ConfigFile.of(new YAMLMapper().readTree(yaml)),
        Map.of("ANTHROPIC_ADMIN_KEY", FakeAdminApi.ANTHROPIC_KEY, "OPENAI_ADMIN_KEY", FakeAdminApi.OPENAI_KEY,
            "WRONG_KEY", "sk-ant-admin01-wrong-secret"));
  }

  private static void meter(ClickHouseTestDatabase db, String day, String provider, String model, long input,
                            long output, long cacheRead, long write5m, long costNanos) {
    db.client().execute("INSERT INTO " + db.database() + ".usage_events (event_id, ts, provider, model, input_tokens,"
        + " output_tokens, cache_read_tokens, cache_write_5m_tokens, cost_nanos, price_known) VALUES ('"
        + UUID.randomUUID() + "', toDateTime('" + day + " 10:00:00'), '" + provider + "', '" + model + "', " + input + ", "
        + output + ", " + cacheRead + ", " + write5m + ", " + costNanos + ", 1)");
  }

  @Test
  void aThreePercentDriftOnOneModelDayRaisesExactlyOneAlertAcrossRestarts(KafkaCluster kafka, ClickHouseTestDatabase db)
      throws Exception {
    TopicSetup.ensure(kafka.bootstrapServers(), Duration.ofSeconds(60));
    meter(db, "2026-11-15", "anthropic", HAIKU, 100_000, 10_000, 0, 0, 150_000_000L);
    // 11-16 sonnet: the usage report's tokens (two calls), priced $9.00 by the provider's report; Tollgate says $9.27.
    meter(db, "2026-11-16", "anthropic", SONNET, 1_000_000, 200_000, 2_000_000, 100_000, 6_975_000_000L + 270_000_000L);
    meter(db, "2026-11-16", "anthropic", SONNET, 300_000, 10_000, 0, 0, 2_025_000_000L);
    meter(db, "2026-11-16", "anthropic", HAIKU, 500_000, 100_000, 0, 0, 1_000_000_000L);
    meter(db, "2026-11-17", "anthropic", SONNET, 2_000_000, 100_000, 0, 0, 7_500_000_000L);
    meter(db, "2026-11-18", "anthropic", SONNET, 1_000_000, 0, 0, 0, 3_300_000_000L);
    meter(db, "2026-11-16", "openai", MINI, 1_000_000, 500_000, 200_000, 0, 465_000_000L);
    meter(db, "2026-11-17", "openai", MINI, 100_000, 10_000, 0, 0, 21_000_000L);

    ReconcilerConfig config = config("ANTHROPIC_ADMIN_KEY");
    fake.requests.clear(); // the other test's requests
    Clock clock = Clock.fixed(NOW, ZoneOffset.UTC);
    io.prometheus.metrics.model.registry.PrometheusRegistry registry = new io.prometheus.metrics.model.registry.PrometheusRegistry();
    ReconcilerMetrics metrics = new ReconcilerMetrics(registry);
    Reconciler.Result first;
    try (KafkaAlertSink sink = new KafkaAlertSink(kafka.bootstrapServers(), Map.of())) {
      first = Main.build(config, db.client(), sink, PriceTable.bundled(), clock, metrics).runOnce();
    }
    assertThat(first).isEqualTo(new Reconciler.Result(2, 0, first.rows(), 1));
    // A restart: new objects, the same ClickHouse; the drift is still there, the alert is not raised again.
    Reconciler.Result second;
    try (KafkaAlertSink sink = new KafkaAlertSink(kafka.bootstrapServers(), Map.of())) {
      second = Main.build(config, db.client(), sink, PriceTable.bundled(), Clock.offset(clock, Duration.ofHours(1)),
          metrics)
          .runOnce();
    }
    assertThat(second.alertsRaised()).isZero();
    assertThat(second.providersOk()).isEqualTo(2);
    String scrape = new io.tollgate.schemas.metrics.MetricsRegistry(registry).scrape();
    assertThat(scrape).contains("tollgate_reconciler_drift_alerts_total{direction=\"over_metering\",provider=\"anthropic\"} 1.0")
        .contains("tollgate_reconciler_polls_total{outcome=\"ok\",provider=\"openai\"} 2.0");

    List<Alert> alerts = drift(readAll(kafka));
    assertThat(alerts).hasSize(1);
    Alert a = alerts.get(0);
    assertThat(a.getScopeId()).isEqualTo("anthropic/" + SONNET);
    assertThat(a.getWindowStart()).isEqualTo(Instant.parse("2026-11-16T00:00:00Z"));
    assertThat(a.getDetails()).containsEntry("drift_usd", "0.2700").containsEntry("direction", "over_metering")
        .containsEntry("billed_usd", "9.0000").containsEntry("metered_usd", "9.2700");
    assertThat(a.toString()).doesNotContain(FakeAdminApi.ANTHROPIC_KEY).doesNotContain(FakeAdminApi.OPENAI_KEY);

    Map<String, Map<String, Object>> rows = db.client().query("SELECT provider, model, toString(day) AS date, status,"
            + " billed_nanos, metered_nanos, drift_nanos, alert_id FROM " + db.database() + ".provider_usage FINAL")
        .stream().collect(Collectors.toMap(r -> r.get("provider") + " " + r.get("model") + " " + r.get("date"), r -> r));
    assertThat(rows.get("anthropic " + SONNET + " 2026-11-16")).containsEntry("status", "settled")
        .containsEntry("billed_nanos", 9_000_000_000L).containsEntry("drift_nanos", 270_000_000L)
        .containsEntry("alert_id", a.getAlertId());
    assertThat(rows.get("anthropic " + HAIKU + " 2026-11-15")).containsEntry("status", "missing").containsEntry("alert_id", "");
    assertThat(rows.get("anthropic " + SONNET + " 2026-11-18")).containsEntry("status", "unsettled")
        .containsEntry("drift_nanos", 300_000_000L).containsEntry("alert_id", "");
    assertThat(rows.get("anthropic * 2026-11-16")).containsEntry("billed_nanos", 10_000_000_000L).containsEntry("alert_id", "");
    assertThat(rows.get("anthropic * 2026-11-17")).containsEntry("drift_nanos", 0L);
    assertThat(rows.get("openai " + MINI + " 2026-11-16")).containsEntry("drift_nanos", 0L).containsEntry("status", "settled");
    assertThat(rows.get("openai " + MINI + " 2026-11-17")).containsEntry("billed_nanos", 21_000_000L).containsEntry("drift_nanos", 0L);
    assertThat(rows.values()).filteredOn(r -> !"".equals(r.get("alert_id"))).hasSize(1);

    // Every endpoint was read to its last page, scoped as configured.
    List<FakeAdminApi.Request> seen = new ArrayList<>(fake.requests);
    for (String path : List.of("/v1/organizations/usage_report/messages", "/v1/organizations/cost_report",
        "/v1/organization/usage/completions", "/v1/organization/costs")) {
      assertThat(seen).filteredOn(r -> r.path().equals(path) && !r.all("page").isEmpty()).isNotEmpty();
    }
    FakeAdminApi.Request usage = seen.stream().filter(r -> r.path().endsWith("usage_report/messages")).findFirst().orElseThrow();
    assertThat(usage.all("api_key_ids[]")).containsExactly("apikey_gateway");
    assertThat(usage.all("group_by[]")).containsExactly("model", "context_window");
    assertThat(usage.all("starting_at")).containsExactly("2026-11-15T00:00:00Z");
    FakeAdminApi.Request costs = seen.stream().filter(r -> r.path().equals("/v1/organization/costs")).findFirst().orElseThrow();
    assertThat(costs.all("project_ids[]")).containsExactly("proj_gateway");
    assertThat(costs.all("group_by[]")).containsExactly("line_item");
    assertThat(costs.all("start_time")).containsExactly("1794700800");
  }

  @Test
  void aRefusedAdminKeyFailsThatProviderOnlyAndNeverShowsTheKey(KafkaCluster kafka, ClickHouseTestDatabase db)
      throws Exception {
    ReconcilerConfig config = config("WRONG_KEY");
    List<Alert> sent = new ArrayList<>();
    // Days after the other test's (same database): OpenAI's fixture days are outside, so nothing to compare there.
    Instant later = NOW.plus(Duration.ofDays(60));
    Reconciler.Result r = Main.build(config, db.client(), sent::add, PriceTable.bundled(),
        Clock.fixed(later, ZoneOffset.UTC), ReconcilerMetrics.none()).runOnce();
    assertThat(r.providersFailed()).isEqualTo(1);
    assertThat(r.providersOk()).isEqualTo(1);
    assertThat(sent).isEmpty();
    assertThat(db.client().queryLong("SELECT count() FROM " + db.database() + ".provider_usage WHERE provider = 'anthropic'"
        + " AND fetched_at = toDateTime(" + later.getEpochSecond() + ")")).isZero();
    assertThat(db.client().queryLong("SELECT count() FROM " + db.database() + ".provider_usage WHERE provider = 'openai'"
        + " AND fetched_at = toDateTime(" + later.getEpochSecond() + ") AND status = 'missing'")).isEqualTo(6);
  }

  /** Every record on the alerts topic, read to the end offsets as they were when called. */
  private static List<Alert> readAll(KafkaCluster kafka) {
    Properties p = new Properties();
    p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers());
    p.put(ConsumerConfig.GROUP_ID_CONFIG, "reconciler-it-" + UUID.randomUUID());
    p.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
    p.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
    List<Alert> out = new ArrayList<>();
    try (KafkaConsumer<String, Alert> c = new KafkaConsumer<>(p, new StringDeserializer(), TollgateSerdes.alert())) {
      List<TopicPartition> parts = c.partitionsFor(Topics.ALERTS.name()).stream()
          .map(i -> new TopicPartition(i.topic(), i.partition())).toList();
      c.assign(parts);
      c.seekToBeginning(parts);
      Map<TopicPartition, Long> end = c.endOffsets(parts);
      long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
      while (parts.stream().anyMatch(tp -> c.position(tp) < end.get(tp))) {
        if (System.nanoTime() > deadline) {
          throw new AssertionError("alerts topic not read to its end within 60 s");
        }
        for (ConsumerRecord<String, Alert> rec : c.poll(Duration.ofMillis(200))) {
          out.add(rec.value());
        }
      }
    }
    return out;
  }

  private static List<Alert> drift(List<Alert> all) {
    return all.stream().filter(a -> a.getKind().equals("reconciliation_drift")).toList();
  }
}
