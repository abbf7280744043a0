package io.tollgate.alerting.notify;

import io.tollgate.schemas.Alert;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Predicate;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.TopicPartition;

/**
 * The {@link Notifier}'s deliveries, on its poll thread: which ones a polled alert needs, when
 * each is due (first attempt, retries with backoff), and what an attempt's end makes of it
 * (finished, retried, or given up). Offsets stay with the notifier, through the shared
 * {@link DeliveryPlan}.
 */
final class Deliveries {
  private final Map<String, Channel> channels;
  private final ChannelWorkers workers;
  private final DeliveryPlan plan;
  private final DeliveryOutcomes outcomes;
  private final RetryPolicy retry;
  private final Clock clock;
  /** Whether the notifier still owns a partition (else its new owner retries the deliveries). */
  private final Predicate<TopicPartition> owned;
  private final FinishedDeliveries finished = new FinishedDeliveries(Notifier.KEEP, Notifier.MAX_DELIVERED);
  private final List<ChannelWorkers.Delivery> waiting = new ArrayList<>();
  private final Set<String> active = new HashSet<>(); // keys waiting or in flight

  Deliveries(Map<String, Channel> channels, ChannelWorkers workers, DeliveryPlan plan, DeliveryOutcomes outcomes,
             RetryPolicy retry, Clock clock, Predicate<TopicPartition> owned) {
    this.channels = channels;
    this.workers = workers;
    this.plan = plan;
    this.outcomes = outcomes;
    this.retry = retry;
    this.clock = clock;
    this.owned = owned;
  }

  /** A polled alert: the deliveries it needs wait for their turn (or none, when it is too old). */
  void enqueue(ConsumerRecord<String, Alert> r) {
    TopicPartition source = new TopicPartition(r.topic(), r.partition());
    Alert alert = r.value();
    Instant now = clock.instant();
    Instant ref = alert == null ? Instant.EPOCH : DeliveredSet.reference(alert, r.timestamp());
    if (alert == null || finished.expired(ref, now)) {
      if (alert != null) {
        outcomes.expired(alert, Notifier.KEEP);
      }
      plan.add(source, r.offset(), List.of());
      return;
    }
    List<String> needed = new ArrayList<>();
    for (String name : alert.getChannels()) {
      String key = key(alert, name);
      if (!channels.containsKey(name)) {
        outcomes.unknownChannel(alert, name);
      } else if (!finished.finished(key)) {
        needed.add(key);
      }
    }
    if (!needed.isEmpty() && needed.stream().noneMatch(active::contains)) {
      outcomes.raised(alert);
    }
    for (String key : needed) {
      if (active.add(key)) {
        String name = key.substring(alert.getAlertId().length() + 1);
        waiting.add(new ChannelWorkers.Delivery(alert, source, name, key, ref, 0, now, now, finished.interrupted(key)));
      }
    }
    plan.add(source, r.offset(), needed);
  }

  /** Hands the deliveries whose time has come to their channels' workers. */
  void submitDue() {
    Instant now = clock.instant();
    for (var it = waiting.iterator(); it.hasNext(); ) {
      ChannelWorkers.Delivery d = it.next();
      if (!d.next().isAfter(now)) {
        it.remove();
        workers.submit(channels.get(d.channel()), d);
      }
    }
  }

  /** An attempt ended: the delivery is finished, or waits for its retry. */
  void finish(ChannelWorkers.Attempt a) {
    ChannelWorkers.Delivery d = a.delivery();
    Channel.Result result = a.result();
    int attempts = d.attempts() + 1;
    Instant now = clock.instant();
    if (result.delivered() || result.permanent()) {
      outcomes.finished(d, result, attempts);
      finished.finish(d.key(), d.reference());
      active.remove(d.key());
      plan.done(d.key());
    } else if (retry.giveUp(d.firstAttempt(), now)) {
      finish(new ChannelWorkers.Attempt(d, Channel.Result.permanent("gave up after " + attempts + " attempts in "
          + retry.giveUpAfter().toHours() + " h; last: " + result.error()), a.recorded()));
    } else {
      Duration wait = retry.backoff(attempts, result.retryAfter());
      outcomes.failed(d, result, attempts, wait);
      if (owned.test(d.source())) { // else its partition's new owner retries it
        waiting.add(d.retried(now.plus(wait)));
      } else {
        active.remove(d.key());
      }
    }
  }

  /** Partitions left: their waiting deliveries are forgotten (the new owner makes them). */
  void drop(Collection<TopicPartition> partitions) {
    waiting.removeIf(d -> {
      boolean gone = partitions.contains(d.source());
      if (gone) {
        active.remove(d.key());
      }
      return gone;
    });
  }

  /** Reads what the delivery log says was finished or interrupted. */
  void load(DeliveryLog log) {
    finished.load(log);
  }

  void prune(Instant now, DeliveryLog log) {
    finished.prune(now, log);
  }

  /** Deliveries not finished yet. */
  int pending() {
    return active.size();
  }

  private static String key(Alert alert, String channel) {
    return alert.getAlertId() + "|" + channel;
  }

}
