package io.tollgate.bench.chaos;

import java.util.List;
import java.util.Map;

/**
 * One scenario's outcome as RELIABILITY.md shows it.
 *
 * @param recoveryS seconds from the fault's end until spend was fresh again (every call answered
 *                  before the end in {@code usage_events} and counted in {@code spend_1m}), or
 *                  NaN when that did not happen in time
 * @param windows   {@code spend_1m} FINAL requests and nano-USD for the scenario's customer (every
 *                  call, failures too), against {@code usageRows} rows of {@code usage_events} FINAL
 */
record Result(String id, String title, String command, int answered, Map<String, Long> failures,
              Ledger.Account account, long[] windows, long usageRows, long usageCostNanos, double recoveryS,
              List<String> notes, boolean pass, String error) {
}
