package io.tollgate.alerting.topology;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.tollgate.alerting.rules.Period;
import io.tollgate.alerting.rules.Scope;
import io.tollgate.alerting.rules.ThresholdRule;
import io.tollgate.schemas.Alert;
import io.tollgate.schemas.SpendWindow;
import io.tollgate.schemas.serde.AvroSerde;
import io.tollgate.schemas.serde.EventDecodingException;
import io.tollgate.schemas.serde.TollgateSerdes;
import io.tollgate.schemas.topics.Topics;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import org.apache.avro.Schema;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericRecord;
import org.apache.avro.message.BinaryMessageEncoder;
import org.apache.avro.message.SchemaStore;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.TestInputTopic;
import org.apache.kafka.streams.TestOutputTopic;
import org.apache.kafka.streams.TopologyTestDriver;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The production alerting topology one release behind the aggregator: spend windows written with a
 * newer {@code SpendWindow} (one field more) still raise alerts when the serdes have the schema store.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class NewerAggregatorTopologyTest {
  private static final long USD = 1_000_000_000L;
  private static final Instant DAY = Instant.parse("2026-11-24T00:00:00Z");
  private static final Schema NEWER = newerSpendWindow();

  private TopologyTestDriver driver;
  private TestInputTopic<String, byte[]> windows;
  private TestOutputTopic<String, Alert> alerts;

  private void open(AvroSerde<SpendWindow> windowSerde) throws Exception {
    List<ThresholdRule> rules = List.of(
        new ThresholdRule("daily-50", Scope.CUSTOMER, "*", Period.DAY, 50 * USD, null, List.of("log")));
    Properties props = new Properties();
    props.put(StreamsConfig.APPLICATION_ID_CONFIG, "alert-newer-test");
    props.put(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, "unused:9092");
    props.put(StreamsConfig.STATE_DIR_CONFIG, Files.createTempDirectory("alert-newer").toString());
    driver = new TopologyTestDriver(AlertTopology.buildTopology(rules, List.of(), windowSerde,
        TollgateSerdes.spendTotal()), props, DAY.plusSeconds(12 * 3600));
    windows = driver.createInputTopic(Topics.SPEND_WINDOWS.name(), Serdes.String().serializer(),
        Serdes.ByteArray().serializer());
    alerts = driver.createOutputTopic(Topics.ALERTS.name(), Serdes.String().deserializer(),
        TollgateSerdes.alert().deserializer());
  }

  @AfterEach
  void close() {
    if (driver != null) {
      driver.close();
    }
  }

  private void newerWindow(long costNanos) {
    SpendWindow w = SpendWindow.newBuilder().setWindowSize("1d").setWindowStart(DAY).setWindowEnd(DAY.plusSeconds(86_400))
        .setCustomerId("acme").setModel("claude-sonnet-4-5").setTool("claude-code").setRequests(1)
        .setCostNanos(costNanos).setVersion(1).setUpdatedAt(DAY.plusSeconds(60)).build();
    windows.pipeInput("1d|acme", encode(w), DAY.plusSeconds(60));
  }

  @Test
  void windowsOfANewerAggregatorRaiseAlertsThroughTheStore() throws Exception {
    SchemaStore store = fp -> fp == AvroSerde.fingerprint(NEWER) ? NEWER : null;
    open(TollgateSerdes.spendWindow(store));

    newerWindow(60 * USD);

    List<Alert> raised = alerts.readValuesToList();
    assertThat(raised).singleElement().satisfies(a -> {
      assertThat(a.getScopeId()).isEqualTo("acme");
      assertThat(a.getSpendNanos()).isEqualTo(60 * USD);
    });
  }

  @Test
  void withoutTheStoreTheyStopAlertingAsBefore() throws Exception {
    open(TollgateSerdes.spendWindow());

    assertThatThrownBy(() -> newerWindow(60 * USD)).hasRootCauseInstanceOf(
        org.apache.avro.message.MissingSchemaException.class)
        .satisfies(e -> assertThat(rootCauseChain(e)).anyMatch(t -> t instanceof EventDecodingException));
  }

  private static List<Throwable> rootCauseChain(Throwable e) {
    List<Throwable> chain = new ArrayList<>();
    for (Throwable t = e; t != null; t = t.getCause()) {
      chain.add(t);
    }
    return chain;
  }

  /** {@code SpendWindow} as a newer aggregator writes it: one more field, with a default. */
  private static Schema newerSpendWindow() {
    Schema current = SpendWindow.getClassSchema();
    List<Schema.Field> fields = new ArrayList<>();
    for (Schema.Field f : current.getFields()) {
      fields.add(new Schema.Field(f, f.schema()));
    }
    fields.add(new Schema.Field("web_search_requests", Schema.create(Schema.Type.LONG), "newer", 0L));
    return Schema.createRecord(current.getName(), current.getDoc(), current.getNamespace(), false, fields);
  }

  private static byte[] encode(SpendWindow w) {
    GenericRecord record = new GenericData.Record(NEWER);
    for (Schema.Field f : NEWER.getFields()) {
      Schema.Field known = SpendWindow.getClassSchema().getField(f.name());
      Object value = known == null ? 3L : w.get(known.pos());
      record.put(f.name(), value instanceof Instant i ? i.toEpochMilli() : value);
    }
    try {
      ByteBuffer buffer = new BinaryMessageEncoder<GenericRecord>(GenericData.get(), NEWER).encode(record);
      byte[] bytes = new byte[buffer.remaining()];
      buffer.get(bytes);
      return bytes;
    } catch (IOException e) {
      throw new AssertionError(e);
    }
  }
}
