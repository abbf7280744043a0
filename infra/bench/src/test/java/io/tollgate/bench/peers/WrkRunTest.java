package io.tollgate.bench.peers;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Map;
import org.junit.jupiter.api.Test;

class WrkRunTest {
  private static final CellRecord LABELS = CellRecord.of(CellRecord.CELL).with("mode", "max").with("target", "nginx")
      .with("payload", "json");

  @Test
  void parsesTheDoneHookLineAndCountsNon2xxAsErrorsNotRequests() {
    String out = """
        Running 2s test @ http://127.0.0.1:1/v1/messages
          1 threads and 64 connections
        WRK-RESULT requests=1000 duration_us=2000000 connect=0 read=1 write=0 status=10 timeout=2 p50_us=1500 p90_us=2000 p99_us=9000 p999_us=12000 max_us=15000
        """;
    CellRecord r = WrkRun.parse(out, LABELS);
    assertThat(r.getLong("requests")).isEqualTo(990);
    assertThat(r.getLong("errors")).isEqualTo(13);
    assertThat(r.get("rps")).isEqualTo("495");
    assertThat(r.getLong("p99_us")).isEqualTo(9000);
    assertThat(r.get("target")).isEqualTo("nginx");
  }

  @Test
  void failsLoudlyWhenWrkPrintedNoResult() {
    assertThatThrownBy(() -> WrkRun.parse("script.lua:3: unexpected symbol", LABELS))
        .hasMessageContaining("unexpected symbol");
  }

  @Test
  void luaStringsSurviveAnyBody() {
    assertThat(WrkRun.luaString("{\"a\":\"]]\"}")).isEqualTo("[=[{\"a\":\"]]\"}]=]");
    String lua = WrkRun.luaScript("{}", Map.of("x-api-key", "k"));
    assertThat(lua).contains("wrk.method = \"POST\"", "wrk.body = [[{}]]", "wrk.headers[ [[x-api-key]] ] = [[k]]",
        "WRK-RESULT requests=%d");
  }

  @Test
  void cpuPerRequestOnlyWhenAProcessIsMeasured() {
    CellRecord r = LABELS.with("requests", 1000);
    CellRecord measured = WrkRun.withProcess(r, new ProcStat.Sample(1_000_000, 0), new ProcStat.Sample(1_050_000, 20480), 42);
    assertThat(measured.get("cpu_us_per_req")).isEqualTo("50.0");
    assertThat(measured.get("rss_mb")).isEqualTo("20");
    CellRecord direct = WrkRun.withProcess(r, new ProcStat.Sample(0, 0), new ProcStat.Sample(0, 0), 0);
    assertThat(direct.get("cpu_us_per_req")).isEqualTo("-");
  }
}
