package io.tollgate.aggregator.topology;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.tollgate.local.compat.NewerUsageWriter;
import io.tollgate.schemas.SpendWindow;
import io.tollgate.schemas.UsageEvent;
import io.tollgate.schemas.serde.AvroSerde;
import io.tollgate.schemas.serde.SchemaStoreUnavailableException;
import io.tollgate.schemas.serde.TollgateSerdes;
import io.tollgate.schemas.topics.Topics;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.time.Instant;
import java.util.List;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import org.apache.avro.Schema;
import org.apache.avro.message.SchemaStore;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.TestInputTopic;
import org.apache.kafka.streams.TestOutputTopic;
import org.apache.kafka.streams.TopologyTestDriver;
import org.apache.kafka.streams.test.TestRecord;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The production topology as the aggregator one release behind a gateway: the gateway's events
 * ("v3", a field this build lacks) are billed when the usage serde has the schema store, and go to
 * the DLQ without it (what every such event did before the schema topic). A store that cannot be
 * read is not a reason to dead-letter a bill.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class NewerGatewayTopologyTest {
  /** Past the pre-aggregation interval: one flush per event, as the per-event topology emitted. */
  private static final java.time.Duration FLUSH = AggregatorSettings.DEFAULT_PRE_AGGREGATE.plusMillis(1);
  private static final Instant T = Instant.parse("2026-12-01T10:00:00Z");
  private static final Schema V3 = NewerUsageWriter.v3("carbon_milligrams");

  private TopologyTestDriver driver;
  private TestInputTopic<String, byte[]> usage;
  private TestOutputTopic<String, SpendWindow> windows;
  private TestOutputTopic<String, byte[]> dlq;

  private void open(AvroSerde<UsageEvent> usageSerde) throws Exception {
    Properties props = new Properties();
    props.put(StreamsConfig.APPLICATION_ID_CONFIG, "spend-newer-gateway-test");
    props.put(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, "unused:9092");
    props.put(StreamsConfig.STATE_DIR_CONFIG, Files.createTempDirectory("spend-newer").toString());
    props.put(StreamsConfig.STATESTORE_CACHE_MAX_BYTES_CONFIG, 0);
    driver = new TopologyTestDriver(SpendTopology.buildTopology(AggregatorSettings.defaults(), usageSerde), props);
    usage = driver.createInputTopic(Topics.USAGE.name(), Serdes.String().serializer(), Serdes.ByteArray().serializer());
    windows = driver.createOutputTopic(Topics.SPEND_WINDOWS.name(), Serdes.String().deserializer(),
        TollgateSerdes.spendWindow().deserializer());
    dlq = driver.createOutputTopic(Topics.USAGE_DLQ.name(), Serdes.String().deserializer(),
        Serdes.ByteArray().deserializer());
  }

  @AfterEach
  void close() {
    if (driver != null) {
      driver.close();
    }
  }

  private void sendV3(String id, long cost) {
    UsageEvent e = UsageEvent.newBuilder().setEventId(id).setTs(T).setDurationMs(10).setTtftMs(null)
        .setGatewayId("gw-new").setKeyHash("key-acme").setKeyAlias(null).setCustomerId("acme")
        .setCustomerSource("header_customer_id").setTool("claude-code").setToolVersion(null).setUserAgent(null)
        .setSessionId(null).setProvider("anthropic").setApi("messages").setModelRequested("claude-sonnet-4-5")
        .setModel("claude-sonnet-4-5").setStatusCode(200).setErrorType(null).setInputTokens(100).setOutputTokens(10)
        .setCostNanos(cost).setPriceKnown(true).setUpstreamRequestId(null).build();
    usage.pipeInput(id, NewerUsageWriter.encode(V3, e), T);
    driver.advanceWallClockTime(FLUSH); // the pre-aggregated sums go downstream on the next flush
  }

  @Test
  void withTheStoreANewerGatewaysEventsAreBilled() throws Exception {
    SchemaStore store = fp -> fp == AvroSerde.fingerprint(V3) ? V3 : null;
    open(TollgateSerdes.usageEvent(store));

    sendV3("e-1", 1_000);
    sendV3("e-2", 2_000);

    assertThat(dlq.isEmpty()).isTrue();
    List<TestRecord<String, SpendWindow>> out = windows.readRecordsToList();
    assertThat(out).filteredOn(r -> r.value().getWindowSize().equals("1d"))
        .last().satisfies(r -> {
          assertThat(r.value().getRequests()).isEqualTo(2);
          assertThat(r.value().getCostNanos()).isEqualTo(3_000);
        });
  }

  @Test
  void withoutTheStoreTheyGoToTheDeadLetterTopicSayingWhy() throws Exception {
    open(TollgateSerdes.usageEvent());

    sendV3("e-1", 1_000);

    assertThat(windows.isEmpty()).isTrue();
    TestRecord<String, byte[]> dead = dlq.readRecord();
    assertThat(new String(dead.headers().lastHeader(DecodeAndDedupe.ERROR_HEADER).value(), StandardCharsets.UTF_8))
        .contains("unknown schema fingerprint");
  }

  @Test
  void anUnreadableStoreStopsTheTaskInsteadOfDeadLetteringTheBill() throws Exception {
    SchemaStore down = fp -> {
      throw new SchemaStoreUnavailableException("schema topic tollgate.schemas.v1 cannot be read", null);
    };
    open(TollgateSerdes.usageEvent(down));

    assertThatThrownBy(() -> sendV3("e-1", 1_000))
        .hasRootCauseInstanceOf(SchemaStoreUnavailableException.class);
    assertThat(dlq.isEmpty()).isTrue();
    assertThat(windows.isEmpty()).isTrue();
  }
}
