package io.tollgate.schemas.serde;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.tollgate.schemas.UsageEvent;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.apache.avro.Schema;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.MockConsumer;
import org.apache.kafka.common.Node;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.TimeoutException;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The reader side of the schema topic over Kafka's own {@link MockConsumer}. */
@Timeout(value = 30, unit = TimeUnit.SECONDS)
class SchemaTopicStoreTest {
  private static final String TOPIC = "tollgate.schemas.v1";
  private static final TopicPartition P0 = new TopicPartition(TOPIC, 0);

  private final MockConsumer<String, String> consumer = new MockConsumer<>("earliest");
  private final MutableClock clock = new MutableClock();
  // The read bound is wall-clock time: 500 ms failed a read of the mock on a loaded machine (a full
  // test run beside benchmarks); the timeout itself is tested below with a consumer that never ends.
  private final SchemaTopicStore store =
      new SchemaTopicStore(consumer, TOPIC, clock, Duration.ofSeconds(10), Duration.ofSeconds(30));
  private long nextOffset;

  @BeforeEach
  void oneEmptyPartition() {
    consumer.updatePartitions(TOPIC, List.of(new PartitionInfo(TOPIC, 0, Node.noNode(), new Node[0], new Node[0])));
    consumer.updateBeginningOffsets(Map.of(P0, 0L));
    consumer.updateEndOffsets(Map.of(P0, 0L));
  }

  private void published(String key, String value) {
    long offset = nextOffset++;
    consumer.updateEndOffsets(Map.of(P0, nextOffset));
    // Records are handed to the consumer only once it is assigned, as a broker would.
    consumer.schedulePollTask(() -> consumer.addRecord(new ConsumerRecord<>(TOPIC, 0, offset, key, value)));
  }

  /** The fingerprint of what the store found (schemas parsed from JSON are not {@code equals} to built ones). */
  private Long found(long fingerprint) {
    Schema schema = store.findByFingerprint(fingerprint);
    return schema == null ? null : AvroSerde.fingerprint(schema);
  }

  private void published(Schema schema) {
    published(SchemaTopic.key(schema), schema.toString());
  }

  @Test
  void aSchemaPublishedAfterStartIsFoundOnTheFirstMiss() {
    assertThat(store.loadAtStart()).isTrue();
    Schema v3 = NewerWriter.v3();
    published(v3);

    assertThat(found(AvroSerde.fingerprint(v3))).isEqualTo(AvroSerde.fingerprint(v3));
    int reads = store.reads();
    // Known now: no further reads for it.
    assertThat(found(AvroSerde.fingerprint(v3))).isEqualTo(AvroSerde.fingerprint(v3));
    assertThat(store.reads()).isEqualTo(reads);
  }

  @Test
  void anUnknownFingerprintIsNotLookedUpAgainUntilTheMissExpires() {
    long unknown = 0x1234_5678_9abc_def0L;
    assertThat(store.findByFingerprint(unknown)).isNull();
    int reads = store.reads();
    for (int i = 0; i < 1_000; i++) {
      assertThat(store.findByFingerprint(unknown)).isNull();
    }
    assertThat(store.reads()).as("a flood of one bad fingerprint reads the topic once").isEqualTo(reads);

    clock.advance(Duration.ofSeconds(31));
    assertThat(store.findByFingerprint(unknown)).isNull();
    assertThat(store.reads()).isEqualTo(reads + 1);
  }

  @Test
  void aSchemaPublishedWhileItsMissWasRememberedIsFoundOnceTheMissExpires() {
    Schema v3 = NewerWriter.v3();
    assertThat(store.findByFingerprint(AvroSerde.fingerprint(v3))).isNull();
    published(v3);
    clock.advance(Duration.ofSeconds(31));
    assertThat(found(AvroSerde.fingerprint(v3))).isEqualTo(AvroSerde.fingerprint(v3));
  }

  @Test
  void recordsWhoseKeyDoesNotNameTheirSchemaAreIgnored() {
    Schema v3 = NewerWriter.v3();
    published(SchemaTopic.key(UsageEvent.getClassSchema()), v3.toString());
    published("io.tollgate.schemas.UsageEvent:0000000000000001", "{not a schema");
    published("io.tollgate.schemas.UsageEvent:0000000000000002", null);
    assertThat(store.loadAtStart()).isTrue();
    assertThat(store.fingerprints()).isEmpty();
  }

  @Test
  void anUnreadableTopicMakesLookupsFailAsUnavailableNotUnknown() {
    consumer.setPollException(new org.apache.kafka.common.KafkaException("broker gone"));
    published(NewerWriter.v3());

    assertThatThrownBy(() -> store.findByFingerprint(AvroSerde.fingerprint(NewerWriter.v3())))
        .isInstanceOf(SchemaStoreUnavailableException.class)
        .hasMessageContaining("schema topic " + TOPIC + " cannot be read");
    // No miss was remembered: the next lookup reads again and now finds it.
    assertThat(found(AvroSerde.fingerprint(NewerWriter.v3()))).isEqualTo(AvroSerde.fingerprint(NewerWriter.v3()));
  }

  @Test
  void aTopicNotReadToItsEndInTimeIsUnavailable() {
    // The end offset says a record exists, but it never arrives.
    consumer.updateEndOffsets(Map.of(P0, 1L));
    try (SchemaTopicStore shortBound = new SchemaTopicStore(consumer, TOPIC, clock, Duration.ofMillis(500),
        Duration.ofSeconds(30))) {
      assertThatThrownBy(() -> shortBound.findByFingerprint(42L))
          .isInstanceOf(SchemaStoreUnavailableException.class)
          .hasMessageContaining("not read to its end within");
      assertThat(shortBound.loadAtStart()).isFalse();
    }
  }

  @Test
  void noTopicMeansNothingPublished() {
    MockConsumer<String, String> empty = new MockConsumer<>("earliest");
    try (SchemaTopicStore none = new SchemaTopicStore(empty, TOPIC, clock, Duration.ofMillis(500),
        Duration.ofSeconds(30))) {
      assertThat(none.findByFingerprint(42L)).isNull();
    }
  }

  @Test
  void partitionsForTimingOutIsUnavailable() {
    MockConsumer<String, String> slow = new MockConsumer<>("earliest") {
      @Override
      public synchronized List<PartitionInfo> partitionsFor(String topic, Duration timeout) {
        throw new TimeoutException("no metadata");
      }
    };
    try (SchemaTopicStore down = new SchemaTopicStore(slow, TOPIC, clock, Duration.ofMillis(500),
        Duration.ofSeconds(30))) {
      assertThatThrownBy(() -> down.findByFingerprint(42L)).isInstanceOf(SchemaStoreUnavailableException.class);
    }
  }

  private static final class MutableClock extends Clock {
    private Instant now = Instant.parse("2026-12-01T00:00:00Z");

    void advance(Duration d) {
      now = now.plus(d);
    }

    @Override
    public Instant instant() {
      return now;
    }

    @Override
    public ZoneOffset getZone() {
      return ZoneOffset.UTC;
    }

    @Override
    public Clock withZone(java.time.ZoneId zone) {
      return this;
    }
  }
}
