package io.tollgate.bench.system;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

class FreshnessTest {
  private static Freshness.Poll poll(long at, long count) {
    return new Freshness.Poll(at, count, 0);
  }

  @Test
  void eachCallIsFreshAtTheFirstPollWhoseCountReachesItsRankMeasuredFromItsDueTime() {
    long[] completed = {100, 200, 300, 400};
    long[] due = {90, 150, 290, 310};
    List<Freshness.Poll> polls = List.of(poll(250, 1), poll(500, 3), poll(900, 4));
    assertThat(Freshness.of(completed, due, polls)).containsExactly(250 - 90, 500 - 150, 500 - 290, 900 - 310);
  }

  @Test
  void callsNoPollCoveredAreNeverFreshAndADippingCountDoesNotUndoAnInclusion() {
    long[] completed = {10, 20, 30};
    long[] due = {0, 10, 20};
    List<Freshness.Poll> polls = List.of(poll(40, 2), poll(50, 1), poll(60, 2));
    assertThat(Freshness.of(completed, due, polls)).containsExactly(40, 30, Freshness.NEVER);
  }

  @Test
  void aPollBeforeTheDueTimeCountsAsZeroNotNegative() {
    assertThat(Freshness.of(new long[] {100}, new long[] {100}, List.of(poll(50, 5)))).containsExactly(0);
  }

  @Test
  void percentilesUseTheNearestRankAndPutNeverLast() {
    long[] v = {5, 1, 4, 2, 3, Freshness.NEVER, 6, 7, 8, 9};
    assertThat(Freshness.percentile(v, 50)).isEqualTo(5);
    assertThat(Freshness.percentile(v, 90)).isEqualTo(9);
    assertThat(Freshness.percentile(v, 99)).isEqualTo(Freshness.NEVER);
    assertThat(Freshness.percentile(new long[0], 99)).isEqualTo(-1);
  }
}
