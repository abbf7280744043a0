package io.tollgate.reconciler.provider;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.tollgate.ingress.pricing.PriceTable;
import io.tollgate.reconciler.provider.ProviderReport.ModelDay;
import java.time.LocalDate;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(30)
class AnthropicReportsTest {
  private static final PriceTable PRICES = PriceTable.bundled();
  private static final LocalDate D16 = LocalDate.of(2026, 11, 16);
  private static final String SONNET = "claude-sonnet-4-5-20250929";

  private static ProviderReport report(Set<String> workspaces) {
    return AnthropicReports.parse(
        List.of(Fixtures.page("anthropic-usage"), Fixtures.page("anthropic-usage-p2")),
        List.of(Fixtures.page("anthropic-cost"), Fixtures.page("anthropic-cost-p2")), true, workspaces, PRICES);
  }

  @Test
  void usageTokensArePricedPerContextWindowAndSummedPerModelAndDay() {
    ProviderReport r = report(Set.of("wrkspc_gateway"));
    Tokens sonnet = r.models().get(new ModelDay(SONNET, D16));
    // 0-200k: 1M in × $3 + 2M read × $0.30 + 100k 5m write × $3.75 + 200k out × $15 = $6.975;
    // 200k-1M (long-context prices): 300k in × $6 + 10k out × $22.50 = $2.025.
    assertThat(sonnet).isEqualTo(new Tokens(1_300_000, 210_000, 2_000_000, 100_000, 0, 0, 9_000_000_000L));
    assertThat(r.models().get(new ModelDay("claude-haiku-4-5-20251001", D16)).nanos()).isEqualTo(1_000_000_000L);
    assertThat(r.modelSource()).isEqualTo("usage_priced");
  }

  @Test
  void costReportCentsBecomeNanosPerDayWithinTheConfiguredWorkspaces() {
    ProviderReport scoped = report(Set.of("wrkspc_gateway"));
    assertThat(scoped.totals()).containsEntry(D16, 10_000_000_000L).containsEntry(D16.plusDays(1), 7_500_000_000L)
        .containsEntry(D16.plusDays(2), 3_000_000_000L).hasSize(3);
    ProviderReport whole = report(Set.of());
    assertThat(whole.totals()).containsEntry(D16, 60_000_000_000L); // + the other team's $50
  }

  @Test
  void daysWithoutResultsAreNotReported() {
    assertThat(report(Set.of()).reportedDays()).containsExactlyInAnyOrder(D16, D16.plusDays(1), D16.plusDays(2));
  }

  @Test
  void withoutCostScopeTheTotalsAreLeftOut() {
    ProviderReport r = AnthropicReports.parse(List.of(Fixtures.page("anthropic-usage")),
        List.of(Fixtures.page("anthropic-cost")), false, Set.of(), PRICES);
    assertThat(r.totals()).isEmpty();
  }

  @Test
  void amountsAreExactDecimalCents() {
    assertThat(AnthropicReports.centsToNanos(Fixtures.json("\"0.0000001\""))).isEqualTo(1);
    assertThat(AnthropicReports.centsToNanos(Fixtures.json("\"123.45\""))).isEqualTo(1_234_500_000L);
    assertThatThrownBy(() -> AnthropicReports.centsToNanos(Fixtures.json("\"12,3\"")))
        .isInstanceOf(AdminApiException.class).hasMessageContaining("not a decimal");
  }

  @Test
  void aNegativeOrFractionalTokenCountIsRefusedNotGuessed() {
    String page = """
        {"data":[{"starting_at":"2026-11-16T00:00:00Z","ending_at":"2026-11-17T00:00:00Z",
          "results":[{"model":"claude-haiku-4-5","uncached_input_tokens":-5,"output_tokens":1}]}],
         "has_more":false,"next_page":null}""";
    assertThatThrownBy(() -> AnthropicReports.parse(List.of(Fixtures.json(page)), List.of(), false, Set.of(), PRICES))
        .isInstanceOf(AdminApiException.class).hasMessageContaining("non-negative integer");
  }

  @Test
  void anUnknownModelIsKeptWithItsTokensAndNoCost() {
    String page = """
        {"data":[{"starting_at":"2026-11-16T00:00:00Z","ending_at":"2026-11-17T00:00:00Z",
          "results":[{"model":"claude-future-9","uncached_input_tokens":10,"output_tokens":1}]}],
         "has_more":false,"next_page":null}""";
    ProviderReport r = AnthropicReports.parse(List.of(Fixtures.json(page)), List.of(), false, Set.of(), PRICES);
    assertThat(r.models().get(new ModelDay("claude-future-9", D16))).isEqualTo(new Tokens(10, 1, 0, 0, 0, 0, 0));
  }
}
