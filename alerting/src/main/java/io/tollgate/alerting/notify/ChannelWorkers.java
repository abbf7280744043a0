package io.tollgate.alerting.notify;

import io.tollgate.schemas.Alert;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.apache.kafka.common.TopicPartition;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One thread per channel running its delivery attempts, so a channel that hangs (Slack up to 15 s,
 * SMTP up to 20 s a call) only delays its own deliveries. A finished delivery (delivered or
 * permanently refused) is recorded in the {@link DeliveryLog} on that thread, before the poll
 * thread learns of it and may commit the alert's offset.
 */
final class ChannelWorkers implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(ChannelWorkers.class);

  /**
   * One delivery of an alert to a channel; {@code reference} is the time its record is kept by
   * ({@link DeliveredSet#reference}), {@code next} when its next attempt is due;
   * {@code possibleRepeat} when an earlier notifier died while sending it.
   */
  record Delivery(Alert alert, TopicPartition source, String channel, String key, Instant reference, int attempts,
                  Instant firstAttempt, Instant next, boolean possibleRepeat) {
    Delivery retried(Instant at) {
      return new Delivery(alert, source, channel, key, reference, attempts + 1, firstAttempt, at, possibleRepeat);
    }
  }

  /** An attempt that ended; {@code recorded} is false if a finished delivery could not be written down. */
  record Attempt(Delivery delivery, Channel.Result result, boolean recorded) {
  }

  private final Map<String, ExecutorService> executors = new ConcurrentHashMap<>();
  private final DeliveryLog deliveryLog;
  private final Clock clock;
  private final ConcurrentLinkedQueue<Attempt> done = new ConcurrentLinkedQueue<>();
  private final Set<Delivery> inFlight = ConcurrentHashMap.newKeySet();

  ChannelWorkers(Collection<String> channels, DeliveryLog deliveryLog, Clock clock) {
    this.deliveryLog = deliveryLog;
    this.clock = clock;
    for (String name : channels) {
      executors.put(name, Executors.newSingleThreadExecutor(r -> {
        Thread t = new Thread(r, "alert-channel-" + name);
        t.setDaemon(true);
        return t;
      }));
    }
  }

  void submit(Channel channel, Delivery d) {
    inFlight.add(d);
    executors.get(channel.name()).execute(() -> {
      try {
        done.add(attempt(channel, d));
      } finally {
        inFlight.remove(d);
        synchronized (this) {
          notifyAll();
        }
      }
    });
  }

  private Attempt attempt(Channel channel, Delivery d) {
    // The intent first: a notifier killed during the call leaves it behind, so its successor knows
    // the channel may have the message and says so (Channel#deliver(alert, possibleRepeat)).
    try {
      deliveryLog.sending(d.key(), clock.instant(), d.reference());
    } catch (RuntimeException e) {
      return new Attempt(d, Channel.Result.retry(null, "not sent: the delivery log did not take its intent ("
          + e.getClass().getSimpleName() + ")"), true);
    }
    Channel.Result result;
    try {
      result = channel.deliver(d.alert(), d.possibleRepeat());
    } catch (RuntimeException e) { // never the message: it may quote a secret
      result = Channel.Result.retry(null, channel.name() + " failed (" + e.getClass().getSimpleName() + ")");
    }
    if (!result.delivered() && !result.permanent()) {
      // The channel answered "no": a restart retries it as a first attempt. Not for a possible
      // repeat, though: a crashed earlier attempt may have reached the channel, and forgetting its
      // intent would let a later restart resend it unmarked.
      if (!d.possibleRepeat()) {
        try {
          deliveryLog.forget(d.key());
        } catch (RuntimeException e) {
          // then a restart marks its retry as a possible repeat, which is only too careful
        }
      }
      return new Attempt(d, result, true);
    }
    try {
      deliveryLog.record(d.key(), result.delivered() ? AlertLog.DELIVERED : AlertLog.DEAD_LETTER, clock.instant(),
          d.reference());
      return new Attempt(d, result, true);
    } catch (RuntimeException e) {
      // Finished but not recorded: a restart may send it again; say so loudly.
      LOG.error("alert {} to {} finished ({}) but could not be recorded: {}", d.alert().getAlertId(), d.channel(),
          result.delivered() ? "delivered" : "dead-lettered", e.toString());
      return new Attempt(d, result, false);
    }
  }

  /** The attempts that ended since the last call. */
  List<Attempt> finished() {
    List<Attempt> out = new ArrayList<>();
    for (Attempt a; (a = done.poll()) != null; ) {
      out.add(a);
    }
    return out;
  }

  /** Waits (at most {@code timeout}) until no attempt for {@code partitions} is in flight; returns what ended. */
  List<Attempt> awaitInFlight(Collection<TopicPartition> partitions, Duration timeout) {
    long deadline = System.nanoTime() + timeout.toNanos();
    synchronized (this) {
      while (inFlight.stream().anyMatch(d -> partitions.contains(d.source())) && System.nanoTime() < deadline) {
        try {
          wait(Math.max(1, TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime())));
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          break;
        }
      }
    }
    Set<String> late = inFlight.stream().filter(d -> partitions.contains(d.source())).map(Delivery::key)
        .collect(Collectors.toSet());
    if (!late.isEmpty()) {
      LOG.warn("handing over partitions with deliveries still in flight: {}", late);
    }
    return finished();
  }

  @Override
  public void close() {
    executors.values().forEach(ExecutorService::shutdownNow);
  }
}
