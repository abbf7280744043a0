package io.tollgate.bench.peers;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import org.junit.jupiter.api.Test;

class LogHistogramTest {
  @Test
  void smallValuesAreExact() {
    LogHistogram h = new LogHistogram();
    for (int v = 1; v <= 100; v++) {
      h.record(v);
    }
    assertThat(h.count()).isEqualTo(100);
    assertThat(h.percentile(50)).isEqualTo(50);
    assertThat(h.percentile(99)).isEqualTo(99);
    assertThat(h.percentile(100)).isEqualTo(100);
    assertThat(h.max()).isEqualTo(100);
  }

  @Test
  void largeValuesAreWithinOnePercentAndNeverBelowTheTruth() {
    LogHistogram h = new LogHistogram();
    for (long v = 1; v <= 1_000_000; v++) {
      h.record(v * 37);
    }
    for (double p : new double[] {50, 90, 99, 99.9}) {
      long truth = (long) Math.ceil(p / 100 * 1_000_000) * 37;
      assertThat((double) h.percentile(p)).isCloseTo(truth, within(truth * 0.008));
      assertThat(h.percentile(p)).isGreaterThanOrEqualTo(truth);
    }
    assertThat(h.percentile(100)).isEqualTo(37_000_000L);
  }

  @Test
  void bucketsAreContiguousAcrossTheWholeRange() {
    for (long v : new long[] {0, 255, 256, 257, 511, 512, 1_000_003, Long.MAX_VALUE / 3, Long.MAX_VALUE}) {
      int i = LogHistogram.index(v);
      assertThat(LogHistogram.highestIn(i)).isGreaterThanOrEqualTo(v);
      if (i > 0) {
        assertThat(LogHistogram.highestIn(i - 1)).isLessThan(v);
      }
    }
  }

  @Test
  void emptyAndNegative() {
    LogHistogram h = new LogHistogram();
    assertThat(h.percentile(99)).isZero();
    h.record(-5);
    assertThat(h.percentile(50)).isZero();
  }
}
