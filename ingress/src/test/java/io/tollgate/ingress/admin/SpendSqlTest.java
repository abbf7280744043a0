package io.tollgate.ingress.admin;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

/** No client value ever becomes SQL text: each travels as a bound parameter. */
class SpendSqlTest {
  private static final String MARK = "x' OR '1'='1";
  private static final SpendFilter EVERYTHING = new SpendFilter(MARK + "k", MARK + "u", MARK + "r", MARK + "t",
      MARK + "c", MARK + "m", MARK + "a", MARK + "s", MARK + "tool", true, 404, 5L, 9L,
      Instant.parse("2026-11-01T00:00:00Z"), Instant.parse("2026-11-02T00:00:00Z"));

  @Test
  void everyValueIsBoundNeverSpliced() {
    for (SpendSql.Query q : List.of(SpendSql.logs(EVERYTHING, "spend", true, 50, 100), SpendSql.count(EVERYTHING),
        SpendSql.summary(EVERYTHING, 10), SpendSql.byDay(EVERYTHING, true, 10), SpendSql.byKey(EVERYTHING, 10))) {
      assertThat(q.sql()).doesNotContain("OR '1'").doesNotContain("404").doesNotContain("1793491200");
      assertThat(q.sql().chars().filter(c -> c == '?').count()).as(q.sql()).isEqualTo(q.params().size());
      assertThat(q.params()).contains(MARK + "k", MARK + "tool", 404L, 5L, 9L, 1793491200L);
    }
  }

  @Test
  void nothingFilteredIsNoWhere() {
    SpendFilter none = new SpendFilter(null, null, null, null, null, null, null, null, null, null, null, null, null,
        null, null);
    assertThat(SpendSql.count(none).sql()).doesNotContain("WHERE");
    assertThat(SpendSql.count(none).params()).isEmpty();
  }

  @Test
  void sortColumnsComeFromTheAllowlistOnly() {
    for (String sort : SpendRequest.SORTS) {
      assertThat(SpendSql.logs(EVERYTHING, sort, false, 1, 0).sql()).contains("ORDER BY");
    }
    assertThatThrownBy(() -> SpendSql.logs(EVERYTHING, "cost_nanos; DROP TABLE usage_events", false, 1, 0))
        .isInstanceOf(IllegalArgumentException.class);
  }
}
