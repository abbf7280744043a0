package io.tollgate.bench.chaos;

import java.util.List;
import java.util.Map;

/**
 * One scenario's outcome as RELIABILITY.md shows it.
 *
 * @param recoveryS seconds from the fault's end until spend was fresh again (every call answered
 *                  before the end in {@code usage_events} and counted in {@code spend_1m}), or
 *                  NaN when that did not happen in time
 * @param freshS    seconds from the broker's return until spend was fresh again (hand-off drained and
 *                  {@code spend_1m} equal to the ledger; see {@link Run#faultEndFresh}), NaN when not in
 *                  time, -1 when the scenario does not measure it
 * @param windows   {@code spend_1m} FINAL requests and nano-USD for the scenario's customer (every
 *                  call, failures too), against {@code usageRows} rows of {@code usage_events} FINAL
 */
record Result(String id, String title, String command, int answered, Map<String, Long> failures,
              Ledger.Account account, long[] windows, long usageRows, long usageCostNanos, double recoveryS, double freshS,
              List<String> notes, boolean pass, String error) {
}
