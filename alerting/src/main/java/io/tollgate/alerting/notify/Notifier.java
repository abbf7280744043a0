package io.tollgate.alerting.notify;

import io.tollgate.schemas.Alert;
import io.tollgate.schemas.metrics.Prometheus;
import io.tollgate.schemas.serde.AvroSerde;
import io.tollgate.schemas.serde.TollgateSerdes;
import io.tollgate.schemas.topics.Topics;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.function.DoubleSupplier;
import org.apache.kafka.clients.consumer.CommitFailedException;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.clients.consumer.ConsumerRebalanceListener;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.RebalanceInProgressException;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Delivers each alert once to each of its channels, across restarts and replays. Deliveries run
 * off the poll thread, on one thread per channel ({@link ChannelWorkers}), so a slow or failing
 * Slack never delays email, nor the consumer's polls. A finished delivery — delivered, or
 * dead-lettered because the channel refused it for good ({@link Channel.Result#permanent()}) or
 * kept failing for a day — is written to the compacted {@code tollgate.alert-deliveries.v1}
 * before the alert's offset may be committed; offsets advance per partition up to the oldest alert
 * with a delivery still being retried ({@link DeliveryPlan}). That topic is read whole whenever
 * partitions are assigned, so a crash or a new owner re-reads alerts and skips what was done.
 * Alerts about a period that ended more than {@link #KEEP} ago are not sent (that bounds the
 * delivered set). Before each attempt its intent is recorded too: a delivery whose notifier died
 * between the intent and the outcome (the channel may have the message) is sent again marked as a
 * possible repeat (docs/alerting.md, "Once per channel: what a crash can repeat").
 */
public final class Notifier implements Runnable, AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(Notifier.class);
  /** How long after its period's end a finished delivery is remembered, and an alert still sent. */
  static final Duration KEEP = Duration.ofDays(7);
  static final int MAX_DELIVERED = 200_000;
  /** Above this many unfinished alerts the consumer pauses (an alert storm must not exhaust memory). */
  static final int MAX_OPEN = 10_000;
  private static final Duration PRUNE_EVERY = Duration.ofMinutes(1);

  private final Consumer<String, Alert> consumer;
  private final DeliveryLog deliveryLog;
  private final Clock clock;
  private final AlertingMetrics metrics;
  private final ChannelWorkers workers;
  private final DeliveryPlan plan = new DeliveryPlan();
  private final Deliveries deliveries;
  private volatile boolean running = true;
  private volatile double assignedLag;
  private volatile DoubleSupplier lag = () -> assignedLag;
  private Instant lastPrune = Instant.EPOCH;

  /** Without extra Kafka properties, decoding alerts with the bundled schemas. */
  public Notifier(String bootstrap, String groupId, Map<String, Channel> channels, Clock clock, AlertingMetrics metrics,
                  AlertLog alertLog) {
    this(bootstrap, groupId, Map.of(), channels, clock, metrics, alertLog, TollgateSerdes.alert());
  }

  /** Without extra Kafka properties. */
  public Notifier(String bootstrap, String groupId, Map<String, Channel> channels, Clock clock, AlertingMetrics metrics,
                  AlertLog alertLog, AvroSerde<Alert> alertSerde) {
    this(bootstrap, groupId, Map.of(), channels, clock, metrics, alertLog, alertSerde);
  }

  /** Decoding alerts with the bundled schemas. */
  public Notifier(String bootstrap, String groupId, Map<String, String> kafka, Map<String, Channel> channels,
                  Clock clock, AlertingMetrics metrics, AlertLog alertLog) {
    this(bootstrap, groupId, kafka, channels, clock, metrics, alertLog, TollgateSerdes.alert());
  }

  /**
   * @param kafka      extra Kafka properties (SSL, SASL, tuning): producer ones to the delivery log's
   *                   producer, consumer ones to the two consumers; see {@link NotifierKafka}
   * @param channels   delivery channels by name
   * @param metrics    where delivery outcomes are counted
   * @param alertLog   where alerts and outcomes are recorded for people (ClickHouse), or {@link AlertLog#NONE}
   * @param alertSerde decodes alerts (the app's reads alerts of newer instances through the schema
   *                   topic; if that cannot be read the notifier stops uncommitted, and is restarted)
   * @throws IllegalArgumentException when {@code kafka} changes what the notifier's clients own
   */
  public Notifier(String bootstrap, String groupId, Map<String, String> kafka, Map<String, Channel> channels,
                  Clock clock, AlertingMetrics metrics, AlertLog alertLog, AvroSerde<Alert> alertSerde) {
    this(alertsConsumer(bootstrap, groupId, kafka, alertSerde),
        new KafkaDeliveryLog(NotifierKafka.producer(bootstrap, kafka), NotifierKafka.deliveriesReader(bootstrap, kafka)),
        channels, clock, metrics, alertLog, RetryPolicy.defaults());
  }

  /** Checks every client's configuration before the first client exists (nothing to close on refusal). */
  private static KafkaConsumer<String, Alert> alertsConsumer(String bootstrap, String groupId, Map<String, String> kafka,
                                                             AvroSerde<Alert> alertSerde) {
    checkKafka(Objects.requireNonNull(bootstrap, "bootstrap"), Objects.requireNonNull(groupId, "groupId"), kafka);
    return new KafkaConsumer<>(NotifierKafka.alertsConsumer(bootstrap, groupId, kafka), new StringDeserializer(),
        Objects.requireNonNull(alertSerde, "alertSerde"));
  }

  /** Refuses {@code kafka} the way the constructor would, before anything of the app starts. */
  public static void checkKafka(String bootstrap, String groupId, Map<String, String> kafka) {
    NotifierKafka.producer(bootstrap, kafka);
    NotifierKafka.alertsConsumer(bootstrap, groupId, kafka);
    NotifierKafka.deliveriesReader(bootstrap, kafka);
  }

  /** With the consumer and the delivery log injected (tests use Kafka's MockConsumer). */
  Notifier(Consumer<String, Alert> consumer, DeliveryLog deliveryLog, Map<String, Channel> channels, Clock clock,
           AlertingMetrics metrics, AlertLog alertLog, RetryPolicy retry) {
    this.consumer = Objects.requireNonNull(consumer, "consumer");
    this.deliveryLog = Objects.requireNonNull(deliveryLog, "deliveryLog");
    Map<String, Channel> copy = Map.copyOf(channels);
    this.clock = Objects.requireNonNull(clock, "clock");
    this.metrics = Objects.requireNonNull(metrics, "metrics");
    DeliveryOutcomes outcomes = new DeliveryOutcomes(metrics, Objects.requireNonNull(alertLog, "alertLog"));
    Objects.requireNonNull(retry, "retry");
    this.workers = new ChannelWorkers(copy.keySet(), deliveryLog, clock);
    this.deliveries = new Deliveries(copy, workers, plan, outcomes, retry, clock, p -> consumer.assignment().contains(p));
  }

  @Override
  public void run() {
    try {
      subscribe();
      while (running) {
        pollOnce(Duration.ofMillis(100));
      }
      handOver(consumer.assignment(), Duration.ofSeconds(10)); // a clean stop finishes and commits what is in flight
    } catch (WakeupException e) {
      if (running) {
        throw e;
      }
    } catch (RuntimeException e) {
      LOG.error("alert notifier stopped: alerts are not delivered until it restarts", e);
      throw e;
    } finally {
      workers.close();
      deliveryLog.close();
      consumer.close(org.apache.kafka.clients.consumer.CloseOptions.timeout(Duration.ofSeconds(5)));
    }
  }

  void subscribe() {
    consumer.subscribe(List.of(Topics.ALERTS.name()), new ConsumerRebalanceListener() {
      @Override
      public void onPartitionsRevoked(Collection<TopicPartition> partitions) {
        handOver(partitions, Duration.ofSeconds(30));
      }

      @Override
      public void onPartitionsAssigned(Collection<TopicPartition> partitions) {
        if (!partitions.isEmpty()) {
          deliveries.load(deliveryLog); // what another instance delivered from these partitions until now
        }
      }
    });
  }

  /** One turn of the loop: poll, then everything that does not wait for a channel. */
  void pollOnce(Duration timeout) {
    for (ConsumerRecord<String, Alert> r : consumer.poll(timeout)) {
      deliveries.enqueue(r);
    }
    for (TopicPartition p : consumer.assignment()) {
      plan.advance(p, consumer.position(p));
    }
    step();
    if (plan.openRecords() > MAX_OPEN) {
      consumer.pause(consumer.assignment());
    } else if (!consumer.paused().isEmpty()) {
      consumer.resume(consumer.paused());
    }
  }

  /** Finished attempts, due attempts, commits, housekeeping. */
  private void step() {
    for (ChannelWorkers.Attempt a : workers.finished()) {
      deliveries.finish(a);
    }
    deliveries.submitDue();
    commit(plan.committable());
    metrics.pending(deliveries.pending());
    assignedLag = Prometheus.assignedLag(consumer);
    Instant now = clock.instant();
    if (!now.isBefore(lastPrune.plus(PRUNE_EVERY))) {
      lastPrune = now;
      deliveries.prune(now, deliveryLog);
    }
  }

  /**
   * Partitions leave (a rebalance, or the stop): wait for their attempts in flight (each channel
   * bounds its own call), record them, commit what is finished, and forget the rest.
   */
  private void handOver(Collection<TopicPartition> partitions, Duration wait) {
    for (ChannelWorkers.Attempt a : workers.awaitInFlight(partitions, wait)) {
      deliveries.finish(a);
    }
    commit(plan.committable());
    deliveries.drop(partitions);
    plan.revoke(partitions);
  }

  /** A commit lost to a rebalance is harmless: finished deliveries are skipped when read again. */
  private void commit(Map<TopicPartition, Long> offsets) {
    if (offsets.isEmpty()) {
      return;
    }
    Map<TopicPartition, OffsetAndMetadata> commit = new HashMap<>();
    offsets.forEach((p, o) -> commit.put(p, new OffsetAndMetadata(o)));
    try {
      consumer.commitSync(commit);
      plan.committed(offsets);
    } catch (RebalanceInProgressException | CommitFailedException e) {
      LOG.info("offsets not committed during a rebalance ({}); finished deliveries will be skipped when re-read",
          e.getClass().getSimpleName());
    }
  }

  /**
   * Reports the notifier's lag through {@code source} (its group's lag measured by an admin client)
   * instead of the lag of the partitions it is assigned.
   */
  public void lagFrom(DoubleSupplier source) {
    this.lag = Objects.requireNonNull(source, "source");
  }

  /** Records the notifier's group is behind the end of the alerts topic. */
  public double lag() {
    return lag.getAsDouble();
  }

  /** Deliveries not finished yet (for metrics and tests). */
  public int pendingCount() {
    return deliveries.pending();
  }

  @Override
  public void close() {
    running = false; // the loop notices within a poll, finishes what is in flight and commits it
  }
}
