package io.tollgate.alerting.topology;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import io.tollgate.alerting.config.AlertingConfig;
import io.tollgate.alerting.config.AlertingConfigLoader;
import io.tollgate.alerting.rules.Scope;
import io.tollgate.schemas.Alert;
import io.tollgate.schemas.SpendTotal;
import io.tollgate.schemas.serde.TollgateSerdes;
import io.tollgate.schemas.topics.Topics;
import java.nio.file.Files;
import java.time.Instant;
import java.time.LocalDate;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.TestInputTopic;
import org.apache.kafka.streams.TestOutputTopic;
import org.apache.kafka.streams.TopologyTestDriver;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Threshold rules with {@code scope: tag} ("spend by feature"), from the YAML a user writes to the
 * alerts of the production topology, fed with the per-tag day totals the aggregator writes to
 * {@code tollgate.spend-totals.v1} (scope {@code tag}).
 */
@Timeout(60)
class TagAlertsTest {
  private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());
  private static final long USD = 1_000_000_000L;
  private static final Instant DAY = Instant.parse("2026-11-24T00:00:00Z");
  private TopologyTestDriver driver;
  private TestInputTopic<String, SpendTotal> totals;
  private TestOutputTopic<String, Alert> alerts;

  @BeforeEach
  void start() throws Exception {
    AlertingConfig config = AlertingConfigLoader.load(YAML.readTree("""
        thresholds:
          - {id: chat-daily-20, scope: tag, match: "feature:chat", period: day, amount_usd: 20, channels: [log]}
          - {id: any-tag-monthly-100, scope: tag, match: "*", period: month, amount_usd: 100, channels: [log]}
        """), Map.of());
    assertThat(config.thresholds()).extracting(r -> r.scope()).containsOnly(Scope.TAG);
    Properties props = new Properties();
    props.put(StreamsConfig.APPLICATION_ID_CONFIG, "tag-alert-test");
    props.put(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, "unused:9092");
    props.put(StreamsConfig.STATE_DIR_CONFIG, Files.createTempDirectory("tag-alerts").toString());
    driver = new TopologyTestDriver(AlertTopology.buildTopology(config.thresholds(), config.anomalies()), props,
        DAY.plusSeconds(12 * 3600));
    totals = driver.createInputTopic(Topics.SPEND_TOTALS.name(), Serdes.String().serializer(),
        TollgateSerdes.spendTotal().serializer());
    alerts = driver.createOutputTopic(Topics.ALERTS.name(), Serdes.String().deserializer(),
        TollgateSerdes.alert().deserializer());
  }

  @AfterEach
  void stop() {
    driver.close();
  }

  private void total(String scope, String id, LocalDate day, long version, long costNanos) {
    SpendTotal t = SpendTotal.newBuilder().setScope(scope).setScopeId(id).setDay(day).setRequests(version)
        .setCostNanos(costNanos).setVersion(version).setUpdatedAt(DAY.plusSeconds(version)).build();
    totals.pipeInput(scope + "|" + id + "|" + day, t, DAY.plusSeconds(version));
  }

  @Test
  void aTagCrossingItsDailyAmountAlertsExactlyOnceAndOtherTagsDoNot() {
    LocalDate day = LocalDate.parse("2026-11-24");
    for (int v = 1; v <= 50; v++) {
      total("tag", "feature:chat", day, v, v * USD);     // crosses 20 at v = 20, then keeps rising
      total("tag", "feature:search", day, v, v * USD / 2); // 25 at most: not the chat rule's tag
      total("key", "feature:chat", day, v, v * USD * 10); // a key's total with the same id: not a tag
    }
    List<Alert> raised = alerts.readValuesToList();
    assertThat(raised).singleElement().satisfies(a -> {
      assertThat(a.getRuleId()).isEqualTo("chat-daily-20");
      assertThat(a.getScope()).isEqualTo("tag");
      assertThat(a.getScopeId()).isEqualTo("feature:chat");
      assertThat(a.getSpendNanos()).isEqualTo(20 * USD);
    });
  }

  @Test
  void aStarRuleWatchesEveryTagAndMonthsSumTheirDays() {
    total("tag", "feature:cli", LocalDate.parse("2026-11-22"), 1, 60 * USD);
    total("tag", "feature:cli", LocalDate.parse("2026-11-23"), 1, 30 * USD);
    total("tag", "feature:cli", LocalDate.parse("2026-11-24"), 1, 15 * USD);
    total("tag", "feature:web", LocalDate.parse("2026-11-24"), 1, 15 * USD);
    assertThat(alerts.readValuesToList()).singleElement().satisfies(a -> {
      assertThat(a.getRuleId()).isEqualTo("any-tag-monthly-100");
      assertThat(a.getScopeId()).isEqualTo("feature:cli");
      assertThat(a.getSpendNanos()).isEqualTo(105 * USD);
    });
  }

  @Test
  void tagRulesNeedDayOrMonthPeriods() {
    assertThatThrownBy(() -> AlertingConfigLoader.load(YAML.readTree("""
        thresholds:
          - {id: t, scope: tag, match: "feature:chat", period: hour, amount_usd: 5, channels: [log]}
        """), Map.of())).hasMessageContaining("tag rules work on day and month periods");
  }
}
