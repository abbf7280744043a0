package io.tollgate.launcher.litellm;

import static org.assertj.core.api.Assertions.assertThat;

import io.tollgate.ingress.identity.KeyAuth;
import io.tollgate.launcher.litellm.LitellmRows.BudgetRow;
import io.tollgate.launcher.litellm.LitellmRows.EndUserRow;
import io.tollgate.launcher.litellm.LitellmRows.KeyRow;
import io.tollgate.launcher.litellm.LitellmRows.Snapshot;
import io.tollgate.launcher.litellm.LitellmRows.TeamRow;
import io.tollgate.schemas.Customer;
import io.tollgate.schemas.Team;
import io.tollgate.schemas.VirtualKey;
import io.tollgate.schemas.serde.TollgateSerdes;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

class LitellmMappingTest {
  private static final Instant NOW = Instant.parse("2026-12-02T13:47:29Z");
  private static final Instant CREATED = Instant.parse("2026-10-01T08:00:00Z");
  private static final Instant UPDATED = Instant.parse("2026-11-15T09:30:00Z");
  private static final String KEY = "sk-litellm-developer-key-0001";
  private static final String HASH = KeyAuth.sha256(KEY);

  static KeyRow key(String token, Double spend, Double maxBudget, String duration, Instant resetAt, String budgetId) {
    return new KeyRow(token, "sk-...0001", "ana-laptop", spend, Instant.parse("2027-06-01T00:00:00Z"),
        List.of("claude-sonnet-4-5", "gpt-5"), "ana@example.com", "team-search", 4,
        "{\"tags\":[\"claude-code\"],\"owner\":\"ana\"}", null, 100_000L, 60L, maxBudget, duration, resetAt, budgetId,
        CREATED, UPDATED);
  }

  private static Snapshot snapshot(List<KeyRow> keys, List<TeamRow> teams, List<EndUserRow> users, List<BudgetRow> budgets) {
    return new Snapshot(keys, teams, users, budgets, List.of());
  }

  @Test
  void aKeyKeepsItsHashAndEveryLimit() {
    ImportPlan plan = LitellmMapping.plan(snapshot(
        List.of(key(HASH.toUpperCase(), 12.34, 100.0, "30d", Instant.parse("2027-01-01T00:00:00Z"), null)),
        List.of(team("team-search")), List.of(), List.of()), NOW);
    assertThat(plan.skipped()).isEmpty();
    VirtualKey k = plan.keys().get(0);
    assertThat(k.getKeyHash()).isEqualTo(HASH); // what the gateway computes from the key the developer holds
    assertThat(k.getKeyAlias()).isEqualTo("ana-laptop");
    assertThat(k.getKeyName()).isEqualTo("sk-...0001");
    assertThat(k.getUserId()).isEqualTo("ana@example.com");
    assertThat(k.getTeamId()).isEqualTo("team-search");
    assertThat(k.getModels()).containsExactly("claude-sonnet-4-5", "gpt-5");
    assertThat(k.getMaxBudgetNanos()).isEqualTo(100_000_000_000L);
    assertThat(k.getBudgetDuration()).isEqualTo("30d");
    assertThat(k.getRpmLimit()).isEqualTo(60L);
    assertThat(k.getTpmLimit()).isEqualTo(100_000L);
    assertThat(k.getMaxParallelRequests()).isEqualTo(4);
    assertThat(k.getBlocked()).isFalse();
    assertThat(k.getExpiresAt()).isEqualTo(Instant.parse("2027-06-01T00:00:00Z"));
    assertThat(k.getCreatedAt()).isEqualTo(CREATED);
    assertThat(k.getUpdatedAt()).isEqualTo(UPDATED);
    assertThat(k.getTags()).containsExactly("claude-code");
    assertThat(k.getMetadata()).containsOnly(java.util.Map.entry("owner", "ana"));
    assertThat(k.getSoftBudgetNanos()).isNull();
    assertThat(k.getDefaultCustomerId()).isNull();
    assertThat(k.getCarriedSpendNanos()).isEqualTo(12_340_000_000L);
    assertThat(k.getCarriedPeriodStart()).isEqualTo(Instant.parse("2026-12-01T00:00:00Z"));
  }

  @Test
  void aKeyTakesWhatItDoesNotSetFromItsBudgetRow() {
    BudgetRow b = new BudgetRow("b-key", 5.0, 4.0, 2, 1000L, 10L, "1d", Instant.parse("2026-12-03T00:00:00Z"),
        CREATED, UPDATED);
    KeyRow row = new KeyRow(HASH, null, null, 1.5, null, List.of(), null, null, null, "{}", true, null, null, null,
        null, null, "b-key", null, null);
    VirtualKey k = LitellmMapping.plan(snapshot(List.of(row), List.of(), List.of(), List.of(b)), NOW).keys().get(0);
    assertThat(k.getMaxBudgetNanos()).isEqualTo(5_000_000_000L);
    assertThat(k.getSoftBudgetNanos()).isEqualTo(4_000_000_000L);
    assertThat(k.getBudgetDuration()).isEqualTo("1d");
    assertThat(k.getRpmLimit()).isEqualTo(10L);
    assertThat(k.getTpmLimit()).isEqualTo(1000L);
    assertThat(k.getMaxParallelRequests()).isEqualTo(2);
    assertThat(k.getBlocked()).isTrue();
    assertThat(k.getModels()).isEmpty();
    assertThat(k.getCarriedSpendNanos()).isEqualTo(1_500_000_000L);
    assertThat(k.getCarriedPeriodStart()).isEqualTo(Instant.parse("2026-12-02T00:00:00Z"));
    assertThat(k.getCreatedAt()).isEqualTo(Instant.EPOCH); // LiteLLM left created_at null
  }

  @Test
  void spendIsCarriedOnlyWhileLitellmsPeriodRuns() {
    ImportPlan plan = LitellmMapping.plan(snapshot(List.of(
        key(HASH, 3.0, 10.0, "1d", Instant.parse("2026-12-02T00:00:00Z"), null), // reset due, job not run yet
        key(KeyAuth.sha256("sk-lifetime"), 7.25, 10.0, null, null, null),
        key(KeyAuth.sha256("sk-nothing"), 0.0, 10.0, "1h", null, null),
        key(KeyAuth.sha256("sk-noreset"), 0.5, 10.0, "1h", null, null)), List.of(team("team-search")), List.of(),
        List.of()), NOW);
    assertThat(plan.keys()).extracting(VirtualKey::getCarriedSpendNanos)
        .containsExactly(0L, 7_250_000_000L, 0L, 500_000_000L);
    assertThat(plan.keys()).extracting(VirtualKey::getCarriedPeriodStart)
        .containsExactly(null, Instant.EPOCH, null, Instant.parse("2026-12-02T13:00:00Z"));
    assertThat(plan.notes()).anyMatch(n -> n.startsWith("key " + HASH.substring(0, 8) + "…: spend $3 belongs to a budget period that ended"));
  }

  @Test
  void rowsThatCannotBeImportedAreListedWithTheirReasonAndNeverTheFullHash() {
    String otherHash = KeyAuth.sha256("sk-other");
    ImportPlan plan = LitellmMapping.plan(snapshot(List.of(
        key("not-a-hash", 1.0, 1.0, null, null, null),
        key(otherHash, 1.0, 1.0, "fortnightly", null, null),
        key(HASH, 1.0, 1.0, null, null, null),
        key(HASH.toUpperCase(), 1.0, 1.0, null, null, null),
        key("", 1.0, 1.0, null, null, null)), List.of(team("team-search")), List.of(), List.of()), NOW);
    assertThat(plan.keys()).hasSize(1);
    assertThat(plan.skipped()).extracting(ImportPlan.Skipped::reason).containsExactly(
        "token is neither a hex SHA-256 hash nor an sk- key",
        "budget_duration 'fortnightly' is not a duration (30s, 30m, 1h, 1d, 7d, 1w, 30d, 1mo, daily, weekly, monthly);"
            + " LiteLLM cannot reset it either. Fix it in LiteLLM and import again",
        "another row has the same key hash",
        "token is empty");
    assertThat(plan.skipped().toString() + plan.notes()).doesNotContain(HASH, otherHash, HASH.toUpperCase())
        .contains(otherHash.substring(0, 8) + "…");
  }

  @Test
  void aPlainKeyInTheTokenColumnIsImportedByItsHash() {
    ImportPlan plan = LitellmMapping.plan(snapshot(List.of(key(KEY, null, null, null, null, null)), List.of(),
        List.of(), List.of()), NOW);
    assertThat(plan.keys().get(0).getKeyHash()).isEqualTo(HASH);
    assertThat(plan.notes().toString()).contains("held the key itself").doesNotContain(KEY)
        .contains("team_id team-search is not an imported team");
  }

  @Test
  void modelsMarkersMeanEveryModel() {
    KeyRow all = new KeyRow(HASH, null, null, null, null, List.of("gpt-5", "all-team-models"), null, null, null, null,
        null, null, null, null, null, null, null, null, null);
    TeamRow team = new TeamRow("t", null, null, null, null, null, List.of("all-proxy-models"), null, null, null, null,
        null, null, CREATED, UPDATED);
    ImportPlan plan = LitellmMapping.plan(snapshot(List.of(all), List.of(team), List.of(), List.of()), NOW);
    assertThat(plan.keys().get(0).getModels()).isEmpty();
    assertThat(plan.teams().get(0).getModels()).isEmpty();
  }

  @Test
  void teamsCustomersAndBudgets() {
    BudgetRow budget = new BudgetRow("free-tier", 0.5, 0.4, null, 10_000L, 5L, "1mo",
        Instant.parse("2027-01-01T00:00:00Z"), CREATED, UPDATED);
    EndUserRow alice = new EndUserRow("alice", "Alice Corp", 0.125, "claude-haiku-4-5", "free-tier", false);
    EndUserRow bob = new EndUserRow("bob", null, null, null, "missing-budget", true);
    ImportPlan plan = LitellmMapping.plan(snapshot(List.of(), List.of(team("team-search")), List.of(alice, bob),
        List.of(budget)), NOW);
    assertThat(plan.budgets()).singleElement().satisfies(b -> {
      assertThat(b.getBudgetId()).isEqualTo("free-tier");
      assertThat(b.getMaxBudgetNanos()).isEqualTo(500_000_000L);
      assertThat(b.getSoftBudgetNanos()).isEqualTo(400_000_000L);
      assertThat(b.getBudgetDuration()).isEqualTo("1mo");
      assertThat(b.getRpmLimit()).isEqualTo(5L);
      assertThat(b.getTpmLimit()).isEqualTo(10_000L);
      assertThat(b.getMaxParallelRequests()).isNull();
      assertThat(b.getCreatedAt()).isEqualTo(CREATED);
    });
    Customer a = plan.customers().get(0);
    assertThat(a.getCustomerId()).isEqualTo("alice");
    assertThat(a.getAlias()).isEqualTo("Alice Corp");
    assertThat(a.getBudgetId()).isEqualTo("free-tier");
    assertThat(a.getDefaultModel()).isEqualTo("claude-haiku-4-5");
    assertThat(a.getMaxBudgetNanos()).isNull(); // the budget row's limits apply through budget_id
    assertThat(a.getCarriedSpendNanos()).isEqualTo(125_000_000L);
    assertThat(a.getCarriedPeriodStart()).isEqualTo(Instant.parse("2026-12-01T00:00:00Z"));
    assertThat(plan.customers().get(1).getBlocked()).isTrue();
    assertThat(plan.notes()).anyMatch(n -> n.startsWith("customer bob: budget_id missing-budget is not an imported budget"));
    Team t = plan.teams().get(0);
    assertThat(t.getTeamAlias()).isEqualTo("Search");
    assertThat(t.getMaxBudgetNanos()).isEqualTo(1_000_000_000_000L);
    assertThat(t.getSoftBudgetNanos()).isEqualTo(800_000_000_000L);
    assertThat(t.getBudgetDuration()).isEqualTo("monthly");
    assertThat(t.getRpmLimit()).isEqualTo(1000L);
    assertThat(t.getTpmLimit()).isEqualTo(2_000_000L);
    assertThat(t.getMaxParallelRequests()).isEqualTo(50);
    assertThat(t.getModels()).containsExactly("claude-sonnet-4-5");
    assertThat(t.getMetadata()).containsOnly(java.util.Map.entry("cost_center", "42"));
    assertThat(t.getCarriedSpendNanos()).isEqualTo(450_750_000_000L);
    assertThat(t.getCarriedPeriodStart()).isEqualTo(Instant.parse("2026-12-01T00:00:00Z"));
  }

  @Test
  void absurdAmountsSaturateOrAreClampedAndSaid() {
    TeamRow huge = new TeamRow("t", null, null, 1e300, Double.NaN, -5.0, List.of(), -1, -1L, null, null, null, null,
        CREATED, UPDATED);
    ImportPlan plan = LitellmMapping.plan(snapshot(List.of(), List.of(huge), List.of(), List.of()), NOW);
    Team t = plan.teams().get(0);
    assertThat(t.getMaxBudgetNanos()).isEqualTo(Long.MAX_VALUE);
    assertThat(t.getSoftBudgetNanos()).isNull();
    assertThat(t.getCarriedSpendNanos()).isZero();
    assertThat(t.getMaxParallelRequests()).isZero();
    assertThat(t.getTpmLimit()).isZero();
    assertThat(plan.notes()).hasSize(4);
  }

  @Test
  void theSameRowsGiveTheSameBytes() {
    Snapshot s = snapshot(List.of(key(HASH, 12.34, 100.0, "30d", Instant.parse("2027-01-01T00:00:00Z"), null)),
        List.of(team("team-search")), List.of(), List.of());
    VirtualKey first = LitellmMapping.plan(s, NOW).keys().get(0);
    VirtualKey second = LitellmMapping.plan(s, NOW.plusSeconds(3600)).keys().get(0);
    var serde = TollgateSerdes.virtualKey();
    assertThat(serde.serialize("t", second)).isEqualTo(serde.serialize("t", first));
  }

  private static TeamRow team(String id) {
    return new TeamRow(id, "Search", "{\"cost_center\":42}", 1000.0, 800.0, 450.75, List.of("claude-sonnet-4-5"), 50,
        2_000_000L, 1000L, "monthly", Instant.parse("2027-01-01T00:00:00Z"), false, CREATED, UPDATED);
  }
}
