package io.tollgate.schemas.serde;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.tollgate.schemas.UsageEvent;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.apache.avro.Schema;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericRecord;
import org.apache.avro.message.BinaryMessageEncoder;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.common.serialization.Serde;
import org.junit.jupiter.api.Test;

class AvroSerdeTest {
  private static final String TOPIC = "tollgate.usage.v1";

  @Test
  void everyRecordTypeRoundTrips() {
    roundTrip(TollgateSerdes.usageEvent(), Events.usage("e-1"));
    roundTrip(TollgateSerdes.spendWindow(), Events.window());
    roundTrip(TollgateSerdes.spendTotal(), Events.total());
    roundTrip(TollgateSerdes.alert(), Events.alert());
    roundTrip(TollgateSerdes.virtualKey(), Events.key());
    roundTrip(TollgateSerdes.customer(), Events.customer());
  }

  private static <T extends SpecificRecord> void roundTrip(Serde<T> serde, T record) {
    byte[] bytes = serde.serializer().serialize(TOPIC, record);
    assertThat(bytes[0] & 0xff).as("single-object marker").isEqualTo(0xC3);
    assertThat(bytes[1] & 0xff).isEqualTo(0x01);
    assertThat(serde.deserializer().deserialize(TOPIC, bytes)).isEqualTo(record);
  }

  @Test
  void bytesCarryTheWriterSchemaFingerprint() {
    byte[] bytes = TollgateSerdes.usageEvent().serialize(TOPIC, Events.usage("e-1"));
    long expected = AvroSerde.fingerprint(UsageEvent.getClassSchema());
    long actual = ByteBuffer.wrap(bytes, 2, 8).order(java.nio.ByteOrder.LITTLE_ENDIAN).getLong();
    assertThat(actual).isEqualTo(expected);
  }

  @Test
  void nullIsATombstoneBothWays() {
    AvroSerde<UsageEvent> serde = TollgateSerdes.usageEvent();
    assertThat(serde.serialize(TOPIC, null)).isNull();
    assertThat(serde.deserialize(TOPIC, null)).isNull();
  }

  @Test
  void readsBytesOfEveryShippedHistoryVersion() {
    // What an older producer of each shipped version wrote: encoded with the history schema itself.
    List<Schema> history = SchemaHistory.load("UsageEvent");
    assertThat(history).isNotEmpty();
    for (Schema writer : history) {
      GenericRecord old = new GenericData.Record(writer);
      UsageEvent sample = Events.usage("e-h");
      for (Schema.Field field : writer.getFields()) {
        old.put(field.name(), GenericData.get().deepCopy(field.schema(),
            toGeneric(sample.get(UsageEvent.getClassSchema().getField(field.name()).pos()))));
      }
      byte[] bytes = encode(writer, old);
      assertThat(TollgateSerdes.usageEvent().deserialize(TOPIC, bytes).getEventId()).isEqualTo("e-h");
    }
  }

  @Test
  void olderWriterWithFewerFieldsIsReadWithDefaults() throws IOException {
    Schema v0 = parse("old-writer/UsageEvent-v0.avsc");
    GenericRecord old = new GenericData.Record(v0);
    old.put("event_id", "e-old");
    old.put("ts", Events.TS.toEpochMilli());
    old.put("duration_ms", 5L);
    old.put("gateway_id", "gw-0");
    old.put("customer_id", "acme");
    old.put("provider", "openai");
    old.put("api", "chat_completions");
    old.put("model_requested", "gpt-4o");
    old.put("status_code", 200);
    old.put("input_tokens", 11L);
    old.put("output_tokens", 22L);
    old.put("cost_nanos", 33L);
    old.put("legacy_field", "dropped by the new reader");
    byte[] bytes = encode(v0, old);

    List<Schema> history = new ArrayList<>(SchemaHistory.load("UsageEvent"));
    history.add(0, v0);
    UsageEvent event = new AvroSerde<>(UsageEvent.class, history).deserialize(TOPIC, bytes);

    assertThat(event.getEventId()).isEqualTo("e-old");
    assertThat(event.getTs()).isEqualTo(Events.TS);
    assertThat(event.getInputTokens()).isEqualTo(11);
    assertThat(event.getCostNanos()).isEqualTo(33);
    assertThat(event.getCustomerSource()).isEqualTo("none");
    assertThat(event.getTool()).isEqualTo("other");
    assertThat(event.getCacheReadTokens()).isZero();
    assertThat(event.getPriceKnown()).isFalse();
    assertThat(event.getTtftMs()).isNull();
    assertThat(event.getTags()).isEmpty();

    // The production serde does not know that writer: a clear error, not garbage.
    assertThatThrownBy(() -> TollgateSerdes.usageEvent().decode(TOPIC, 2, 77, bytes))
        .isInstanceOf(EventDecodingException.class)
        .hasMessageContaining("unknown schema fingerprint 0x")
        .hasMessageContaining("topic " + TOPIC)
        .hasMessageContaining("partition 2")
        .hasMessageContaining("offset 77");
  }

  @Test
  void corruptBytesGiveAClearErrorNamingTopicAndOffset() {
    AvroSerde<UsageEvent> serde = TollgateSerdes.usageEvent();
    byte[] good = serde.serialize(TOPIC, Events.usage("e-1"));
    byte[] wrongMarker = good.clone();
    wrongMarker[0] = 0x7b;
    byte[] unknownFingerprint = good.clone();
    unknownFingerprint[5] ^= 0x55;
    byte[] truncated = Arrays.copyOf(good, good.length / 2);
    byte[] random = new byte[64];
    new Random(42).nextBytes(random);
    byte[] garbageBody = Arrays.copyOf(good, good.length);
    Arrays.fill(garbageBody, 10, garbageBody.length, (byte) 0xff);

    assertDecodeError(serde, new byte[0], "too short");
    assertDecodeError(serde, wrongMarker, "not single-object encoded (header starts 7B 01");
    assertDecodeError(serde, unknownFingerprint, "unknown schema fingerprint");
    assertDecodeError(serde, truncated, "");
    assertDecodeError(serde, random, "");
    assertDecodeError(serde, garbageBody, "");
    assertThatThrownBy(() -> serde.deserialize(TOPIC, truncated))
        .isInstanceOf(EventDecodingException.class)
        .hasMessageContaining("offset unknown")
        .hasMessageContaining("UsageEvent");
  }

  private static void assertDecodeError(AvroSerde<UsageEvent> serde, byte[] bytes, String reason) {
    assertThatThrownBy(() -> serde.decode(TOPIC, 0, 42, bytes))
        .isInstanceOf(EventDecodingException.class)
        .hasMessageContaining("cannot decode UsageEvent from topic " + TOPIC + ", partition 0, offset 42")
        .hasMessageContaining("(" + bytes.length + " bytes)")
        .hasMessageContaining(reason)
        .satisfies(e -> {
          EventDecodingException d = (EventDecodingException) e;
          assertThat(d.topic()).isEqualTo(TOPIC);
          assertThat(d.offset()).isEqualTo(42);
        });
  }

  @Test
  void missingRequiredFieldFailsOnEncodeNamingTheType() {
    UsageEvent broken = Events.usage("e-1");
    broken.setProvider(null);
    assertThatThrownBy(() -> TollgateSerdes.usageEvent().serialize(TOPIC, broken))
        .hasMessageContaining("cannot encode UsageEvent for topic " + TOPIC);
  }

  @Test
  void oneSerdeIsSafeAcrossThreads() throws Exception {
    AvroSerde<UsageEvent> serde = TollgateSerdes.usageEvent();
    ExecutorService pool = Executors.newFixedThreadPool(4);
    try {
      List<Future<Integer>> results = new ArrayList<>();
      for (int t = 0; t < 4; t++) {
        int thread = t;
        results.add(pool.submit(() -> {
          int ok = 0;
          for (int i = 0; i < 2_000; i++) {
            UsageEvent event = Events.usage("e-" + thread + "-" + i);
            if (serde.deserialize(TOPIC, serde.serialize(TOPIC, event)).equals(event)) {
              ok++;
            }
          }
          return ok;
        }));
      }
      for (Future<Integer> r : results) {
        assertThat(r.get()).isEqualTo(2_000);
      }
    } finally {
      pool.shutdownNow();
    }
  }

  private static byte[] encode(Schema writer, GenericRecord record) {
    try {
      ByteBuffer buffer = new BinaryMessageEncoder<GenericRecord>(GenericData.get(), writer).encode(record);
      byte[] bytes = new byte[buffer.remaining()];
      buffer.get(bytes);
      return bytes;
    } catch (IOException e) {
      throw new AssertionError(e);
    }
  }

  private static Object toGeneric(Object value) {
    if (value instanceof java.time.Instant instant) {
      return instant.toEpochMilli();
    }
    return value;
  }

  static Schema parse(String resource) throws IOException {
    try (InputStream in = AvroSerdeTest.class.getClassLoader().getResourceAsStream(resource)) {
      assertThat(in).as(resource).isNotNull();
      return new Schema.Parser().parse(in);
    }
  }
}
