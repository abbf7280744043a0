package io.tollgate.aggregator.topology;

import io.tollgate.schemas.UsageEvent;
import io.tollgate.schemas.serde.AvroSerde;
import java.nio.charset.StandardCharsets;
import org.apache.kafka.common.errors.SerializationException;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.processor.api.RecordMetadata;
import org.apache.kafka.streams.state.WindowStore;

/**
 * Decodes usage bytes and drops events whose id was seen within the dedupe retention (a producer
 * retry or a spill replay delivers the same event twice). Poison records go on, undecoded, with
 * the error in headers, for the dead-letter topic. Good events continue stamped with their own
 * time, so windows are event-time windows.
 *
 * <p>Only the per-event topology dedupes here (a mark written at once, as its records are sent). The
 * pre-aggregated one decodes here and dedupes in {@link PreAggregate}, which writes each mark
 * together with the event's sum: a mark must be in the transaction that holds what it stands for.
 */
final class DecodeAndDedupe implements Processor<String, byte[], String, DecodedUsage> {
  static final String STORE = "usage-dedupe";
  static final String ERROR_HEADER = "tollgate.error";
  static final String SOURCE_HEADER = "tollgate.source";

  private final AvroSerde<UsageEvent> serde;
  private final boolean dedupe;
  private ProcessorContext<String, DecodedUsage> context;
  private WindowStore<String, Long> seen;

  /**
   * @param serde  decodes usage bytes; with a schema store, also those of newer gateways. If the
   *               store cannot be read, the exception propagates (the record is retried, see
   *               {@code AggregatorApp}), since only bytes that are really unreadable may go to the DLQ
   * @param dedupe drop repeated events here ({@link #STORE} connected); false: decode only
   */
  DecodeAndDedupe(AvroSerde<UsageEvent> serde, boolean dedupe) {
    this.serde = java.util.Objects.requireNonNull(serde, "serde");
    this.dedupe = dedupe;
  }

  @Override
  public void init(ProcessorContext<String, DecodedUsage> context) {
    this.context = context;
    this.seen = dedupe ? context.getStateStore(STORE) : null;
  }

  /**
   * Whether event {@code id} of time {@code ts} was marked. A duplicate is the same event again (a
   * producer retry, a spill replay): same id, same time. So a point lookup at its own time finds it
   * — one get, where a range over the retention would open an iterator on every segment.
   */
  static boolean seen(WindowStore<String, Long> store, String id, long ts) {
    return store.fetch(id, ts) != null;
  }

  /** Marks event {@code id} of time {@code ts} as counted. */
  static void mark(WindowStore<String, Long> store, String id, long ts) {
    store.put(id, ts, ts);
  }

  @Override
  public void process(Record<String, byte[]> record) {
    if (record.value() == null) {
      return; // nothing to meter
    }
    RecordMetadata meta = context.recordMetadata().orElse(null);
    UsageEvent event;
    try {
      event = serde.decode(meta == null ? null : meta.topic(), meta == null ? -1 : meta.partition(),
          meta == null ? -1 : meta.offset(), record.value());
    } catch (SerializationException e) {
      Record<String, DecodedUsage> poison = record.withValue(new DecodedUsage(null, record.value()));
      poison.headers().add(ERROR_HEADER, e.getMessage().getBytes(StandardCharsets.UTF_8));
      if (meta != null) {
        poison.headers().add(SOURCE_HEADER, (meta.topic() + "/" + meta.partition() + "@" + meta.offset())
            .getBytes(StandardCharsets.UTF_8));
      }
      context.forward(poison);
      return;
    }
    long ts = event.getTs().toEpochMilli();
    if (seen != null) {
      if (seen(seen, event.getEventId(), ts)) {
        return;
      }
      mark(seen, event.getEventId(), ts);
    }
    context.forward(record.withValue(new DecodedUsage(event, null)).withTimestamp(ts));
  }
}
