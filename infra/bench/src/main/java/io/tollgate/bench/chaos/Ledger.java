package io.tollgate.bench.chaos;

import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The client's own account of a scenario, kept independently of the code under test: a call counts
 * as answered when it got a 2xx and a complete body, and is identified by the upstream request id
 * the mock provider put on it (the gateway passes {@code request-id} through); its expected cost
 * comes from the usage the client asked the mock to report and the list price the harness knows
 * on its own. {@link #account} then matches that against the rows ClickHouse holds.
 */
public final class Ledger {
  /** claude-sonnet-4-5 list price, nano-USD per token ($3 / $15 per million), as published by Anthropic. */
  public static final long INPUT_NANOS = 3_000;
  public static final long OUTPUT_NANOS = 15_000;

  /** One answered call: the upstream id, who paid, what it should cost, when the client had its last byte. */
  public record Answer(String upstreamId, String customer, long costNanos, long atNanos, long latencyMicros) {
    public Answer(String upstreamId, long costNanos, long atNanos, long latencyMicros) {
      this(upstreamId, null, costNanos, atNanos, latencyMicros);
    }
  }

  /** One {@code usage_events} row as read back. */
  public record Row(String upstreamId, long costNanos, int status) {
  }

  /** The comparison of answered calls with rows. */
  public record Account(long expected, long seen, long lost, long duplicated, long costExpectedNanos, long costSeenNanos,
                 long wrongCost, long notOk, List<String> lostSample) {
  }

  private final Map<String, Answer> answered = new ConcurrentHashMap<>();
  private final ConcurrentLinkedQueue<Answer> order = new ConcurrentLinkedQueue<>();
  private final Map<String, AtomicLong> failures = new ConcurrentHashMap<>();

  public static long cost(long input, long output) {
    return input * INPUT_NANOS + output * OUTPUT_NANOS;
  }

  public void answered(Answer a) {
    if (answered.putIfAbsent(a.upstreamId(), a) == null) {
      order.add(a);
    } else {
      failed("same upstream id twice"); // the mock never repeats one: something replayed an answer
    }
  }

  public void failed(String reason) {
    failures.computeIfAbsent(reason, k -> new AtomicLong()).incrementAndGet();
  }

  public int answeredCount() {
    return answered.size();
  }

  public long failedCount() {
    return failures.values().stream().mapToLong(AtomicLong::get).sum();
  }

  public Map<String, Long> failures() {
    Map<String, Long> out = new java.util.TreeMap<>();
    failures.forEach((k, v) -> out.put(k, v.get()));
    return out;
  }

  public Collection<Answer> answers() {
    return List.copyOf(answered.values());
  }

  /** Expected nano-USD of the calls answered so far for {@code customer}. */
  long costOf(String customer) {
    long sum = 0;
    for (Answer a : order) {
      if (customer.equals(a.customer())) {
        sum += a.costNanos();
      }
    }
    return sum;
  }

  /** Calls answered so far for {@code customer}. */
  long countOf(String customer) {
    return order.stream().filter(a -> customer.equals(a.customer())).count();
  }

  /** Calls answered at or before {@code nanos} (System.nanoTime). */
  List<Answer> answeredBefore(long nanos) {
    List<Answer> out = new ArrayList<>();
    for (Answer a : order) {
      if (a.atNanos() <= nanos) {
        out.add(a);
      }
    }
    return out;
  }

  /** Latency percentile (µs) of calls answered in [from, to) (System.nanoTime), -1 when none. */
  long percentileMicros(long from, long to, double p) {
    long[] l = order.stream().filter(a -> a.atNanos() >= from && a.atNanos() < to).mapToLong(Answer::latencyMicros)
        .sorted().toArray();
    return l.length == 0 ? -1 : l[(int) Math.min(l.length - 1, Math.ceil(p * l.length) - 1)];
  }

  /**
   * Matches {@code answered} calls with {@code rows} by upstream id: seen (at least one row), lost
   * (none), duplicated (rows beyond the first: a call billed twice), cost expected (the client's
   * price) against the cost of every row of those calls, rows whose cost differs from the
   * client's, and rows of answered calls not recorded as a 2xx.
   */
  public static Account account(Collection<Answer> answered, Collection<Row> rows) {
    Map<String, List<Row>> byId = new HashMap<>();
    for (Row r : rows) {
      byId.computeIfAbsent(r.upstreamId(), k -> new ArrayList<>()).add(r);
    }
    long seen = 0;
    long duplicated = 0;
    long costExpected = 0;
    long costSeen = 0;
    long wrongCost = 0;
    long notOk = 0;
    List<String> lostSample = new ArrayList<>();
    for (Answer a : answered) {
      costExpected += a.costNanos();
      List<Row> mine = byId.get(a.upstreamId());
      if (mine == null) {
        if (lostSample.size() < 5) {
          lostSample.add(a.upstreamId());
        }
        continue;
      }
      seen++;
      duplicated += mine.size() - 1;
      for (Row r : mine) {
        costSeen += r.costNanos();
        if (r.costNanos() != a.costNanos()) {
          wrongCost++;
        }
        if (r.status() / 100 != 2) {
          notOk++;
        }
      }
    }
    return new Account(answered.size(), seen, answered.size() - seen, duplicated, costExpected, costSeen, wrongCost,
        notOk, lostSample);
  }
}
