package io.tollgate.ingress.admin;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.tollgate.ingress.identity.KeyAuth;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class SpendRequestTest {
  private static Map<String, List<String>> q(String... kv) {
    Map<String, List<String>> m = new LinkedHashMap<>();
    for (int i = 0; i < kv.length; i += 2) {
      m.computeIfAbsent(kv[i], k -> new ArrayList<>()).add(kv[i + 1]);
    }
    return m;
  }

  private static ProxyError refused(SpendRequest.Route route, String... kv) {
    try {
      SpendRequest.parse(route, q(kv));
    } catch (ProxyError.Failure f) {
      return f.error();
    }
    throw new AssertionError("accepted " + List.of(kv));
  }

  @Test
  void defaultsFollowLiteLlm() {
    SpendRequest logs = SpendRequest.parse(SpendRequest.Route.LOGS, q());
    assertThat(logs.summarize()).as("summarize needs both dates").isFalse();
    assertThat(logs.pageSize()).isEqualTo(SpendRequest.MAX_LOGS_PAGE_SIZE);
    SpendRequest dated = SpendRequest.parse(SpendRequest.Route.LOGS, q("start_date", "2026-11-01", "end_date", "2026-11-02"));
    assertThat(dated.summarize()).isTrue();
    assertThat(dated.filter().start()).isEqualTo(Instant.parse("2026-11-01T00:00:00Z"));
    assertThat(dated.filter().end()).as("the end date counts whole").isEqualTo(Instant.parse("2026-11-03T00:00:00Z"));
    SpendRequest v2 = SpendRequest.parse(SpendRequest.Route.LOGS_V2,
        q("start_date", "2026-11-01 10:00:00", "end_date", "2026-11-01T11:00:00Z"));
    assertThat(v2.pageSize()).isEqualTo(50);
    assertThat(v2.sortBy()).isEqualTo("startTime");
    assertThat(v2.ascending()).isFalse();
    assertThat(v2.filter().end()).as("a date-time includes its second").isEqualTo(Instant.parse("2026-11-01T11:00:01Z"));
    assertThat(SpendRequest.parse(SpendRequest.Route.GLOBAL_REPORT, q("start_date", "2026-11-01", "end_date", "2026-11-01"))
        .groupBy()).isEqualTo("team");
  }

  @Test
  void apiKeyIsHashedUnlessItIsAHashAlready() {
    String hash = KeyAuth.sha256("sk-1");
    assertThat(SpendRequest.parse(SpendRequest.Route.LOGS, q("api_key", "sk-1")).filter().keyHash()).isEqualTo(hash);
    assertThat(SpendRequest.parse(SpendRequest.Route.LOGS, q("api_key", hash)).filter().keyHash()).isEqualTo(hash);
    assertThat(SpendRequest.parse(SpendRequest.Route.LOGS, q("api_key", hash.toUpperCase(java.util.Locale.ROOT))).filter()
        .keyHash()).isEqualTo(hash);
  }

  @Test
  void spendBoundsAreExactNanosRoundedInward() {
    SpendFilter f = SpendRequest.parse(SpendRequest.Route.LOGS, q("min_spend", "0.0000000011", "max_spend", "2.5"))
        .filter();
    assertThat(f.minNanos()).isEqualTo(2);
    assertThat(f.maxNanos()).isEqualTo(2_500_000_000L);
  }

  @Test
  void everyProblemIsReportedAtOnce() {
    ProxyError e = refused(SpendRequest.Route.LOGS_V2, "page_size", "500", "sort_by", "cost", "colour", "red");
    assertThat(e.status()).isEqualTo(400);
    assertThat(e.message()).contains("start_date and end_date are required").contains("page_size")
        .contains("sort_by must be one of").contains("unknown parameter colour");
    assertThat(e.param()).contains("page_size").contains("sort_by").contains("colour");
    assertThat(refused(SpendRequest.Route.LOGS, "end_user", "a", "customer_id", "b").message()).contains("give one");
    assertThat(refused(SpendRequest.Route.GLOBAL_REPORT, "start_date", "2026-11-01", "end_date", "2026-11-01",
        "session_id", "s").message()).contains("unknown parameter session_id");
  }
}
