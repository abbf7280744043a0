package io.tollgate.schemas.serde;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.tollgate.schemas.SpendWindow;
import io.tollgate.schemas.UsageEvent;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.apache.avro.Schema;
import org.apache.avro.message.SchemaStore;
import org.apache.kafka.common.errors.SerializationException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * This build as the reader one release behind: its {@code UsageEvent} (and shipped history) meets
 * bytes of a newer writer ("v3": extra fields with defaults) that it can only read through a store.
 */
@Timeout(value = 30, unit = TimeUnit.SECONDS)
class ForwardCompatibilityTest {
  private static final String TOPIC = "tollgate.usage.v1";

  private static UsageEvent sample(String id) {
    UsageEvent e = Events.usage(id);
    e.setTeamId("team-7");
    e.setWebSearchRequests(3);
    return e;
  }

  @Test
  void aNewerWriterIsReadThroughTheStoreIntoTheReadersOwnSchema() {
    Schema v3 = NewerWriter.v3();
    UsageEvent sent = sample("e-v3");
    byte[] bytes = NewerWriter.encode(v3, sent);

    UsageEvent read = TollgateSerdes.usageEvent(NewerWriter.storeOf(v3)).decode(TOPIC, 0, 5, bytes);

    // Every field the reader knows, v2 ones included, arrives; the v3 fields are skipped.
    assertThat(read).isEqualTo(sent);
    assertThat(read.getSchema().getField("carbon_milligrams")).isNull();
  }

  @Test
  void withoutTheStoreTheSameBytesAreRefusedNamingTheFingerprint() {
    byte[] bytes = NewerWriter.encode(NewerWriter.v3(), sample("e-v3"));
    String hex = SchemaTopic.hex(AvroSerde.fingerprint(NewerWriter.v3()));

    assertThatThrownBy(() -> TollgateSerdes.usageEvent().decode(TOPIC, 0, 5, bytes))
        .isInstanceOf(EventDecodingException.class)
        .hasMessageContaining("unknown schema fingerprint 0x" + hex);
  }

  @Test
  void aFingerprintTheStoreDoesNotKnowEitherIsRefusedClearly() {
    byte[] bytes = NewerWriter.encode(NewerWriter.v3(), sample("e-v3"));
    AvroSerde<UsageEvent> serde = TollgateSerdes.usageEvent(NewerWriter.storeOf());

    assertThatThrownBy(() -> serde.decode(TOPIC, 1, 9, bytes))
        .isInstanceOf(EventDecodingException.class)
        .hasMessageContaining("partition 1, offset 9")
        .hasMessageContaining("neither in the shipped schema history nor in the");
  }

  @Test
  void anUnavailableStoreIsNotPoison() {
    byte[] bytes = NewerWriter.encode(NewerWriter.v3(), sample("e-v3"));
    SchemaStore down = fp -> {
      throw new SchemaStoreUnavailableException("schema topic down", null);
    };

    // Not a SerializationException: the aggregator must retry this record, not dead-letter it.
    assertThatThrownBy(() -> TollgateSerdes.usageEvent(down).decode(TOPIC, 0, 5, bytes))
        .isInstanceOf(SchemaStoreUnavailableException.class)
        .isNotInstanceOf(SerializationException.class);
  }

  @Test
  void aWriterThatBrokeTheCompatibilityRuleIsRefusedSayingWhere() {
    Schema broken = NewerWriter.incompatible();
    byte[] bytes = NewerWriter.encode(broken, sample("e-bad"));

    assertThatThrownBy(() -> TollgateSerdes.usageEvent(NewerWriter.storeOf(broken)).decode(TOPIC, 0, 5, bytes))
        .isInstanceOf(EventDecodingException.class)
        .hasMessageContaining("cannot be read by this version")
        .hasMessageContaining("cost_nanos");
  }

  @Test
  void aSchemaOfAnotherRecordTypeIsRefused() {
    Schema other = SpendWindow.getClassSchema();
    byte[] bytes = TollgateSerdes.spendWindow().serialize("tollgate.spend-windows.v1", Events.window());

    assertThatThrownBy(() -> TollgateSerdes.usageEvent(NewerWriter.storeOf(other)).decode(TOPIC, 0, 5, bytes))
        .isInstanceOf(EventDecodingException.class)
        .hasMessageContaining("is io.tollgate.schemas.SpendWindow, not io.tollgate.schemas.UsageEvent");
  }

  @Test
  void shippedVersionsNeverAskTheStore() {
    SchemaStore refusing = fp -> {
      throw new AssertionError("asked the store for a shipped fingerprint");
    };
    AvroSerde<UsageEvent> serde = TollgateSerdes.usageEvent(refusing);
    UsageEvent event = sample("e-cur");
    assertThat(serde.deserialize(TOPIC, serde.serialize(TOPIC, event))).isEqualTo(event);
  }

  @Test
  void oneSerdeResolvesANewerWriterSafelyAcrossThreads() throws Exception {
    Schema v3 = NewerWriter.v3();
    AvroSerde<UsageEvent> serde = TollgateSerdes.usageEvent(NewerWriter.storeOf(v3));
    ExecutorService pool = Executors.newFixedThreadPool(4);
    try {
      List<Future<Integer>> results = new ArrayList<>();
      for (int t = 0; t < 4; t++) {
        int thread = t;
        results.add(pool.submit(() -> {
          int ok = 0;
          for (int i = 0; i < 1_000; i++) {
            UsageEvent event = sample("e-" + thread + "-" + i);
            if (serde.deserialize(TOPIC, NewerWriter.encode(v3, event)).equals(event)) {
              ok++;
            }
          }
          return ok;
        }));
      }
      for (Future<Integer> r : results) {
        assertThat(r.get()).isEqualTo(1_000);
      }
    } finally {
      pool.shutdownNow();
    }
  }
}
