package io.tollgate.schemas.clickhouse;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Map;
import org.junit.jupiter.api.Test;

class ReportsTest {
  @Test
  void aReportIsReadFromItsFileAndItsPlaceholdersAreFilled() {
    String sql = Reports.render("spend_per_day", Map.of("filter", " AND customer_id = ?"));
    assertTrue(sql.contains("toDate(ts) < ? AND customer_id = ?"), sql);
    assertEquals(Reports.sql("spend_per_day"), Reports.sql("spend_per_day"));
  }

  @Test
  void aMissingFragmentAnUnusedOneAndABadNameAreRefused() {
    assertThrows(IllegalArgumentException.class, () -> Reports.render("spend_per_day", Map.of()));
    assertThrows(IllegalArgumentException.class,
        () -> Reports.render("spend_per_day", Map.of("filter", "", "order", "")));
    assertThrows(IllegalArgumentException.class, () -> Reports.sql("../migrations/001_initial"));
    assertThrows(IllegalArgumentException.class, () -> Reports.sql("no_such_report"));
  }

  @Test
  void aStatementHasNoLeadingComment() {
    assertTrue(Reports.statement("reconciliation_per_day").startsWith("SELECT provider,"));
    assertTrue(Reports.sql("reconciliation_per_day").startsWith("--"));
  }
}
