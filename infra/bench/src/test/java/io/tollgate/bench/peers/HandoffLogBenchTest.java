package io.tollgate.bench.peers;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(10)
class HandoffLogBenchTest {
  private static HandoffLogBench.Round round(int outstanding, boolean pre, double seconds, double cpu) {
    return new HandoffLogBench.Round(outstanding, pre, 1000, seconds, cpu, 0.2, 1.0, 1.0, pre ? 3 : 0);
  }

  @Test
  void eachSideIsItsMedianRoundAndTheRatiosCompareThem() {
    List<HandoffLogBench.Round> rounds = List.of(round(1, false, 1.0, 80), round(1, true, 0.8, 50),
        round(1, true, 0.9, 60), round(1, false, 1.2, 90), round(1, false, 0.9, 70), round(1, true, 0.7, 40));
    String md = HandoffLogBench.render("2026-12-04 02:00", "./tollgate bench handoff-log", "2 vCPU", "0.5", 1000, 3,
        16L << 20, rounds, 12.3);
    // off: CPU 70/80/90 -> the 80 µs round (1,000 appends in 1.0 s); on: 40/50/60 -> 50 µs (0.8 s).
    assertThat(md).contains("| 1 | off | 1,000 | 80.0 | 0.200 | 1.000 | 1.000 | 0 |")
        .contains("| 1 | on | 1,250 | 50.0 | 0.200 | 1.000 | 1.000 | 3 |")
        .contains("1 outstanding: preallocated, 1.25× the appends per second at 0.63× the CPU per append")
        .contains("segments of 16 MB");
  }
}
