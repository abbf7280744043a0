package io.tollgate.alerting.notify;

import io.tollgate.schemas.Alert;
import io.tollgate.schemas.metrics.Prometheus;
import io.tollgate.schemas.serde.AvroSerde;
import io.tollgate.schemas.serde.TollgateSerdes;
import io.tollgate.schemas.topics.Topics;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashSet;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.consumer.CommitFailedException;
import org.apache.kafka.clients.consumer.ConsumerRebalanceListener;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.RebalanceInProgressException;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Delivers each alert once to each of its channels, across restarts and replays: a delivery is
 * written to the compacted {@code tollgate.alert-deliveries.v1} (acks=all) before the alert's offset
 * is committed, and that topic is read whole whenever partitions are assigned (at start and after
 * every rebalance, so an instance taking over sees what the previous owner delivered). A failing
 * channel is retried with capped backoff (or the wait it asked for) without holding up the other
 * channel; offsets are committed only once nothing is pending, so a crash re-reads alerts and skips
 * what was already delivered. Deliveries pending for a partition that moves away are dropped: its
 * new owner reads them again from the last commit.
 */
public final class Notifier implements Runnable, AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(Notifier.class);
  private static final Duration MAX_BACKOFF = Duration.ofMinutes(5);

  private record Pending(Alert alert, TopicPartition source, Channel channel, int attempts, Instant next) {
  }

  private final Map<String, Object> producerConfig;
  private final Map<String, Object> consumerConfig;
  private final Map<String, Object> deliveriesConfig;
  private final Map<String, Channel> channels;
  private final Clock clock;
  private final AlertingMetrics metrics;
  private final AlertLog alertLog;
  private final AvroSerde<Alert> alertSerde;
  private final Set<String> delivered = new HashSet<>();
  private final List<Pending> pending = new ArrayList<>();
  private volatile boolean running = true;
  private volatile double lag;
  private KafkaConsumer<String, Alert> consumer;

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
    Objects.requireNonNull(bootstrap, "bootstrap");
    Objects.requireNonNull(groupId, "groupId");
    this.producerConfig = NotifierKafka.producer(bootstrap, kafka);
    this.consumerConfig = NotifierKafka.alertsConsumer(bootstrap, groupId, kafka);
    this.deliveriesConfig = NotifierKafka.deliveriesReader(bootstrap, kafka);
    this.alertSerde = Objects.requireNonNull(alertSerde, "alertSerde");
    this.channels = Map.copyOf(channels);
    this.clock = Objects.requireNonNull(clock, "clock");
    this.metrics = Objects.requireNonNull(metrics, "metrics");
    this.alertLog = Objects.requireNonNull(alertLog, "alertLog");
  }

  /** Refuses {@code kafka} the way the constructor would, before anything of the app starts. */
  public static void checkKafka(String bootstrap, String groupId, Map<String, String> kafka) {
    NotifierKafka.producer(bootstrap, kafka);
    NotifierKafka.alertsConsumer(bootstrap, groupId, kafka);
    NotifierKafka.deliveriesReader(bootstrap, kafka);
  }

  @Override
  public void run() {
    try (KafkaProducer<String, String> log = new KafkaProducer<>(producerConfig, new StringSerializer(),
        new StringSerializer());
         KafkaConsumer<String, Alert> alerts = new KafkaConsumer<>(consumerConfig, new StringDeserializer(),
             alertSerde)) {
      consumer = alerts;
      alerts.subscribe(List.of(Topics.ALERTS.name()), new ConsumerRebalanceListener() {
        @Override
        public void onPartitionsRevoked(Collection<TopicPartition> partitions) {
          // Not delivered yet, not committed: the partition's next owner reads and delivers them.
          pending.removeIf(p -> partitions.contains(p.source()));
        }

        @Override
        public void onPartitionsAssigned(Collection<TopicPartition> partitions) {
          if (!partitions.isEmpty()) {
            loadDelivered(); // what another instance delivered from these partitions until now
          }
        }
      });
      while (running) {
        for (ConsumerRecord<String, Alert> r : alerts.poll(Duration.ofMillis(200))) {
          if (r.value() != null) {
            enqueue(r.value(), new TopicPartition(r.topic(), r.partition()));
          }
        }
        lag = Prometheus.assignedLag(alerts);
        attemptDue(log);
        metrics.pending(pending.size());
        if (pending.isEmpty()) {
          commit(alerts);
        }
      }
    } catch (WakeupException e) {
      if (running) {
        throw e;
      }
    } catch (RuntimeException e) {
      LOG.error("alert notifier stopped: alerts are not delivered until it restarts", e);
      throw e;
    }
  }

  /** A commit lost to a rebalance is harmless: delivered alerts are skipped when read again. */
  private static void commit(KafkaConsumer<String, Alert> alerts) {
    try {
      alerts.commitSync();
    } catch (RebalanceInProgressException | CommitFailedException e) {
      LOG.info("offsets not committed during a rebalance ({}); delivered alerts will be skipped when re-read",
          e.getClass().getSimpleName());
    }
  }

  private void enqueue(Alert alert, TopicPartition source) {
    boolean fresh = alert.getChannels().stream().anyMatch(name -> !delivered.contains(key(alert, name)))
        && pending.stream().noneMatch(p -> p.alert().getAlertId().equals(alert.getAlertId()));
    if (fresh) {
      metrics.alert(alert.getKind(), alert.getSeverity());
      alertLog.raised(alert);
    }
    for (String name : alert.getChannels()) {
      Channel channel = channels.get(name);
      if (channel == null) {
        LOG.warn("alert {} names channel '{}', which is not configured", alert.getAlertId(), name);
      } else if (!delivered.contains(key(alert, name))
          && pending.stream().noneMatch(p -> p.alert().getAlertId().equals(alert.getAlertId()) && p.channel() == channel)) {
        pending.add(new Pending(alert, source, channel, 0, clock.instant()));
      }
    }
  }

  private void attemptDue(KafkaProducer<String, String> log) {
    Instant now = clock.instant();
    List<Pending> retry = new ArrayList<>();
    for (Iterator<Pending> it = pending.iterator(); it.hasNext(); ) {
      Pending p = it.next();
      if (p.next().isAfter(now)) {
        continue;
      }
      it.remove();
      Channel.Result result = p.channel().deliver(p.alert());
      metrics.delivery(p.channel().name(), result.delivered());
      alertLog.outcome(p.alert(), p.channel().name(), result.delivered(), p.attempts() + 1, result.error());
      if (result.delivered()) {
        String key = key(p.alert(), p.channel().name());
        try {
          log.send(new ProducerRecord<>(Topics.ALERT_DELIVERIES.name(), key, now.toString())).get(30, TimeUnit.SECONDS);
        } catch (Exception e) {
          // Delivered but not recorded: a restart may send it again; say so loudly.
          LOG.error("alert {} reached {} but the delivery could not be recorded: {}", p.alert().getAlertId(),
              p.channel().name(), e.toString());
        }
        delivered.add(key);
      } else {
        Duration backoff = Duration.ofMillis(Math.min(MAX_BACKOFF.toMillis(), 500L << Math.min(p.attempts(), 10)));
        Duration wait = result.retryAfter() != null && result.retryAfter().compareTo(backoff) > 0 ? result.retryAfter() : backoff;
        LOG.warn("alert {} to {} failed ({}), retry {} in {} ms", p.alert().getAlertId(), p.channel().name(),
            result.error(), p.attempts() + 1, wait.toMillis());
        retry.add(new Pending(p.alert(), p.source(), p.channel(), p.attempts() + 1, now.plus(wait)));
      }
    }
    pending.addAll(retry);
  }

  private void loadDelivered() {
    try (KafkaConsumer<String, String> c = new KafkaConsumer<>(deliveriesConfig, new StringDeserializer(),
        new StringDeserializer())) {
      List<TopicPartition> parts = c.partitionsFor(Topics.ALERT_DELIVERIES.name()).stream()
          .map(p -> new TopicPartition(p.topic(), p.partition())).toList();
      c.assign(parts);
      c.seekToBeginning(parts);
      Map<TopicPartition, Long> end = c.endOffsets(parts);
      while (parts.stream().anyMatch(p -> c.position(p) < end.get(p))) {
        c.poll(Duration.ofMillis(200)).forEach(r -> delivered.add(r.key()));
      }
    }
  }

  private static String key(Alert alert, String channel) {
    return alert.getAlertId() + "|" + channel;
  }

  /** Records behind the end of the alerts topic, as of the last poll. */
  public double lag() {
    return lag;
  }

  /** Deliveries still waiting (for metrics and tests). */
  public int pendingCount() {
    return pending.size();
  }

  @Override
  public void close() {
    running = false;
    KafkaConsumer<String, Alert> c = consumer;
    if (c != null) {
      c.wakeup();
    }
  }
}
