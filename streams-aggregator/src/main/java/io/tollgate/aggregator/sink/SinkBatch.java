package io.tollgate.aggregator.sink;

import io.tollgate.schemas.SpendWindow;
import io.tollgate.schemas.UsageEvent;
import io.tollgate.schemas.serde.AvroSerde;
import io.tollgate.schemas.serde.EventDecodingException;
import io.tollgate.schemas.topics.Topics;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The rows of one sink batch, by table, each with the record it came from; and how the batch is
 * written ({@link #write}): one insert per table through {@link TableInserts}, then the rows that
 * can never be written to the dead letters. Rows without a table (a window size this build has no
 * table for, a window record that does not decode) are dead letters from the start: an unknown
 * window size no longer stops the sink.
 */
final class SinkBatch {
  private static final Logger LOG = LoggerFactory.getLogger(SinkBatch.class);
  static final String USAGE_TABLE = "usage_events";
  /** The table label of rows that have none. */
  static final String NO_TABLE = "unknown";

  private final AvroSerde<UsageEvent> usageSerde;
  private final AvroSerde<SpendWindow> windowSerde;
  private final List<TableInserts.Row<UsageEvent>> usage = new ArrayList<>();
  /** By table, {@code spend_1m} first: the table freshness is read from ({@link #write}). */
  private final Map<String, List<TableInserts.Row<SpendWindow>>> windows = new java.util.TreeMap<>(
      java.util.Comparator.comparing((String table) -> !table.equals("spend_1m")).thenComparing(t -> t));
  private final List<DeadLetters.DeadLetter> unwritable = new ArrayList<>();

  SinkBatch(AvroSerde<UsageEvent> usageSerde, AvroSerde<SpendWindow> windowSerde) {
    this.usageSerde = Objects.requireNonNull(usageSerde, "usageSerde");
    this.windowSerde = Objects.requireNonNull(windowSerde, "windowSerde");
  }

  /** Adds a non-null record of the usage or the spend-windows topic. */
  void add(ConsumerRecord<String, byte[]> r) {
    boolean isUsage = r.topic().equals(Topics.USAGE.name());
    try {
      if (isUsage) {
        usage.add(new TableInserts.Row<>(usageSerde.decode(r.topic(), r.partition(), r.offset(), r.value()), r));
      } else {
        SpendWindow w = windowSerde.decode(r.topic(), r.partition(), r.offset(), r.value());
        String table = SinkRows.windowTable(w.getWindowSize());
        if (table == null) {
          unwritable.add(new DeadLetters.DeadLetter(r, NO_TABLE, "no table for window size '"
              + (w.getWindowSize().length() > 32 ? w.getWindowSize().substring(0, 32) + "…" : w.getWindowSize()) + "'"));
        } else {
          windows.computeIfAbsent(table, k -> new ArrayList<>()).add(new TableInserts.Row<>(w, r));
        }
      }
    } catch (EventDecodingException e) {
      if (isUsage) {
        LOG.warn("skipping undecodable usage record (the aggregator dead-letters it): {}", e.getMessage());
      } else {
        unwritable.add(new DeadLetters.DeadLetter(r, NO_TABLE, e.getMessage()));
      }
    }
  }

  int rows() {
    return usage.size() + unwritable.size() + windows.values().stream().mapToInt(List::size).sum();
  }

  void clear() {
    usage.clear();
    windows.clear();
    unwritable.clear();
  }

  /**
   * Writes every table, then stores the dead letters of the batch.
   *
   * @throws io.tollgate.schemas.clickhouse.ClickHouseException a retryable failure: try the whole batch again
   * @throws TableInserts.TableRefused                          a table takes no rows at all
   * @throws DeadLettersUnavailable                             the dead letters could not be stored
   */
  void write(SinkWriter writer, DeadLetters deadLetters, SinkMetrics metrics) {
    List<DeadLetters.DeadLetter> dead = new ArrayList<>(unwritable);
    // The small window tables first, spend_1m leading, then the raw log: at 20k events/s the
    // usage_events insert of a batch took 75-120 ms, which spend_1m used to wait for.
    for (Map.Entry<String, List<TableInserts.Row<SpendWindow>>> entry : windows.entrySet()) {
      List<DeadLetters.DeadLetter> refused = TableInserts.write(entry.getKey(), entry.getValue(),
          (table, rows) -> timed(metrics, table, rows.size(), () -> writer.insertWindows(table, rows)));
      dead.addAll(refused);
      if (entry.getKey().equals("spend_1m") && refused.size() < entry.getValue().size()) {
        metrics.spend1mWritten(entry.getValue().stream().mapToLong(w -> w.value().getUpdatedAt().toEpochMilli())
            .max().orElseThrow());
      }
    }
    dead.addAll(TableInserts.write(USAGE_TABLE, usage, (table, rows) -> timed(metrics, table, rows.size(),
        () -> writer.insertUsage(rows))));
    if (!dead.isEmpty()) {
      try {
        deadLetters.send(dead);
      } catch (RuntimeException e) {
        throw new DeadLettersUnavailable(dead.size(), e);
      }
      for (DeadLetters.DeadLetter d : dead) {
        metrics.deadLettered(d.table(), d.table().equals(NO_TABLE) ? "no_table" : "refused");
      }
      LOG.warn("{} rows dead-lettered to {} (first: {} from {}/{}@{})", dead.size(), Topics.SINK_DLQ.name(),
          dead.get(0).error(), dead.get(0).source().topic(), dead.get(0).source().partition(),
          dead.get(0).source().offset());
    }
  }

  /** One insert, measured; empty inserts (the probe of {@link TableInserts}) are not counted as rows. */
  private static void timed(SinkMetrics metrics, String table, int rowCount, Runnable insert) {
    long started = System.nanoTime();
    try {
      insert.run();
    } catch (RuntimeException e) {
      metrics.failed(table);
      throw e;
    }
    metrics.inserted(table, rowCount, (System.nanoTime() - started) / 1e9);
  }

  /** The dead-letter topic could not be written: the batch is kept and tried again. */
  static final class DeadLettersUnavailable extends RuntimeException {
    private static final long serialVersionUID = 1L;

    DeadLettersUnavailable(int count, RuntimeException cause) {
      super(count + " dead letters not stored (" + cause.getMessage() + ")", cause);
    }
  }
}
