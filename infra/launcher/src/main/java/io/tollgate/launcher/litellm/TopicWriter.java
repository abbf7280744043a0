package io.tollgate.launcher.litellm;

import io.tollgate.schemas.Budget;
import io.tollgate.schemas.Customer;
import io.tollgate.schemas.Team;
import io.tollgate.schemas.VirtualKey;
import io.tollgate.schemas.kafka.KafkaClientProperties;
import io.tollgate.schemas.serde.SchemaAnnouncer;
import io.tollgate.schemas.serde.TollgateSerdes;
import io.tollgate.schemas.topics.TopicSetup;
import io.tollgate.schemas.topics.Topics;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;

/**
 * Writes an {@link ImportPlan} to the compacted management topics: creates missing Tollgate topics
 * (compacted, as their specs say), announces the record schemas on {@code tollgate.schemas.v1} as
 * every writer does, then sends every record with {@code acks=all} and idempotence, and returns only
 * once Kafka acknowledged each one — or throws, naming how many were not written.
 */
final class TopicWriter {
  private static final Duration TIMEOUT = Duration.ofSeconds(60);

  private final String bootstrapServers;
  private final Map<String, String> kafka;

  /** @param kafka the operator's Kafka client properties (SSL, SASL …) */
  TopicWriter(String bootstrapServers, Map<String, String> kafka) {
    this.bootstrapServers = bootstrapServers;
    this.kafka = Map.copyOf(kafka);
  }

  /** The producer configuration (visible for the test that checks acks and idempotence hold). */
  Map<String, Object> producerConfig() {
    return KafkaClientProperties.merge("the LiteLLM import's producer",
        Map.of(ProducerConfig.CLIENT_ID_CONFIG, "tollgate-import-litellm",
            ProducerConfig.MAX_BLOCK_MS_CONFIG, 30_000,
            ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, (int) TIMEOUT.toMillis(),
            ProducerConfig.REQUEST_TIMEOUT_MS_CONFIG, 15_000,
            ProducerConfig.LINGER_MS_CONFIG, 5),
        KafkaClientProperties.known(kafka, ProducerConfig.configNames()),
        Map.of(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers,
            ProducerConfig.ACKS_CONFIG, "all",
            ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true,
            ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, StringSerializer.class.getName(),
            ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName()));
  }

  /** Writes everything; returns the number of records Kafka acknowledged. */
  int write(ImportPlan plan) {
    Map<String, Object> config = producerConfig(); // conflicts are reported before anything connects
    TopicSetup.ensure(bootstrapServers, Duration.ofSeconds(30), kafka);
    try (SchemaAnnouncer announcer = SchemaAnnouncer.start(bootstrapServers, "tollgate-import-litellm-schemas", kafka,
        List.of(VirtualKey.getClassSchema(), Team.getClassSchema(), Customer.getClassSchema(), Budget.getClassSchema()))) {
      if (!announcer.awaitPublished(Duration.ofSeconds(30))) {
        throw new IllegalStateException("could not publish the record schemas to " + Topics.SCHEMAS.name()
            + " within 30 s; nothing written");
      }
    }
    List<Future<RecordMetadata>> sent = new ArrayList<>();
    try (KafkaProducer<String, byte[]> producer = new KafkaProducer<>(config)) {
      var budgets = TollgateSerdes.budget();
      var teams = TollgateSerdes.team();
      var customers = TollgateSerdes.customer();
      var keys = TollgateSerdes.virtualKey();
      String topic = Topics.BUDGETS.name();
      for (Budget b : plan.budgets()) {
        sent.add(producer.send(new ProducerRecord<>(topic, b.getBudgetId(), budgets.serialize(topic, b))));
      }
      topic = Topics.TEAMS.name();
      for (Team t : plan.teams()) {
        sent.add(producer.send(new ProducerRecord<>(topic, t.getTeamId(), teams.serialize(topic, t))));
      }
      topic = Topics.CUSTOMERS.name();
      for (Customer c : plan.customers()) {
        sent.add(producer.send(new ProducerRecord<>(topic, c.getCustomerId(), customers.serialize(topic, c))));
      }
      topic = Topics.KEYS.name();
      for (VirtualKey k : plan.keys()) {
        sent.add(producer.send(new ProducerRecord<>(topic, k.getKeyHash(), keys.serialize(topic, k))));
      }
      producer.flush();
      int acknowledged = 0;
      String firstError = null;
      for (Future<RecordMetadata> f : sent) {
        try {
          f.get(TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
          acknowledged++;
        } catch (ExecutionException e) {
          firstError = firstError == null ? String.valueOf(e.getCause().getMessage()) : firstError;
        } catch (TimeoutException e) {
          firstError = firstError == null ? "no acknowledgement within " + TIMEOUT : firstError;
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          throw new IllegalStateException("interrupted while writing; " + acknowledged + " of " + sent.size()
              + " records acknowledged");
        }
      }
      if (acknowledged < sent.size()) {
        throw new IllegalStateException((sent.size() - acknowledged) + " of " + sent.size()
            + " records were not written (" + firstError + "); running the import again is safe");
      }
      return acknowledged;
    }
  }
}
