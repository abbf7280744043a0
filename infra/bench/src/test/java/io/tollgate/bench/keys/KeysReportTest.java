package io.tollgate.bench.keys;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class KeysReportTest {
  private static final KeysReport.Context CTX = new KeysReport.Context("2026-12-02 05:00 UTC", "./tollgate bench keys",
      "2 vCPU", "Gateway alone on core 0", "1.00 at the start, 2.00 at the end", 10_000, 100, 64, 15, 2, "note");
  private static final Map<String, String> LABELS = Map.of("on", "ON", "off", "OFF", "one", "ONE");

  @Test
  void ratiosAreAgainstTheMedianOfTheOffRoundsOfTheSameRun() {
    List<RotatingWrk.Run> runs = List.of(
        run("on", 1, 8000, 100), run("off", 1, 10_000, 80), run("on", 2, 6000, 140), run("off", 2, 10_000, 80));
    String md = KeysReport.render(CTX, runs, LABELS);
    assertThat(md).startsWith(KeysReport.BEGIN).endsWith(KeysReport.END + "\n");
    assertThat(md).contains("| ON | 7,000 | 1.00 | 3.00 | 120.0 | 0.70 | 1.50 |");
    assertThat(md).contains("| OFF | 10,000 | 1.00 | 3.00 | 80.0 | 1.00 | 1.00 |");
    assertThat(md).contains("load average (1 min): 1.00 at the start, 2.00 at the end");
    assertThat(KeysReport.problems(runs, List.of("on", "off"))).isEmpty();
    assertThat(KeysReport.problems(runs, List.of("on", "off", "one"))).containsExactly("mode one has no measured round");
  }

  @Test
  void theSectionReplacesItsOldSelfOnlyOrIsAppended() {
    String section = KeysReport.BEGIN + "\nnew\n" + KeysReport.END + "\n";
    String old = "# Benchmarks\n\nbefore\n\n" + KeysReport.BEGIN + "\nold\n" + KeysReport.END + "\n\nafter\n";
    assertThat(KeysReport.replaceSection(old, section)).isEqualTo("# Benchmarks\n\nbefore\n\n" + section + "\nafter\n");
    assertThat(KeysReport.replaceSection("# Benchmarks\n\nother\n", section)).isEqualTo("# Benchmarks\n\nother\n\n" + section);
  }

  @Test
  void wrkResultLineParsesAndNon2xxCountAsErrors() {
    RotatingWrk.Run r = RotatingWrk.parse("Running 2s test\n" + RotatingWrk.MARK + " requests=1000 duration_us=2000000"
        + " connect=0 read=0 write=0 status=10 timeout=0 p50_us=900 p90_us=1500 p99_us=3000 p999_us=5000\n", "on", 1, 99_000);
    assertThat(r.ok()).isEqualTo(990);
    assertThat(r.errors()).isEqualTo(10);
    assertThat(r.rps()).isEqualTo(495.0);
    assertThat(r.cpuUsPerReq()).isEqualTo(100.0);
    assertThatThrownBy(() -> RotatingWrk.parse("no line", "on", 1, 0)).hasMessageContaining("no result line");
  }

  @Test
  void theLuaScriptRotatesKeysFromTheFile() {
    String lua = RotatingWrk.lua("{\"a\":1}", Path.of("/tmp/keys.txt"));
    assertThat(lua).contains("wrk.body = [==[{\"a\":1}]==]", "io.lines([==[/tmp/keys.txt]==])",
        "i = i % #keys + 1", "wrk.headers[\"x-api-key\"] = keys[i]");
    assertThat(Pinning.parseList("0-2,5")).containsExactly(0, 1, 2, 5);
  }

  private static RotatingWrk.Run run(String mode, int round, double rps, double cpu) {
    return new RotatingWrk.Run(mode, round, (long) rps * 10, 0, 10, 1000, 2000, 3000, 4000, cpu);
  }
}
