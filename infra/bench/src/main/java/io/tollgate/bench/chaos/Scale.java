package io.tollgate.bench.chaos;

/**
 * How long and how hard: the full run ({@code ./tollgate chaos}) or the smoke run ({@code --quick}),
 * which shortens every fault and the traffic around it.
 *
 * @param quick     the smoke run
 * @param rate      calls a second into the gateway
 * @param freshRate calls a second in the Kafka outage scenarios, which measure how soon spend is
 *                  fresh again (the goal: within 30 s after a 30 s outage at 1k calls/s)
 * @param beforeS   seconds of traffic before a fault
 * @param afterS    seconds of traffic after it ends
 * @param settleS   longest wait for ClickHouse to hold every answered call once the traffic stopped
 */
record Scale(boolean quick, int rate, int freshRate, int beforeS, int afterS, int settleS) {
  static Scale full() {
    return new Scale(false, 200, 1000, 12, 12, 180);
  }

  static Scale quickRun() {
    return new Scale(true, 25, 25, 4, 4, 120);
  }

  /** A fault's length: {@code fullS} in the full run, {@code quickS} in the smoke run. */
  int secs(int fullS, int quickS) {
    return quick ? quickS : fullS;
  }
}
