package io.tollgate.aggregator;

import io.tollgate.aggregator.topology.BudgetPeriodEntries;
import io.tollgate.schemas.BudgetPeriodRef;
import io.tollgate.schemas.UsageEvent;
import io.tollgate.schemas.serde.TollgateSerdes;
import io.tollgate.schemas.topics.Topics;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.UUID;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringSerializer;

/** Synthetic usage events with independently computed expected totals, for the aggregator ITs. */
final class UsageLoad {
  final List<UsageEvent> events = new ArrayList<>();
  final Map<String, Long> costByCustomer = new HashMap<>();
  /** Per budget-period topic key (with budget periods only): expected cost, calls and cost per gateway. */
  final Map<String, Long> costByPeriod = new HashMap<>();
  final Map<String, Long> requestsByPeriod = new HashMap<>();
  final Map<String, Map<String, Long>> gatewaysByPeriod = new HashMap<>();
  /** Per tag day-total topic key (with tags only): expected cost and calls. */
  final Map<String, Long> costByTagDay = new HashMap<>();
  final Map<String, Long> requestsByTagDay = new HashMap<>();
  long totalCost;
  private final Random random;

  /** {@code count} events spread in time order over {@code spanMillis}, for customers prefixed {@code tag}. */
  UsageLoad(long seed, int count, long spanMillis, String tag) {
    this(seed, count, spanMillis, tag, 0);
  }

  /**
   * With {@code budgetPeriods} &gt; 0, every event also names that many budget periods as a gateway
   * would, from: its key's lifetime and hour, the tag's team's UTC day, its customer's 30 s period;
   * and the events come from three gateways.
   */
  UsageLoad(long seed, int count, long spanMillis, String tag, int budgetPeriods) {
    this(seed, count, spanMillis, tag, budgetPeriods, Instant.parse("2026-11-24T08:00:00Z"), false);
  }

  /** From {@code base} on; with {@code tags}, each event names 0–2 of three request tags prefixed {@code tag}. */
  UsageLoad(long seed, int count, long spanMillis, String tag, int budgetPeriods, Instant base, boolean tags) {
    random = new Random(seed);
    String[] models = {"claude-sonnet-4-5", "gpt-5", "claude-haiku-4-5"};
    String[] tools = {"claude-code", "codex", "curl"};
    for (int i = 0; i < count; i++) {
      String customer = tag + "-" + random.nextInt(4);
      long cost = 1 + random.nextInt(50_000_000);
      Instant ts = base.plusMillis(i * (spanMillis / count) + random.nextInt(5_000));
      String gateway = budgetPeriods > 0 ? "gw-" + random.nextInt(3) : "gw";
      List<BudgetPeriodRef> periods = new ArrayList<>();
      if (budgetPeriods > 0) {
        long t = ts.toEpochMilli();
        periods.add(period("key", "k-" + customer, "", 0));
        periods.add(period("key", "k-" + customer, "1h", t - t % 3_600_000));
        periods.add(period("team", tag + "-team", "1d", t - t % 86_400_000));
        periods.add(period("customer", customer, "30s", t - t % 30_000));
        periods = new ArrayList<>(periods.subList(0, Math.min(budgetPeriods, periods.size())));
        for (BudgetPeriodRef p : periods) {
          String key = BudgetPeriodEntries.key(p.getScope(), p.getScopeId(), p.getDuration(),
              p.getPeriodStart().toEpochMilli());
          costByPeriod.merge(key, cost, Long::sum);
          requestsByPeriod.merge(key, 1L, Long::sum);
          gatewaysByPeriod.computeIfAbsent(key, k -> new HashMap<>()).merge(gateway, cost, Long::sum);
        }
      }
      List<String> requestTags = new ArrayList<>();
      if (tags) {
        int first = random.nextInt(4); // 3 = untagged
        if (first < 3) {
          requestTags.add(tag + "-feature-" + first);
          if (random.nextBoolean()) {
            requestTags.add(tag + "-feature-" + ((first + 1) % 3));
          }
        }
        String day = ts.atZone(java.time.ZoneOffset.UTC).toLocalDate().toString();
        for (String t : requestTags) {
          String key = io.tollgate.aggregator.topology.SpendKeys.group("tag", t, day);
          costByTagDay.merge(key, cost, Long::sum);
          requestsByTagDay.merge(key, 1L, Long::sum);
        }
      }
      events.add(UsageEvent.newBuilder().setRequestTags(requestTags).setEventId(UUID.randomUUID().toString())
          .setTs(ts).setDurationMs(5).setTtftMs(null).setBudgetPeriods(periods)
          .setGatewayId(gateway).setKeyHash("k-" + customer).setKeyAlias(null).setCustomerId(customer)
          .setCustomerSource("header_customer_id").setTool(tools[random.nextInt(tools.length)]).setToolVersion(null)
          .setUserAgent(null).setSessionId(null).setProvider("anthropic").setApi("messages")
          .setModelRequested(models[random.nextInt(models.length)]).setModel(null).setStatusCode(200)
          .setErrorType(null).setInputTokens(random.nextInt(5000)).setOutputTokens(random.nextInt(900))
          .setCostNanos(cost).setPriceKnown(true).setUpstreamRequestId(null).build());
      costByCustomer.merge(customer, cost, Long::sum);
      totalCost += cost;
    }
  }

  private static BudgetPeriodRef period(String scope, String id, String duration, long start) {
    return BudgetPeriodRef.newBuilder().setScope(scope).setScopeId(id).setDuration(duration)
        .setPeriodStart(Instant.ofEpochMilli(start)).build();
  }

  /** Sends every event once more, in order, as a gateway replaying its whole spill does. */
  void replayAll(String bootstrap) {
    try (KafkaProducer<String, UsageEvent> producer = new KafkaProducer<>(Map.of("bootstrap.servers", bootstrap,
        "acks", "all", "linger.ms", 5), new StringSerializer(), TollgateSerdes.usageEvent())) {
      for (UsageEvent e : events) {
        producer.send(new ProducerRecord<>(Topics.USAGE.name(), e.getEventId(), e));
      }
      producer.flush();
    }
  }

  /** Produces events {@code from} (inclusive) to {@code to}, 1 % of them twice; returns how many were repeated. */
  int produce(String bootstrap, int from, int to) {
    int duplicates = 0;
    try (KafkaProducer<String, UsageEvent> producer = new KafkaProducer<>(Map.of("bootstrap.servers", bootstrap,
        "acks", "all", "linger.ms", 5), new StringSerializer(), TollgateSerdes.usageEvent())) {
      for (UsageEvent e : events.subList(from, to)) {
        producer.send(new ProducerRecord<>(Topics.USAGE.name(), e.getEventId(), e));
        if (random.nextInt(100) == 0) {
          producer.send(new ProducerRecord<>(Topics.USAGE.name(), e.getEventId(), e));
          duplicates++;
        }
      }
      producer.flush();
    }
    return duplicates;
  }
}
