package io.tollgate.bench.peers;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(10)
class HandoffTablesTest {
  private static final HandoffTables.Context CTX = new HandoffTables.Context("2026-12-02 05:00 UTC",
      "./tollgate bench handoff", "2 vCPU", "gateway alone on CPU 0", "0.40 at the start, 2.10 at the end", 2000, 15, 1);

  private static CellRecord cell(String mode, String policy, String payload, long requests, double rps, long p99us) {
    return CellRecord.of(CellRecord.CELL).with("mode", mode).with("target", policy).with("payload", payload)
        .with("requests", requests).with("rps", rps).with("errors", 0).with("p50_us", 500).with("p90_us", 900)
        .with("p99_us", p99us).with("p999_us", p99us * 2).with("cpu_us_per_req", "90.5").with("rss_mb", 280);
  }

  private static List<CellRecord> complete(double groupJsonRps) {
    List<CellRecord> out = new ArrayList<>();
    for (String policy : HandoffTables.POLICIES) {
      for (String payload : HandoffTables.PAYLOADS) {
        double rps = policy.equals("group") && payload.equals("json") ? groupJsonRps : 10_000;
        out.add(cell("max", policy, payload, 150_000, rps, 20_000));
        out.add(cell("fixed", policy, payload, 30_000, 2_000, policy.equals("none") ? 4_000 : 5_500));
      }
      out.add(CellRecord.of(CellRecord.EVENTS).with("target", policy).with("published", 360_000).with("spilled", 0)
          .with("policy_confirmed", true));
    }
    return out;
  }

  @Test
  void aCompleteRunHasNoProblemsAndStatesTheRatioToNoneAndTheGoal() {
    List<CellRecord> records = complete(7_000);
    assertThat(HandoffTables.problems(records)).isEmpty();
    String md = HandoffTables.render(CTX, records, List.of("Harness run time: 300 s."), List.of());
    assertThat(md).contains("| JSON | group | 7,000 | 0.70 | 7,000 |", "| JSON | none | 10,000 | 1.00 |",
        "| SSE | interval_ms | 10,000 | 1.00 |", "| JSON | group | 30,000 | 0 | 2,000 | 0.50 | 0.90 | 5.50 | 11.00 | +1.50 | 5.50 |",
        "JSON 0.70 (not met), SSE 1.00 (met)", "Shared machine", "load average (1 min): 0.40 at the start",
        "`group`: the gateway counted 360,000 usage events published").doesNotContain("MISSING");
  }

  @Test
  void aMissingCellAGatewayThatMeteredNothingAndAnotherPolicyAreProblems() {
    List<CellRecord> records = new ArrayList<>(complete(9_000));
    records.removeIf(r -> r.tag().equals(CellRecord.CELL) && r.get("target").equals("interval_ms")
        && r.get("payload").equals("sse") && r.get("mode").equals("fixed"));
    records.replaceAll(r -> r.tag().equals(CellRecord.EVENTS) && r.get("target").equals("none")
        ? r.with("published", 0) : r);
    records.replaceAll(r -> r.tag().equals(CellRecord.EVENTS) && r.get("target").equals("group")
        ? r.with("policy_confirmed", false) : r);
    assertThat(HandoffTables.problems(records)).containsExactlyInAnyOrder(
        "interval_ms sse fixed: no successful requests measured",
        "none: the gateway published no usage event to Kafka",
        "group: the gateway's readiness did not report fsync group");
  }

  @Test
  void eachRowIsTheMedianRoundAndTheRangeShowsEveryRound() {
    List<CellRecord> records = new ArrayList<>(complete(7_000));
    records.add(cell("max", "group", "json", 150_000, 9_000, 20_000).with("rep", 2));
    records.add(cell("max", "group", "json", 150_000, 1_000, 20_000).with("rep", 3));
    records.add(cell("fixed", "none", "json", 30_000, 2_000, 90_000).with("rep", 2));
    records.add(cell("fixed", "none", "json", 30_000, 2_000, 1_000).with("rep", 3));
    assertThat(HandoffTables.median(records, "max", "group", "json").orElseThrow().getDouble("rps")).isEqualTo(7_000);
    assertThat(HandoffTables.median(records, "fixed", "none", "json").orElseThrow().getLong("p99_us")).isEqualTo(4_000);
    String md = HandoffTables.render(CTX, records, List.of(), List.of());
    assertThat(md).contains("| JSON | group | 7,000 | 0.70 | 7,000 / 9,000 / 1,000 |", "| 4.00 / 90.00 / 1.00 |");
  }

  @Test
  void theSectionIsReplacedBetweenItsMarkersAndTheRestOfTheFileKept() {
    String old = "# Benchmarks\n\nintro\n\n" + HandoffTables.HEADING + "\n\n" + HandoffTables.BEGIN + "\nold numbers\n"
        + HandoffTables.END + "\n\n## Next\nkept\n";
    String next = HandoffTables.replaceSection(old, "new numbers\n");
    assertThat(next).contains("intro", HandoffTables.BEGIN + "\nnew numbers\n" + HandoffTables.END, "## Next\nkept")
        .doesNotContain("old numbers");
    assertThat(HandoffTables.replaceSection("# Benchmarks\n", "first\n"))
        .endsWith(HandoffTables.HEADING + "\n\n" + HandoffTables.BEGIN + "\nfirst\n" + HandoffTables.END + "\n");
  }

  @Test
  void nginxGetsTheStreamInPartsUnderItsTokenLimitAndCpuListsParse() {
    StringBuilder sse = new StringBuilder();
    for (int i = 0; i < 60; i++) {
      sse.append("event: content_block_delta\ndata: {\"i\":").append(i).append(",\"pad\":\"").append("x".repeat(100))
          .append("\"}\n\n");
    }
    String d = NginxUpstream.sseDirectives(sse.toString());
    List<String> parts = java.util.regex.Pattern.compile("set \\$sse\\d+ '(.*?)';", java.util.regex.Pattern.DOTALL)
        .matcher(d).results().map(m -> m.group(1)).toList();
    assertThat(parts).hasSizeGreaterThan(1).allMatch(p -> p.length() < 4000);
    assertThat(String.join("", parts)).isEqualTo(sse.toString()); // every event, whole, in order
    assertThat(d).contains("return 200 '$sse0$sse1");
    assertThat(Cpus.parse("0-2,5\n")).containsExactly(0, 1, 2, 5);
  }
}
