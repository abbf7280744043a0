package io.tollgate.launcher;

import static org.assertj.core.api.Assertions.assertThat;

import io.tollgate.alerting.config.AlertingConfig;
import io.tollgate.alerting.rules.Period;
import io.tollgate.alerting.rules.Scope;
import io.tollgate.schemas.config.ConfigFile;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** {@code --demo}'s cache break: when it starts, and the minute-window rule that catches it. */
class DemoCacheBreakTest {
  @Test
  void theCacheBreaksOnAMinuteBoundaryAfterAtLeast45SecondsOfBaseline() {
    Duration demo = Duration.ofMinutes(3);
    for (String start : new String[] {"2026-12-02T10:00:00Z", "2026-12-02T10:00:14.999Z", "2026-12-02T10:00:15Z",
        "2026-12-02T10:00:59Z"}) {
      long s = Instant.parse(start).toEpochMilli();
      long at = DemoTraffic.cacheBreakAt(s, demo);
      assertThat(at % 60_000).as("a UTC minute boundary").isZero();
      assertThat(at - s).as("baseline first").isGreaterThanOrEqualTo(45_000);
      assertThat(s + demo.toMillis() - at).as("then a whole broken minute within the demo").isGreaterThanOrEqualTo(60_000);
    }
    long s = Instant.parse("2026-12-02T10:00:00Z").toEpochMilli();
    assertThat(DemoTraffic.cacheBreakAt(s, Duration.ofMinutes(20))).as("a quarter into longer demos")
        .isEqualTo(s + 300_000);
  }

  @Test
  void theDemoAddsAMinuteWindowCacheBreakRuleToTheBuiltInOnes() {
    AlertingConfig demo = AlertingConfigs.build((ConfigFile) null, Map.of(), true);
    assertThat(demo.cacheBreaks()).extracting(r -> r.id() + ":" + r.window() + ":" + r.scope())
        .containsExactly("customer-cache-break:" + Period.HOUR + ":" + Scope.CUSTOMER,
            "demo-cache-break:" + Period.MINUTE + ":" + Scope.CUSTOMER);
    assertThat(demo.warnings()).isEmpty();
    assertThat(AlertingConfigs.build((ConfigFile) null, Map.of()).cacheBreaks()).extracting(r -> r.id())
        .containsExactly("customer-cache-break");
  }
}
