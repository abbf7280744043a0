package io.tollgate.aggregator;

import static org.assertj.core.api.Assertions.assertThat;

import io.tollgate.local.junit.ClickHouseExtension;
import io.tollgate.local.junit.ClickHouseTestDatabase;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** Every SQL block of docs/queries.md runs against a real ClickHouse, so the documented reports cannot rot. */
@ExtendWith(ClickHouseExtension.class)
class SpendQueriesIT {

  @Test
  void everyDocumentedQueryRuns(ClickHouseTestDatabase db) throws Exception {
    db.client().execute("INSERT INTO usage_events (event_id, ts, customer_id, key_hash, tool, model_requested, cost_nanos, "
        + "price_known, status_code, request_tags) VALUES ('e1', now(), 'acme', 'h', 'claude-code', 'my-finetune', 0, 0, 200, "
        + "['feature:search'])");
    db.client().execute("INSERT INTO spend_1d (window_start, customer_id, model, tool, requests, cost_nanos, version, updated_at) "
        + "VALUES (toStartOfDay(now()), 'acme', 'claude-sonnet-4-5', 'claude-code', 3, 30, 1, now())");
    String doc = Files.readString(Path.of(System.getProperty("user.dir")).resolveSibling("docs").resolve("queries.md"));
    Matcher m = Pattern.compile("```sql\\n(.*?)```", Pattern.DOTALL).matcher(doc);
    List<String> queries = new ArrayList<>();
    while (m.find()) {
      queries.add(m.group(1).replace("tollgate.", db.database() + "."));
    }
    assertThat(queries).hasSizeGreaterThanOrEqualTo(6);
    for (String sql : queries) {
      assertThat(db.client().query(sql)).as(sql).isNotEmpty();
    }
  }
}
