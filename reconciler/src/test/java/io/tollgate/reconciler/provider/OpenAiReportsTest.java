package io.tollgate.reconciler.provider;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.tollgate.reconciler.provider.ProviderReport.ModelDay;
import java.time.LocalDate;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(30)
class OpenAiReportsTest {
  private static final LocalDate D16 = LocalDate.of(2026, 11, 16);
  private static final String MINI = "gpt-4o-mini-2024-07-18";

  private static ProviderReport report() {
    return OpenAiReports.parse(
        List.of(Fixtures.page("openai-usage"), Fixtures.page("openai-usage-page_AAAAAGdGxdEiJdKOAAAAAGcqsYA=")),
        List.of(Fixtures.page("openai-costs"), Fixtures.page("openai-costs-page_costs_2")));
  }

  @Test
  void cachedInputIsTakenOutOfInputAndLineItemsPriceTheirModel() {
    ProviderReport r = report();
    assertThat(r.models().get(new ModelDay(MINI, D16)))
        .isEqualTo(new Tokens(1_000_000, 500_000, 200_000, 0, 0, 100, 465_000_000L));
    assertThat(r.modelSource()).isEqualTo("line_items");
  }

  @Test
  void anUndatedLineItemBelongsToTheDatedUsageModelOfThatDay() {
    assertThat(report().models()).containsEntry(new ModelDay(MINI, D16.plusDays(1)),
        new Tokens(100_000, 10_000, 0, 0, 0, 7, 21_000_000L)).hasSize(2);
  }

  @Test
  void totalsAreEveryLineItemAndEmptyBucketsAreNotReported() {
    ProviderReport r = report();
    assertThat(r.totals()).containsEntry(D16, 465_000_000L).containsEntry(D16.plusDays(1), 21_000_000L).hasSize(2);
    assertThat(r.reportedDays()).containsExactlyInAnyOrder(D16, D16.plusDays(1));
  }

  @Test
  void matchingIsExactFirstAndAmbiguityKeepsTheLineItemName() {
    ModelDay item = new ModelDay("gpt-4o", D16);
    assertThat(OpenAiReports.match(item, Set.of(new ModelDay("gpt-4o-2024-08-06", D16))))
        .isEqualTo(new ModelDay("gpt-4o-2024-08-06", D16));
    assertThat(OpenAiReports.match(item, Set.of(new ModelDay("gpt-4o-2024-08-06", D16),
        new ModelDay("gpt-4o-2024-11-20", D16)))).isEqualTo(item);
    assertThat(OpenAiReports.match(item, Set.of(item, new ModelDay("gpt-4o-2024-08-06", D16)))).isEqualTo(item);
  }

  @Test
  void anotherCurrencyIsRefused() {
    assertThatThrownBy(() -> OpenAiReports.usdToNanos(Fixtures.json("{\"value\": 1, \"currency\": \"eur\"}")))
        .isInstanceOf(AdminApiException.class).hasMessageContaining("eur");
    assertThat(OpenAiReports.usdToNanos(Fixtures.json("{\"value\": 0.000000001, \"currency\": \"usd\"}"))).isEqualTo(1);
  }
}
