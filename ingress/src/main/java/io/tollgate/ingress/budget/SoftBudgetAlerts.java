package io.tollgate.ingress.budget;

import io.tollgate.schemas.Alert;
import io.tollgate.schemas.serde.AvroSerde;
import io.tollgate.schemas.serde.TollgateSerdes;
import io.tollgate.schemas.kafka.KafkaClientProperties;
import io.tollgate.schemas.topics.Topics;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Instant;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A soft_budget crossing becomes an {@link Alert} on {@code tollgate.alerts.v1}; the alerting
 * notifier delivers it to its channels (Slack, email, log) once per alert id. The id is a hash of
 * (scope, scope id, duration, period start), so every gateway that notices the same crossing
 * writes the same id and it is delivered once per period, however many gateways there are or
 * however often one restarts. Never blocks the request path: alerts are queued (bounded; a full
 * queue drops and counts) and sent by one thread, which retries each until Kafka takes it.
 */
public final class SoftBudgetAlerts implements SoftBudgetListener, AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(SoftBudgetAlerts.class);
  /** The rule id of these alerts in the alerts table and messages. */
  public static final String RULE = "soft_budget";

  private final KafkaProducer<String, byte[]> producer;
  private final AvroSerde<Alert> serde = TollgateSerdes.alert();
  private final List<String> channels;
  private final AtomicLong sent = new AtomicLong();
  private final AtomicLong failed = new AtomicLong();
  private final java.util.concurrent.BlockingQueue<Alert> queue = new java.util.concurrent.LinkedBlockingQueue<>(QUEUE);
  private final Thread sender;
  private volatile boolean running = true;
  private static final int QUEUE = 10_000;
  private static final int ATTEMPTS = 20;

  public SoftBudgetAlerts(String bootstrapServers, Map<String, String> kafkaProperties, String clientId,
                          List<String> channels) {
    this.channels = List.copyOf(channels);
    Map<String, Object> config = KafkaClientProperties.merge("the gateway's soft-budget alert producer",
        Map.of(ProducerConfig.CLIENT_ID_CONFIG, clientId, ProducerConfig.MAX_BLOCK_MS_CONFIG, 10_000,
            ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, 30_000, ProducerConfig.REQUEST_TIMEOUT_MS_CONFIG, 10_000,
            ProducerConfig.LINGER_MS_CONFIG, 0),
        KafkaClientProperties.known(kafkaProperties == null ? Map.of() : kafkaProperties, ProducerConfig.configNames()),
        Map.of(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers, ProducerConfig.ACKS_CONFIG, "all",
            ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true));
    this.producer = new KafkaProducer<>(config, new StringSerializer(), new ByteArraySerializer());
    this.sender = new Thread(this::run, "tollgate-soft-budget-alerts");
    sender.setDaemon(true);
    sender.start();
  }

  private void run() {
    while (running || !queue.isEmpty()) {
      Alert a;
      try {
        a = queue.poll(200, java.util.concurrent.TimeUnit.MILLISECONDS);
      } catch (InterruptedException e) {
        return;
      }
      if (a != null) {
        send(a);
      }
    }
  }

  private void send(Alert a) {
    byte[] bytes = serde.serialize(Topics.ALERTS.name(), a);
    for (int attempt = 1; attempt <= ATTEMPTS; attempt++) {
      try {
        producer.send(new ProducerRecord<>(Topics.ALERTS.name(), a.getAlertId(), bytes)).get();
        sent.incrementAndGet();
        return;
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        break;
      } catch (java.util.concurrent.ExecutionException | RuntimeException e) {
        if (!running) {
          break;
        }
        LOG.warn("soft-budget alert {} not written yet (attempt {}): {}", a.getAlertId(), attempt,
            (e.getCause() == null ? e : e.getCause()).toString());
      }
    }
    failed.incrementAndGet();
    LOG.error("soft-budget alert {} could not be written to {}", a.getAlertId(), Topics.ALERTS.name());
  }

  /** The alert of one crossing (pure, for tests and the notifier's message). */
  public static Alert alert(ScopeLimits limits, PeriodRef period, long spendNanos, Instant now, List<String> channels) {
    String label = limits.label() == null ? limits.id() : limits.label();
    String what = switch (limits.scope()) {
      case KEY -> "key";
      case TEAM -> "team";
      case CUSTOMER -> "customer";
    };
    String per = period.duration().isEmpty() ? "in total" : "this " + period.duration() + " period (since "
        + Instant.ofEpochMilli(period.periodStartMillis()) + ")";
    return Alert.newBuilder()
        .setAlertId(id(period))
        .setRuleId(RULE)
        .setKind("threshold")
        .setSeverity("warning")
        .setScope(limits.scope().wire())
        .setScopeId(limits.id())
        .setPeriod(periodName(period.duration()))
        // A lifetime "period" starts at the crossing, so the notifier does not take it for an old alert.
        .setWindowStart(period.duration().isEmpty() ? now : Instant.ofEpochMilli(period.periodStartMillis()))
        .setSpendNanos(spendNanos)
        .setThresholdNanos(limits.softBudgetNanos())
        .setBaselineMeanNanos(null)
        .setBaselineStddevNanos(null)
        .setZScore(null)
        .setChannels(channels)
        .setMessage("Soft budget reached: " + what + " " + label + " has spent $" + BudgetLedger.usd(spendNanos)
            + " " + per + ", soft budget $" + BudgetLedger.usd(limits.softBudgetNanos())
            + (limits.maxBudgetNanos() == null ? "" : ", max budget $" + BudgetLedger.usd(limits.maxBudgetNanos())))
        .setCreatedAt(now)
        .setDetails(Map.of("label", label, "duration", period.duration()))
        .build();
  }

  /** The notifier's names where they match (it then keeps the delivery exactly as long as the period). */
  private static String periodName(String duration) {
    return switch (duration) {
      case "" -> "lifetime";
      case "1h" -> "hour";
      case "1d" -> "day";
      case "1mo" -> "month";
      default -> duration;
    };
  }

  /** Deterministic: the same scope and period always give the same id. */
  static String id(PeriodRef period) {
    try {
      MessageDigest sha = MessageDigest.getInstance("SHA-256");
      for (String part : new String[] {RULE, period.scope().wire(), period.id(), period.duration(),
          Long.toString(period.periodStartMillis())}) {
        byte[] bytes = part.getBytes(StandardCharsets.UTF_8);
        sha.update((byte) (bytes.length >>> 24));
        sha.update((byte) (bytes.length >>> 16));
        sha.update((byte) (bytes.length >>> 8));
        sha.update((byte) bytes.length);
        sha.update(bytes);
      }
      return HexFormat.of().formatHex(sha.digest(), 0, 16);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  @Override
  public void crossed(ScopeLimits limits, PeriodRef period, long spendNanos, Instant now) {
    Alert a = alert(limits, period, spendNanos, now, channels);
    if (!queue.offer(a)) {
      failed.incrementAndGet();
      LOG.warn("soft-budget alert {} dropped: {} alerts wait to be written", a.getAlertId(), QUEUE);
    }
  }

  public long sent() {
    return sent.get();
  }

  public long failed() {
    return failed.get();
  }

  @Override
  public void close() {
    running = false;
    try {
      sender.join(5_000);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    sender.interrupt();
    producer.close(java.time.Duration.ofSeconds(5));
  }
}
