package io.tollgate.alerting.rules;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The cache-break state machine on synthetic hourly series. A token costs $3/M uncached and $0.30/M
 * read from the cache; output adds $1 per M prompt tokens. Normal traffic: 2M prompt tokens an hour, 90 % read
 * from the cache (about $3.14 an hour).
 */
class CacheBreakStateTest {
  private static final long USD = 1_000_000_000L;
  private static final Instant START = Instant.parse("2026-01-01T00:00:00Z");
  private static final long NORMAL = 2_000_000;
  private final CacheBreakRule rule = CacheBreakRule.defaults("cache-break", Scope.CUSTOMER, Period.HOUR, List.of("slack"));

  private record Hour(long promptTokens, double share) {
  }

  private record Run(CacheBreakState state, List<CacheBreakState.Decision> alerts) {
  }

  private static List<Hour> hours(int n, long prompt, double share) {
    List<Hour> out = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      out.add(new Hour(prompt, share));
    }
    return out;
  }

  @SafeVarargs
  private static List<Hour> series(List<Hour>... parts) {
    List<Hour> out = new ArrayList<>();
    for (List<Hour> p : parts) {
      out.addAll(p);
    }
    return out;
  }

  static long spendNanos(long prompt, double share) {
    return Math.round(prompt * ((1 - share) * 3000 + share * 300 + 1000));
  }

  /** Feeds each hour in 10 updates spread over the hour, from hour {@code first}. */
  private Run feed(CacheBreakRule r, CacheBreakState state, int first, List<Hour> series) {
    List<CacheBreakState.Decision> alerts = new ArrayList<>();
    for (int h = 0; h < series.size(); h++) {
      Hour hour = series.get(h);
      if (hour.promptTokens() == 0) {
        continue; // no traffic: no update at all
      }
      Instant start = START.plus(Duration.ofHours(first + h));
      long read = Math.round(hour.promptTokens() * hour.share());
      long spend = spendNanos(hour.promptTokens(), hour.share());
      for (int p = 0; p < 10; p++) {
        CacheBreakState.Step step = state.add(r, "acme", start, spend / 10, hour.promptTokens() / 10, read / 10,
            start.plus(Duration.ofMinutes(3 + p * 6L)));
        state = step.state();
        alerts.addAll(step.alerts());
      }
    }
    return new Run(state, alerts);
  }

  @Test
  void aBreakFiresExactlyOnceWithTheMoneyAtStake() {
    Run run = feed(rule, CacheBreakState.NEW, 0, series(hours(30, NORMAL, 0.9), hours(12, NORMAL, 0.05)));
    assertThat(run.alerts()).singleElement().satisfies(d -> {
      AlertDecision a = d.alert();
      Instant hour30 = START.plus(Duration.ofHours(30));
      assertThat(a.periodStart()).as("caught in the first broken hour, still open").isEqualTo(hour30);
      assertThat(a.alertId()).isEqualTo(AlertIds.of("cache-break", "acme", hour30, "cache_break"));
      assertThat(a.kind()).isEqualTo("cache_break");
      // per prompt token: 1570 nano-USD before, 3865 broken; 2M tokens an hour, 24 hours a day
      assertThat(a.reason()).isEqualTo("customer acme: prompt-cache reads fell to 5.0% of input tokens this hour "
          + "(usual 90%) while spend stayed up: +$110.16/day if it stays broken");
      assertThat(d.facts()).containsEntry("extra_usd_per_day", "110.16").containsEntry("cache_read_share", "5.0%")
          .containsEntry("baseline_cache_read_share", "90%");
      assertThat(a.meanNanos()).as("baseline spend per hour").isEqualTo(spendNanos(NORMAL, 0.9));
    });
    assertThat(run.state().broken()).isTrue();
  }

  @Test
  void aSteadySeriesNoisyOrNotNeverFires() {
    List<Hour> noisy = new ArrayList<>();
    java.util.Random random = new java.util.Random(7);
    for (int h = 0; h < 500; h++) { // share 0.75-0.95, traffic ±50 %
      noisy.add(new Hour(Math.round(NORMAL * (0.5 + random.nextDouble())), 0.75 + 0.2 * random.nextDouble()));
    }
    assertThat(feed(rule, CacheBreakState.NEW, 0, noisy).alerts()).isEmpty();
  }

  @Test
  void aSteadyLowShareNeverFiresEvenWhenItHalvesNowAndThen() {
    List<Hour> low = new ArrayList<>();
    for (int h = 0; h < 100; h++) { // 10-15 % cached, some hours 3 %: not a scope that relies on its cache
      low.add(new Hour(NORMAL, h % 7 == 6 ? 0.03 : 0.1 + (h % 3) * 0.025));
    }
    assertThat(feed(rule, CacheBreakState.NEW, 0, low).alerts()).isEmpty();
  }

  @Test
  void aQuietPeriodDoesNotFire() {
    // a night without traffic, then a quiet hour whose few calls find the cache cold, then a normal day
    Run run = feed(rule, CacheBreakState.NEW, 0, series(hours(30, NORMAL, 0.9), hours(8, 0, 0),
        hours(1, 300_000, 0.1), hours(20, NORMAL, 0.9)));
    assertThat(run.alerts()).isEmpty();
  }

  @Test
  void aShareFallingTogetherWithTheSpendIsNotABreak() {
    CacheBreakRule anySpend = new CacheBreakRule("cache-break", Scope.CUSTOMER, "*", Period.HOUR, 24, 6, 0.5, 0.5, 0,
        10_000, 0.2, Duration.ofHours(24), List.of("slack"));
    // the traffic drops to a tenth (and what is left caches badly): spend falls to ~$0.77 an hour
    Run run = feed(anySpend, CacheBreakState.NEW, 0, series(hours(30, NORMAL, 0.9), hours(10, NORMAL / 10, 0.05)));
    assertThat(run.alerts()).isEmpty();
  }

  @Test
  void tinyScopesDoNotFire() {
    // 20k prompt tokens an hour: below min_prompt_tokens (100k) and min_spend_usd ($1)
    Run run = feed(rule, CacheBreakState.NEW, 0, series(hours(30, 20_000, 0.9), hours(10, 20_000, 0.0)));
    assertThat(run.alerts()).isEmpty();
  }

  @Test
  void coldStartNeedsMinBaselinePeriods() {
    // 5 hours of baseline; the default rule needs 6 (a quarter of 24)
    assertThat(feed(rule, CacheBreakState.NEW, 0, series(hours(5, NORMAL, 0.9), hours(1, NORMAL, 0.05))).alerts()).isEmpty();
    assertThat(feed(rule, CacheBreakState.NEW, 0, series(hours(6, NORMAL, 0.9), hours(1, NORMAL, 0.05))).alerts()).hasSize(1);
  }

  @Test
  void recoveryReArmsSoTheNextBreakFiresAgain() {
    Run run = feed(rule, CacheBreakState.NEW, 0, series(hours(30, NORMAL, 0.9), hours(3, NORMAL, 0.05),
        hours(1, NORMAL, 0.88), hours(20, NORMAL, 0.9), hours(2, NORMAL, 0.1)));
    assertThat(run.alerts()).extracting(d -> d.alert().periodStart())
        .containsExactly(START.plus(Duration.ofHours(30)), START.plus(Duration.ofHours(54)));
  }

  @Test
  void aHalfRecoveryDoesNotReArm() {
    // back to 50 % only (below 90 % × (1 − 0.5 / 2) = 67.5 %), then broken again: still the same break
    Run run = feed(rule, CacheBreakState.NEW, 0, series(hours(30, NORMAL, 0.9), hours(2, NORMAL, 0.05),
        hours(2, NORMAL, 0.5), hours(2, NORMAL, 0.05)));
    assertThat(run.alerts()).hasSize(1);
  }

  @Test
  void aBreakStillThereAfterTheCooldownIsRemindedOfOnce() {
    CacheBreakRule shortCooldown = new CacheBreakRule("cache-break", Scope.CUSTOMER, "*", Period.HOUR, 48, 6, 0.5, 0.5,
        USD, 100_000, 0.2, Duration.ofHours(6), List.of("slack"));
    // 48-hour baseline: after 7 broken hours the baseline still remembers the good share
    Run run = feed(shortCooldown, CacheBreakState.NEW, 0, series(hours(48, NORMAL, 0.9), hours(8, NORMAL, 0.05)));
    assertThat(run.alerts()).extracting(d -> d.alert().periodStart())
        .containsExactly(START.plus(Duration.ofHours(48)), START.plus(Duration.ofHours(54)));
  }

  @Test
  void lateUpdatesOfAnEarlierPeriodChangeNothingAndTheStateRoundTrips() {
    Run run = feed(rule, CacheBreakState.NEW, 0, hours(30, NORMAL, 0.9));
    CacheBreakState.Step late = run.state().add(rule, "acme", START, 10 * USD, NORMAL, 0, START.plus(Duration.ofDays(2)));
    assertThat(late.state()).isEqualTo(run.state());
    assertThat(late.alerts()).isEmpty();
    assertThat(CacheBreakState.decode(run.state().encode())).isEqualTo(run.state());
    assertThat(run.state().history()).hasSize(24);
    assertThat(CacheBreakState.decode(null)).isEqualTo(CacheBreakState.NEW);
    assertThat(CacheBreakState.decode(CacheBreakState.NEW.encode())).isEqualTo(CacheBreakState.NEW);
  }

  @Test
  void theRuleRefusesWhatCannotWork() {
    assertThatThrownBy(() -> new CacheBreakRule("r", Scope.KEY, "*", Period.HOUR, 7, 2, 0.5, 0.5, 0, 0, 0.2,
        Duration.ZERO, List.of("log"))).hasMessageContaining("key and tag: day");
    assertThatThrownBy(() -> new CacheBreakRule("r", Scope.CUSTOMER, "*", Period.HOUR, 7, 8, 1.5, 0.5, 0, 0, 0.2,
        Duration.ZERO, List.of("log"))).hasMessageContaining("0 < drop < 1");
  }
}
