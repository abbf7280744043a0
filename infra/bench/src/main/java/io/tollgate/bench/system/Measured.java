package io.tollgate.bench.system;

import io.tollgate.bench.chaos.Ledger;
import io.tollgate.bench.peers.LogHistogram;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;

/**
 * What one fixed-rate phase left behind — every call, the polls of {@code spend_1m}, CPU
 * readings, the read-back account — and the figures drawn from it for the whole phase or for a
 * slice of it (the warm-up's buckets).
 *
 * @param start       when call 0 was due (System.nanoTime)
 * @param phaseEnd    when the last call had finished (or was written off)
 * @param spendFinal  count and cost of the customer in {@code spend_1m} FINAL once settled
 * @param settleNanos from {@code phaseEnd} until the read-back matched (or gave up)
 */
record Measured(String customer, int rate, int seconds, long start, long phaseEnd, StepCalls calls,
                List<Freshness.Poll> polls, List<CpuSample> samples, Ledger.Account account, long[] spendFinal,
                long settleNanos) {

  /** Cores used by one part over a window, and the launcher's busiest thread groups. */
  record Cpu(double launcher, double clickhouse, double generator, double machineBusyPct, double machineCores,
             double jit, double gc, List<Map.Entry<String, Double>> topThreads) {
    static final Cpu NONE = new Cpu(0, 0, 0, 0, 0, 0, 0, List.of());
  }

  /** Figures over the calls due in a window. */
  record Figures(long sent, long ok, long errors, double answeredPerSecond, long p50Us, long p99Us, long maxUs,
                 long freshP50Ms, long freshP99Ms, long freshMaxMs, long neverFresh, Cpu cpu) {
  }

  /** Freshness (ns) per call index; {@link Freshness#NEVER} for calls not answered or never seen. */
  long[] freshnessByCall() {
    int total = calls.due.length;
    List<Integer> okCalls = new ArrayList<>();
    for (int i = 0; i < total; i++) {
      if (calls.ok[i]) {
        okCalls.add(i);
      }
    }
    okCalls.sort(Comparator.comparingLong(i -> calls.done[i]));
    long[] completed = okCalls.stream().mapToLong(i -> calls.done[i]).toArray();
    long[] dueTimes = okCalls.stream().mapToLong(i -> calls.due[i]).toArray();
    long[] fresh = Freshness.of(completed, dueTimes, polls);
    long[] out = new long[total];
    java.util.Arrays.fill(out, Freshness.NEVER);
    for (int k = 0; k < okCalls.size(); k++) {
      out[okCalls.get(k)] = fresh[k];
    }
    return out;
  }

  /** Over the calls due in [fromNanos, toNanos); answered/s counts completions in that window. */
  Figures figures(long fromNanos, long toNanos, long[] fresh, boolean wholePhase) {
    LogHistogram latency = new LogHistogram();
    List<Long> freshOk = new ArrayList<>();
    long sent = 0;
    long ok = 0;
    long neverFresh = 0;
    long completedInWindow = 0;
    long lastDone = fromNanos;
    for (int i = 0; i < calls.due.length; i++) {
      long done = calls.done[i];
      if (calls.ok[i] && done >= fromNanos && done < toNanos) {
        completedInWindow++;
      }
      if (calls.due[i] < fromNanos || calls.due[i] >= toNanos) {
        continue;
      }
      sent++;
      latency.record((done - calls.due[i]) / 1_000);
      if (calls.ok[i]) {
        ok++;
        lastDone = Math.max(lastDone, done);
        if (fresh[i] == Freshness.NEVER) {
          neverFresh++;
        }
        freshOk.add(fresh[i]);
      }
    }
    long[] f = freshOk.stream().mapToLong(Long::longValue).toArray();
    double answered = wholePhase ? ok / Math.max(1e-9, (lastDone - start) / 1e9)
        : completedInWindow / Math.max(1e-9, (toNanos - fromNanos) / 1e9);
    return new Figures(sent, ok, sent - ok, answered, latency.percentile(50), latency.percentile(99), latency.max(),
        ms(Freshness.percentile(f, 50)), ms(Freshness.percentile(f, 99)), ms(Freshness.percentile(f, 100)), neverFresh,
        cpu(fromNanos, wholePhase ? phaseEnd : toNanos));
  }

  private static long ms(long nanos) {
    return nanos == Freshness.NEVER ? Long.MAX_VALUE : nanos < 0 ? -1 : nanos / 1_000_000;
  }

  /** CPU between the last reading at or before {@code from} and the first at or after {@code to}. */
  Cpu cpu(long from, long to) {
    if (samples.size() < 2) {
      return Cpu.NONE;
    }
    CpuSample a = samples.get(0);
    CpuSample b = samples.get(samples.size() - 1);
    for (CpuSample s : samples) {
      if (s.atNanos() <= from) {
        a = s;
      }
    }
    for (int i = samples.size() - 1; i >= 0; i--) {
      if (samples.get(i).atNanos() >= to) {
        b = samples.get(i);
      }
    }
    if (b.atNanos() <= a.atNanos()) {
      return Cpu.NONE;
    }
    double wallUs = (b.atNanos() - a.atNanos()) / 1_000.0;
    CpuSample first = a;
    List<Map.Entry<String, Double>> groups = b.threads().entrySet().stream()
        .map(e -> Map.entry(e.getKey(), (e.getValue() - first.threads().getOrDefault(e.getKey(), 0L)) / wallUs))
        .filter(e -> e.getValue() > 0).sorted(Map.Entry.<String, Double>comparingByValue().reversed()).toList();
    double jit = groups.stream().filter(e -> CpuSample.isJit(e.getKey()))
        .mapToDouble(Map.Entry::getValue).sum();
    double gc = groups.stream().filter(e -> e.getKey().startsWith("GC ") || e.getKey().startsWith("G1 "))
        .mapToDouble(Map.Entry::getValue).sum();
    long all = b.machineAllUs() - a.machineAllUs();
    return new Cpu((b.launcherUs() - a.launcherUs()) / wallUs, (b.clickhouseUs() - a.clickhouseUs()) / wallUs,
        (b.selfUs() - a.selfUs()) / wallUs, all <= 0 ? 0 : 100.0 * (b.machineBusyUs() - a.machineBusyUs()) / all,
        (b.machineBusyUs() - a.machineBusyUs()) / wallUs, jit, gc, groups.stream().limit(6).toList());
  }
}
