package io.tollgate.bench.system;

import static org.assertj.core.api.Assertions.assertThat;

import io.tollgate.bench.chaos.Ledger;
import java.util.List;
import org.junit.jupiter.api.Test;

class SystemReportTest {
  private static Measured.Figures figures(long errors, long p99Us, long freshP99Ms, long neverFresh) {
    return new Measured.Figures(100, 100 - errors, errors, 100, 1_000, p99Us, p99Us, 300, freshP99Ms, freshP99Ms,
        neverFresh, Measured.Cpu.NONE);
  }

  private static Ledger.Account account(long lost, long dup) {
    return new Ledger.Account(100, 100 - lost, lost, dup, 5_000, 5_000, 0, 0, List.of());
  }

  @Test
  void aStepPassesOnlyWithoutErrorsLossDuplicatesOrOffTotalsAndWithFreshnessP99WithinTheLimit() {
    assertThat(SystemReport.verdict(figures(0, 9_000, 2_000, 0), account(0, 0), 100, 5_000, 2_000)).isEmpty();
    assertThat(SystemReport.verdict(figures(0, 9_000, 2_001, 0), account(0, 0), 100, 5_000, 2_000))
        .singleElement().asString().contains("freshness p99 2.00 s > 2.00 s");
    assertThat(SystemReport.verdict(figures(1, 9_000, 100, 0), account(0, 0), 100, 5_000, 2_000)).hasSize(1);
    assertThat(SystemReport.verdict(figures(0, 9_000, 100, 0), account(1, 0), 100, 5_000, 2_000)).hasSize(1);
    assertThat(SystemReport.verdict(figures(0, 9_000, 100, 0), account(0, 1), 100, 5_000, 2_000)).hasSize(1);
    assertThat(SystemReport.verdict(figures(0, 9_000, 100, 0), account(0, 0), 101, 5_000, 2_000)).hasSize(1);
    assertThat(SystemReport.verdict(figures(0, 9_000, 100, 0), account(0, 0), 100, 4_999, 2_000)).hasSize(1);
    assertThat(SystemReport.verdict(figures(0, 9_000, 100, 1), account(0, 0), 100, 5_000, 2_000)).hasSize(1);
  }

  @Test
  void steadyStateStartsAtTheFirstBucketFromWhichEveryLaterOneIsWithinTwiceTheLastP99AndFresh() {
    List<SystemReport.Bucket> b = List.of(
        new SystemReport.Bucket(0, 5, figures(0, 900_000, 3_000, 0)),
        new SystemReport.Bucket(5, 10, figures(0, 30_000, 900, 0)),
        new SystemReport.Bucket(10, 15, figures(0, 12_000, 800, 0)),
        new SystemReport.Bucket(15, 20, figures(0, 10_000, 700, 0)));
    assertThat(SystemReport.steadyAfter(b, 2_000)).isEqualTo(10);
    assertThat(SystemReport.steadyAfter(List.of(new SystemReport.Bucket(0, 5, figures(0, 1_000, 2_500, 0))), 2_000))
        .isEqualTo(-1);
  }

  @Test
  void theSectionReplacesItsOwnMarkersOnlyOrIsAppended() {
    String section = SystemReport.BEGIN + "\nnew\n" + SystemReport.END + "\n";
    String old = "# Benchmarks\n\nbefore\n" + SystemReport.BEGIN + "\nold\n" + SystemReport.END + "\nafter\n";
    assertThat(SystemReport.replaceSection(old, section)).isEqualTo("# Benchmarks\n\nbefore\n" + section + "after\n");
    assertThat(SystemReport.replaceSection("# Benchmarks\n", section)).isEqualTo("# Benchmarks\n\n" + section);
  }
}
