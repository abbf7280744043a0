package io.tollgate.bench.peers;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class PeersTablesTest {
  private static final PeersTables.Context CTX = new PeersTables.Context("2026-12-01 23:00 UTC",
      "./tollgate bench peers", "2 vCPU", "proxy alone on core 0", "0.4", 5000, 15);

  private static CellRecord cell(String mode, String target, String payload, long rps, String cpu, long p50, long p99) {
    return CellRecord.of(CellRecord.CELL).with("mode", mode).with("target", target).with("payload", payload)
        .with("requests", rps * 15).with("errors", 0).with("rps", rps).with("seconds", "15.00")
        .with("p50_us", p50).with("p90_us", p50 * 2).with("p99_us", p99).with("p999_us", p99 * 2)
        .with("max_us", p99 * 3).with("ttfb_p50_us", p50).with("ttfb_p99_us", p99)
        .with("cpu_us_per_req", cpu).with("rss_mb", cpu.equals("-") ? "-" : "100");
  }

  private static List<CellRecord> run() {
    List<CellRecord> r = new ArrayList<>();
    for (String payload : PeersTables.PAYLOADS) {
      r.add(cell("max", "direct", payload, 40000, "-", 1000, 3000));
      r.add(cell("max", "nginx", payload, 30000, "24.0", 1500, 10000));
      r.add(cell("max", "portkey", payload, 400, "2500.0", 140000, 900000));
      r.add(cell("max", "tollgate", payload, 6000, "120.0", 8000, 40000));
      r.add(cell("max", "tollgate-spill", payload, 6500, "110.0", 7000, 30000));
      for (String t : PeersTables.TARGETS.stream().filter(t -> !t.endsWith("-again")).toList()) {
        r.add(cell("fixed", t, payload, 5000, t.equals("direct") ? "-" : "50.0", t.equals("direct") ? 500 : 800,
            t.equals("direct") ? 2000 : 3500));
      }
    }
    r.add(CellRecord.of(CellRecord.EVENTS).with("target", "tollgate").with("published", 1000).with("spilled", 0));
    r.add(CellRecord.of(CellRecord.EVENTS).with("target", "tollgate-spill").with("published", 0).with("spilled", 900));
    return r;
  }

  @Test
  void rendersBothTablesWithRatiosAndAddedLatency() {
    String md = PeersTables.render(CTX, run(), List.of("a note"), List.of());
    assertThat(md).contains("Command: `./tollgate bench peers`", "Machine: 2 vCPU", "load average (1 min): 0.4")
        .doesNotContain("Loaded machine");
    // Tollgate 6000 req/s vs nginx 30000 and Portkey 400; CPU 24 / 120.
    assertThat(md).contains("| JSON | Tollgate (Kafka) | 6,000 | 8.00 | 16.00 | 40.00 | 80.00 | 0 | 120.0 | 100 | 0.20 | 15.00 | 0.20 |");
    assertThat(md).contains("| SSE | direct → upstream | 40,000 | 1.00 | 2.00 | 3.00 | 6.00 | 0 | - | - |  |  |  |");
    // Fixed rate: added p50 = 0.8 - 0.5 ms, added p99 = 3.5 - 2.0 ms.
    assertThat(md).contains("| JSON | nginx proxy_pass | 75,000 | 0 | 5,000 | 0.80 | 1.60 | 3.50 | 7.00 | +0.30 | +1.50 | 3.50 | +1.50 | 50.0 | 100 |");
    assertThat(md).contains("1,000 usage events published to Kafka", "900 waiting in its hand-off log for Kafka", "- a note");
    assertThat(PeersTables.problems(run(), List.of("direct", "nginx", "portkey", "tollgate", "tollgate-spill"))).isEmpty();
  }

  @Test
  void theGatewaysCpuIsBrokenDownByThreadAndTheRestIsOther() {
    List<CellRecord> r = new ArrayList<>(run());
    assertThat(PeersTables.threads(r)).as("no thread fields: no table").isEmpty();
    r.add(cell("max", "tollgate", "json", 6000, "120.0", 8000, 40000).with("thr_event_loop", "70.0")
        .with("thr_handoff_writer", "25.5").with("thr_kafka_producer", "10.0").with("thr_jit", "2.0")
        .with("thr_gc_vm", "3.0").with("thr_other", "1.0")); // no sender thread seen; 9.5 µs in ended threads
    r.add(cell("max", "nginx", "json", 30000, "24.0", 1500, 10000).with("thr_other", "24.0"));
    String md = PeersTables.render(CTX, r, List.of(), List.of());
    assertThat(md).contains("### Where the gateway's CPU goes")
        .contains("| max throughput | JSON | Tollgate (Kafka) | 120.0 | 70.0 | 25.5 | 0.0 | 10.0 | 2.0 | 3.0 | 9.5 |")
        .doesNotContain("| max throughput | JSON | nginx proxy_pass | 24.0");
  }

  @Test
  void aBaselineGatewayGetsItsBeforeAndAfterRows() {
    List<CellRecord> r = new ArrayList<>(run().stream().filter(c -> !c.get("target").equals("tollgate-base")).toList());
    assertThat(PeersTables.beforeAfter(r)).isEmpty(); // no baseline in the run: no table
    r.add(cell("max", "tollgate-base", "json", 3000, "240.0", 16000, 80000));
    r.add(CellRecord.of(CellRecord.EVENTS).with("target", "tollgate-base").with("published", 0).with("spilled", 0));
    String md = PeersTables.render(CTX, r, List.of(), List.of());
    // 6000 / 3000 req/s, CPU 240 → 120 µs; nginx 30000 req/s at 24 µs.
    assertThat(md).contains("| max throughput | JSON | baseline first | 3,000 | 6,000 | 2.00 | 240.0 | 120.0 | 2.00 | 80.00"
        + " | 40.00 | 0.10 → 0.20 | 0.10 → 0.20 |").doesNotContain("mean of both");
    r.add(CellRecord.parse("TAP build=base payload=sse chunking=event events=51 ns_per_call=51000 ns_per_event=1000").get());
    r.add(CellRecord.parse("TAP build=current payload=sse chunking=event events=51 ns_per_call=10200 ns_per_event=200").get());
    assertThat(PeersTables.render(CTX, r, List.of(), List.of()))
        .contains("| SSE | one per event | 51 | 51,000 | 10,200 | 5.00 | 1,000 | 200 |");
    assertThat(PeersTables.problems(r, List.of("tollgate-base:json")))
        .containsExactly("tollgate-base json fixed: no successful requests measured",
            "tollgate-base: the gateway published no usage event to Kafka");
  }

  /** Baseline, this build, this build again, baseline again: a row per order and their mean. */
  @Test
  void bothOrdersAndTheirMeanWhenTheBuildsRanTwice() {
    List<CellRecord> r = new ArrayList<>(run());
    r.add(cell("max", "tollgate-base", "json", 3000, "240.0", 16000, 80000));
    r.add(cell("max", "tollgate-again", "json", 5000, "140.0", 8000, 60000));
    r.add(cell("max", "tollgate-base-again", "json", 4000, "180.0", 16000, 40000));
    for (String t : List.of("tollgate-base", "tollgate-again", "tollgate-base-again")) {
      r.add(CellRecord.of(CellRecord.EVENTS).with("target", t).with("published", 10).with("spilled", 0));
    }
    String md = PeersTables.render(CTX, r, List.of(), List.of());
    // First pass: 3000 → 6000 req/s, 240 → 120 µs; second (this build first): 4000 → 5000, 180 → 140.
    assertThat(md).contains("| max throughput | JSON | baseline first | 3,000 | 6,000 | 2.00 | 240.0 | 120.0 | 2.00 |")
        .contains("| max throughput | JSON | this build first | 4,000 | 5,000 | 1.25 | 180.0 | 140.0 | 1.29 | 40.00 | 60.00 |")
        .contains("| max throughput | JSON | mean of both | 3,500 | 5,500 | 1.57 | 210.0 | 130.0 | 1.62 | 60.00 | 50.00 |")
        .contains("| JSON | Tollgate (Kafka), 2nd pass | 5,000 |")
        .contains("Tollgate baseline (Kafka), 2nd pass: the gateway counted 10 usage events published");
    assertThat(PeersTables.problems(r, List.of("tollgate-again:json")))
        .containsExactly("tollgate-again json fixed: no successful requests measured");
  }

  @Test
  void saysWhenTheMachineWasBusy() {
    PeersTables.Context busy = new PeersTables.Context("d", "c", "m", "p", "4.52 at the start, 3.10 at the end", 5000, 15);
    assertThat(PeersTables.render(busy, run(), List.of(), List.of())).contains("**Loaded machine**");
    assertThat(PeersTables.busyAtStart("1.99 at the start, 5.0 at the end")).isFalse();
    assertThat(PeersTables.busyAtStart("?")).isFalse();
  }

  @Test
  void reportsMissingCellsAndMeteringThatDidNotHappen() {
    List<CellRecord> r = new ArrayList<>(run());
    r.removeIf(c -> c.tag().equals(CellRecord.EVENTS) || (c.find("target").orElse("").equals("portkey")
        && c.get("payload").equals("sse")));
    assertThat(PeersTables.problems(r, List.of("portkey:json", "tollgate", "tollgate-spill")))
        .containsExactly("tollgate: the gateway published no usage event to Kafka",
            "tollgate-spill: the gateway logged no usage event for Kafka to take later");
    assertThat(PeersTables.problems(r, List.of("portkey"))).containsExactly(
        "portkey sse max: no successful requests measured", "portkey sse fixed: no successful requests measured");
  }

  @Test
  void warmUpShowsEachRoundAndWhenItWasSteady() {
    List<CellRecord> r = new ArrayList<>(run());
    long[] rounds = {2000, 4500, 5600, 5900};
    for (int i = 0; i < rounds.length; i++) {
      r.add(new CellRecord(CellRecord.WARMUP, cell("max", "tollgate", "json", rounds[i], "200.0", 1, 1).fields())
          .with("round", i + 1).with("seconds", "5.00"));
    }
    assertThat(PeersTables.warmups(r)).containsExactly("Tollgate (Kafka) JSON: 2,000 (200.0 µs) → 4,500 (200.0 µs) → "
        + "5,600 (200.0 µs) → 5,900 (200.0 µs) → measured 6,000 (120.0 µs); within 10 % of the measured rate after 10 s of load");
  }

  @Test
  void warmUpThatNeverGotCloseSaysSo() {
    List<CellRecord> r = new ArrayList<>(run());
    for (int i = 0; i < 2; i++) {
      r.add(new CellRecord(CellRecord.WARMUP, cell("max", "tollgate", "sse", 1000, "900.0", 1, 1).fields())
          .with("round", i + 1).with("seconds", "5.00"));
    }
    assertThat(PeersTables.warmups(r)).singleElement().asString()
        .endsWith("no warm-up round within 10 % of the measured rate (10 s of warm-up load)");
  }

  @Test
  void rewritesOnlyBetweenTheMarkers() {
    String doc = "# Benchmarks\n\nintro\n\n## Gateway vs peers\n\n" + PeersTables.BEGIN + "\nold numbers\n"
        + PeersTables.END + "\n\n## Later section\n\ntext\n";
    String next = PeersTables.replaceSection(doc, "new numbers\n");
    assertThat(next).isEqualTo("# Benchmarks\n\nintro\n\n## Gateway vs peers\n\n" + PeersTables.BEGIN + "\nnew numbers\n"
        + PeersTables.END + "\n\n## Later section\n\ntext\n");
    assertThat(PeersTables.replaceSection(next, "again\n")).isEqualTo(next.replace("new numbers", "again"));
  }

  @Test
  void appendsTheSectionWhenTheMarkersAreMissing() {
    String next = PeersTables.replaceSection("# Benchmarks\n\ntext\n", "numbers\n");
    assertThat(next).isEqualTo("# Benchmarks\n\ntext\n\n## Gateway vs peers\n\n" + PeersTables.BEGIN + "\nnumbers\n"
        + PeersTables.END + "\n");
  }
}
