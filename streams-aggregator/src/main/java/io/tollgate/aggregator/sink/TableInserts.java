package io.tollgate.aggregator.sink;

import io.tollgate.schemas.clickhouse.ClickHouseException;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * Inserts one table's rows so that a permanent error of some rows (anything but a
 * {@link ClickHouseException#isRetryable() retryable} ClickHouse error) costs only those rows: the batch is split in halves until the refused rows are alone, and
 * they are returned as dead letters. Before splitting, an empty insert asks whether the table takes
 * anything at all: if that fails too, the problem is not the rows (a wrong password, a dropped
 * table) and the error is thrown like a retryable one — dead-lettering every row over an operator's
 * mistake would be worse than waiting for the fix with the failures metric climbing. Retryable
 * errors are thrown at once (the sink retries the whole batch; rows written twice collapse).
 * A batch with k refused rows among n costs about 2·k·log2(n) inserts, at most
 * {@link #MAX_SPLIT_INSERTS}. Pure apart from the inserter.
 */
final class TableInserts {
  /** Writes rows to a table in one insert. */
  interface Inserter<T> {
    void insert(String table, List<T> rows);
  }

  /** A row and the record it came from. */
  record Row<T>(T value, org.apache.kafka.clients.consumer.ConsumerRecord<String, byte[]> source) {
  }

  /** Thrown when a permanent error is not the rows' (the empty insert fails too). */
  static final class TableRefused extends RuntimeException {
    private static final long serialVersionUID = 1L;

    TableRefused(String table, RuntimeException cause) {
      super(table + " takes no rows at all (" + describe(cause) + "); waiting for it to be fixed", cause);
    }
  }

  /** Inserts one batch may spend finding refused rows (a few seconds at most). */
  static final int MAX_SPLIT_INSERTS = 128;

  private TableInserts() {
  }

  /**
   * @return the rows ClickHouse refused for good (empty when all were written)
   * @throws ClickHouseException a retryable one: nothing is known to be refused, retry the batch
   *                             (rows already written by then are written again: harmless)
   * @throws TableRefused        the table refuses even an empty insert
   */
  static <T> List<DeadLetters.DeadLetter> write(String table, List<Row<T>> rows, Inserter<T> inserter) {
    Objects.requireNonNull(inserter, "inserter");
    if (rows.isEmpty()) {
      return List.of();
    }
    try {
      inserter.insert(table, values(rows));
      return List.of();
    } catch (RuntimeException e) {
      throwIfRetryable(e);
      try {
        inserter.insert(table, List.of());
      } catch (RuntimeException probe) {
        throwIfRetryable(probe);
        throw new TableRefused(table, probe);
      }
      List<DeadLetters.DeadLetter> dead = new ArrayList<>();
      if (rows.size() == 1) {
        dead.add(new DeadLetters.DeadLetter(rows.get(0).source(), table, describe(e)));
      } else {
        split(table, rows, inserter, dead, new int[] {MAX_SPLIT_INSERTS});
      }
      return dead;
    }
  }

  /**
   * {@code rows} failed for good as a whole: try each half. Once {@code budget} inserts are spent
   * (many refused rows: a whole batch of them costs 2n inserts), a refused half is dead-lettered
   * whole, good rows with it — they are kept there, not lost — so that one batch cannot hold the
   * sink past its poll interval.
   */
  private static <T> void split(String table, List<Row<T>> rows, Inserter<T> inserter, List<DeadLetters.DeadLetter> dead,
                                int[] budget) {
    int middle = rows.size() / 2;
    for (List<Row<T>> half : List.of(rows.subList(0, middle), rows.subList(middle, rows.size()))) {
      try {
        budget[0]--;
        inserter.insert(table, values(half));
      } catch (RuntimeException e) {
        throwIfRetryable(e);
        if (half.size() == 1 || budget[0] <= 0) {
          for (Row<T> row : half) {
            dead.add(new DeadLetters.DeadLetter(row.source(), table, describe(e)));
          }
        } else {
          split(table, half, inserter, dead, budget);
        }
      }
    }
  }

  /**
   * Only a retryable ClickHouse error may be retried unchanged; anything else an insert throws
   * (ClickHouse refusing the data, a writer refusing a value such as a negative UInt64) will
   * happen again with the same rows.
   */
  private static void throwIfRetryable(RuntimeException e) {
    if (e instanceof ClickHouseException ch && ch.isRetryable()) {
      throw ch;
    }
  }

  private static String describe(RuntimeException e) {
    return e instanceof ClickHouseException ? e.getMessage() : e.getClass().getSimpleName() + ": " + e.getMessage();
  }

  private static <T> List<T> values(List<Row<T>> rows) {
    List<T> out = new ArrayList<>(rows.size());
    rows.forEach(r -> out.add(r.value()));
    return out;
  }
}
