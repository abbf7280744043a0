package io.tollgate.bench.chaos;

/**
 * How long and how hard: the full run ({@code ./tollgate chaos}) or the smoke run ({@code --quick}),
 * which shortens every fault and the traffic around it.
 *
 * @param quick     the smoke run
 * @param rate      calls a second into the gateway
 * @param beforeS   seconds of traffic before a fault
 * @param afterS    seconds of traffic after it ends
 * @param settleS   longest wait for ClickHouse to hold every answered call once the traffic stopped
 */
record Scale(boolean quick, int rate, int beforeS, int afterS, int settleS) {
  static Scale full() {
    return new Scale(false, 200, 12, 12, 180);
  }

  static Scale quickRun() {
    return new Scale(true, 25, 4, 4, 120);
  }

  /** A fault's length: {@code fullS} in the full run, {@code quickS} in the smoke run. */
  int secs(int fullS, int quickS) {
    return quick ? quickS : fullS;
  }
}
