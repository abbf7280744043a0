package io.tollgate.aggregator.retention;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.YearMonth;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** Which monthly partitions go: only YYYYMM names before the oldest month kept. */
@Timeout(value = 10, unit = TimeUnit.SECONDS)
class UsageRetentionTest {
  @Test
  void dropsOnlyMonthsBeforeTheOldestKept() {
    assertThat(UsageRetention.toDrop(List.of("202612", "202611", "202610", "202512", "202601", "tuple()", "2026"),
        YearMonth.of(2026, 11))).containsExactly("202512", "202601", "202610");
    assertThat(UsageRetention.toDrop(List.of("202611", "202612"), YearMonth.of(2026, 11))).isEmpty();
  }
}
