package io.tollgate.alerting.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import io.tollgate.alerting.rules.CacheBreakRule;
import io.tollgate.alerting.rules.Period;
import io.tollgate.alerting.rules.Scope;
import io.tollgate.schemas.config.ConfigException;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** {@code tollgate.alerts.cache_breaks}: defaults, every value checked, every problem at once. */
class CacheBreakRulesTest {
  private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());

  private static AlertingConfig load(String yaml) throws Exception {
    return AlertingConfigLoader.load(YAML.readTree(yaml), Map.of());
  }

  @Test
  void readsCacheBreakRulesWithTheirDefaults() throws Exception {
    AlertingConfig c = load("""
        thresholds:
          - {id: daily-50, scope: customer, period: day, amount_usd: 50, channels: [log]}
        cache_breaks:
          - {id: cache-break, scope: customer, channels: [log]}
          - {id: tag-cache, scope: tag, match: "feature:search", drop: 0.3, min_spend_usd: "2.5", channels: [log]}
          - {id: demo, scope: model, window: 1m, baseline_periods: 5, min_baseline_periods: 1, min_spend_ratio: 0.25,
             min_prompt_tokens: 5000, min_baseline_share: 0.1, cooldown: 30m, channels: [log]}
        """);
    assertThat(c.cacheBreaks()).hasSize(3);
    assertThat(c.rulesSummary()).isEqualTo("1 threshold rule, 0 anomaly rules, 3 cache-break rules");
    CacheBreakRule d = c.cacheBreaks().get(0);
    assertThat(d).isEqualTo(CacheBreakRule.defaults("cache-break", Scope.CUSTOMER, Period.HOUR, List.of("log")));
    assertThat(d.baselinePeriods()).isEqualTo(24);
    assertThat(d.minBaselinePeriods()).isEqualTo(6);
    assertThat(d.cooldown()).isEqualTo(Duration.ofHours(24));
    CacheBreakRule tag = c.cacheBreaks().get(1);
    assertThat(tag.window()).as("tag and key scopes default to day windows").isEqualTo(Period.DAY);
    assertThat(tag.baselinePeriods()).isEqualTo(7);
    assertThat(tag.minBaselinePeriods()).isEqualTo(2);
    assertThat(tag.match()).isEqualTo("feature:search");
    assertThat(tag.drop()).isEqualTo(0.3);
    assertThat(tag.minSpendNanos()).isEqualTo(2_500_000_000L);
    CacheBreakRule demo = c.cacheBreaks().get(2);
    assertThat(demo.window()).isEqualTo(Period.MINUTE);
    assertThat(demo.minPromptTokens()).isEqualTo(5000);
    assertThat(demo.minSpendRatio()).isEqualTo(0.25);
    assertThat(demo.minBaselineShare()).isEqualTo(0.1);
    assertThat(demo.cooldown()).isEqualTo(Duration.ofMinutes(30));
  }

  @Test
  void everyBadValueIsReportedAtOnce() {
    assertThatThrownBy(() -> load("""
        thresholds:
          - {id: same, scope: customer, period: minute, amount_usd: 5, channels: [log]}
        cache_breaks:
          - {id: same, scope: key, window: hour, channels: [log]}
          - {id: b, scope: planet, window: week, channels: [pager]}
          - {id: c, scope: customer, drop: 1.5, baseline_periods: 0, min_baseline_periods: 3, channels: [log]}
          - {id: d, scope: model, drop: abc, min_spend_ratio: -1, min_prompt_tokens: -5, min_baseline_share: 1,
             min_spend_usd: 0.0000000001, cooldown: soon, channels: [log], colour: red}
          - {id: e, scope: tool, baseline_periods: 1000, channels: []}
        """))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("thresholds[0].period must be hour, day or month (minute is for cache_breaks windows only)")
        .hasMessageContaining("'same' is used twice")
        .hasMessageContaining("cache_breaks[0].window key rules work on day windows")
        .hasMessageContaining("cache_breaks[1].scope must be one of")
        .hasMessageContaining("cache_breaks[1].window must be minute, hour or day, got 'week'")
        .hasMessageContaining("unknown channel 'pager'")
        .hasMessageContaining("cache_breaks[2].drop must be a fraction between 0 and 1")
        .hasMessageContaining("cache_breaks[2].baseline_periods must be 1-400")
        .hasMessageContaining("cache_breaks[2].min_baseline_periods must be 1 to baseline_periods (0)")
        .hasMessageContaining("cache_breaks[3].drop")
        .hasMessageContaining("cache_breaks[3].min_spend_ratio must be 0-100")
        .hasMessageContaining("cache_breaks[3].min_prompt_tokens must be zero or more")
        .hasMessageContaining("cache_breaks[3].min_baseline_share must be a fraction")
        .hasMessageContaining("cache_breaks[3].min_spend_usd must be a USD amount with at most 9 decimals")
        .hasMessageContaining("cache_breaks[3].cooldown must be a duration")
        .hasMessageContaining("cache_breaks[4].baseline_periods must be 1-400")
        .hasMessageContaining("cache_breaks[4].channels must name at least one of")
        .satisfies(e -> assertThat(((ConfigException) e).warnings()).anyMatch(w -> w.contains("cache_breaks[3].colour")));
  }
}
