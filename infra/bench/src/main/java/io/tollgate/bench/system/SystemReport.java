package io.tollgate.bench.system;

import io.tollgate.bench.chaos.Ledger;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * The "Whole system on this machine" section of BENCHMARKS.md, from the phases of
 * {@link SystemBench}: the row (the highest passing step), the warm-up in 5-s buckets with the
 * time until steady, every step with its verdict, and where the CPU went. Written between
 * {@link #BEGIN} and {@link #END}, the rest of the file untouched; appended when the markers
 * are missing.
 */
final class SystemReport {
  static final String BEGIN = "<!-- bench-system:begin (written by ./tollgate bench system; edit the script, not the numbers) -->";
  static final String END = "<!-- bench-system:end -->";

  /** What the run was, for the section's header. */
  record Context(String date, String command, String machine, String load, boolean quick, int seconds, int warmupRate,
                 int warmupSeconds, Duration startup, long runSeconds, int pollMillis, int connections,
                 long freshnessLimitMs) {
  }

  /** One warm-up bucket: seconds [from, to) of the warm-up. */
  record Bucket(int from, int to, Measured.Figures figures) {
  }

  /** One phase and its verdict ({@code why} lists what failed; empty when it passed). */
  record Step(String label, int offered, Measured.Figures figures, Ledger.Account account, long spendCount,
              long spendCostNanos, double settleSeconds, Map<String, Long> failures, List<String> why) {
    boolean passed() {
      return why.isEmpty();
    }
  }

  private SystemReport() {
  }

  static Step step(Measured m, String label, long[] fresh) {
    Measured.Figures f = m.figures(m.start(), Long.MAX_VALUE, fresh, true);
    Ledger.Account a = m.account();
    return new Step(label, m.rate(), f, a, m.spendFinal()[0], m.spendFinal()[1], m.settleNanos() / 1e9,
        m.calls().ledger.failures(), verdict(f, a, m.spendFinal()[0], m.spendFinal()[1], SystemBench.FRESHNESS_LIMIT_MS));
  }

  /** What keeps a phase from counting: errors, loss, duplicates, wrong cost, totals off, freshness p99 over the limit. */
  static List<String> verdict(Measured.Figures f, Ledger.Account a, long spendCount, long spendCost, long limitMs) {
    List<String> why = new ArrayList<>();
    if (f.ok() == 0) {
      why.add("no call answered");
    }
    if (f.errors() > 0) {
      why.add(f.errors() + " errors");
    }
    if (a.lost() > 0) {
      why.add(a.lost() + " answered calls without a usage_events row");
    }
    if (a.duplicated() > 0) {
      why.add(a.duplicated() + " duplicated rows");
    }
    if (a.wrongCost() > 0 || a.notOk() > 0) {
      why.add((a.wrongCost() + a.notOk()) + " rows with a wrong cost or status");
    }
    if (spendCount != a.expected() || spendCost != a.costExpectedNanos()) {
      why.add("spend_1m holds " + spendCount + " calls / " + spendCost + " nano-USD, the ledger " + a.expected() + " / "
          + a.costExpectedNanos());
    }
    if (f.neverFresh() > 0) {
      why.add(f.neverFresh() + " calls never seen in spend_1m while polled");
    }
    if (f.freshP99Ms() > limitMs) {
      why.add("freshness p99 " + seconds(f.freshP99Ms()) + " s > " + seconds(limitMs) + " s");
    }
    return why;
  }

  static String oneLine(Step s) {
    Measured.Figures f = s.figures();
    return "%s: answered %,.0f/s, p50 %s ms, p99 %s ms, errors %d, freshness p99 %s s, lost %d, dup %d → %s".formatted(
        s.label(), f.answeredPerSecond(), millis(f.p50Us()), millis(f.p99Us()), f.errors(), seconds(f.freshP99Ms()),
        s.account().lost(), s.account().duplicated(), s.passed() ? "pass" : "FAIL (" + String.join("; ", s.why()) + ")");
  }

  /**
   * The start (seconds into the warm-up) of the first bucket from which on every bucket answered
   * without errors, held freshness p99 within the limit and client p99 within twice the last
   * bucket's (at least 5 ms); -1 when even the last bucket does not qualify.
   */
  static int steadyAfter(List<Bucket> buckets, long limitMs) {
    if (buckets.isEmpty()) {
      return -1;
    }
    long ref = Math.max(5_000, 2 * buckets.get(buckets.size() - 1).figures().p99Us());
    int steady = -1;
    for (int i = buckets.size() - 1; i >= 0; i--) {
      Measured.Figures f = buckets.get(i).figures();
      if (f.errors() > 0 || f.freshP99Ms() > limitMs || f.p99Us() > ref || f.neverFresh() > 0) {
        break;
      }
      steady = buckets.get(i).from();
    }
    return steady;
  }

  /** The highest offered rate among passing steps (the warm-up not counted), or -1. */
  static int row(List<Step> steps) {
    return steps.stream().filter(s -> !s.label().equals("warm-up")).filter(Step::passed).mapToInt(Step::offered).max()
        .orElse(-1);
  }

  static String render(Context c, List<Bucket> buckets, List<Step> steps, List<String> notes) {
    StringBuilder s = new StringBuilder(BEGIN).append('\n');
    s.append(c.quick() ? "## Whole system, ./tollgate run on this machine (quick smoke run, not a measurement)\n\n"
        : "## Whole system, ./tollgate run on this machine (./tollgate bench system)\n\n");
    s.append("Date: ").append(c.date()).append(". Command: `").append(c.command()).append("`.\n\n");
    s.append("Machine: ").append(c.machine()).append("; nothing pinned; load average (1 min): ").append(c.load())
        .append(". Harness run time ").append(c.runSeconds()).append(" s.\n\n");
    int row = row(steps);
    int steady = steadyAfter(buckets, c.freshnessLimitMs());
    s.append(row < 0 ? "**No step held freshness p99 ≤ %s s with zero errors and zero loss.**".formatted(seconds(c.freshnessLimitMs()))
        : "**Whole system: %,d req/s** — the highest step at which freshness (call → `spend_1m`) held p99 ≤ %s s with zero errors, zero loss and no duplicate."
            .formatted(row, seconds(c.freshnessLimitMs())));
    s.append(" Ready %.0f s after `./tollgate run` started; ".formatted(c.startup().toMillis() / 1e3));
    s.append(steady < 0 ? "not steady within the %d s warm-up at %,d req/s.\n\n".formatted(c.warmupSeconds(), c.warmupRate())
        : "steady after %d s of traffic at %,d req/s (warm-up table).\n\n".formatted(steady, c.warmupRate()));
    s.append("""
        **Upper bounds**: the machine may be shared with other builds; the load average above says \
        how busy it was. The load generator, the pollers and `./tollgate run` share its cores.

        What: `./tollgate run` as shipped (the script, `io.tollgate.launcher.Main` in its own JVM \
        with its default flags: embedded Kafka, a local ClickHouse server, the mock provider, \
        aggregator, alerting; a fresh `TOLLGATE_HOME`, free ports, the master key it creates). \
        Anthropic Messages, JSON, ~1 KB prompt, master key, one customer per step (`x-litellm-customer-id`), \
        each call asking the mock for its own usage (`x-mock-usage`, as the demo does), so the client \
        knows every call's price. Open loop: call *n* of a step is due at start + *n* / rate and its \
        latency runs from then (%1$d connections; calls not answered 30 s after the step are errors). \
        The client keeps a ledger: a call is answered on a 2xx with the upstream `request-id` and a \
        whole message. **Freshness**: `spend_1m` FINAL is polled every %2$d ms for the step's customer \
        (the sum over its 1-minute windows, so a minute boundary inside a step does not matter; \
        `spend_1m` itself, not `usage_events`: it is what budgets, alerts and the reports read); the \
        answered calls are ranked by completion, and call *i* counts as in the totals at the first \
        poll whose count reached *i*; its freshness is that poll's answer time minus the call's due \
        time (so queueing at the client counts). **Loss**: once the totals caught up (or 30 s after \
        the step), every `usage_events` row of the customer is read back and matched to the ledger by \
        upstream request id (lost, duplicated, wrong cost), and the `spend_1m` count and cost must equal \
        the ledger's. Steps rise until one fails.

        """.formatted(c.connections(), c.pollMillis()));
    if (!buckets.isEmpty()) {
      s.append("Warm-up: the first %d s of traffic at %,d req/s (the load generator warmed on its own before); "
          .formatted(c.warmupSeconds(), c.warmupRate()))
          .append("calls by due time, answered/s by completion time, CPU in cores of the launcher JVM (JIT = C1 + C2 compiler threads):\n\n");
      s.append("| seconds | answered/s | p50 ms | p99 ms | errors | freshness p50 s | freshness p99 s | launcher cores | of which JIT | machine busy |\n");
      s.append("|---|---|---|---|---|---|---|---|---|---|\n");
      for (Bucket b : buckets) {
        Measured.Figures f = b.figures();
        s.append("| %d–%d | %,.0f | %s | %s | %d | %s | %s | %.2f | %.2f | %.0f %% |\n".formatted(b.from(), b.to(),
            f.answeredPerSecond(), millis(f.p50Us()), millis(f.p99Us()), f.errors(), seconds(f.freshP50Ms()),
            seconds(f.freshP99Ms()), f.cpu().launcher(), f.cpu().jit(), f.cpu().machineBusyPct()));
      }
      s.append('\n');
    }
    s.append("Steps (%d s each after the warm-up; the warm-up as a whole on the first line):\n\n".formatted(c.seconds()));
    s.append("| step | answered/s | p50 ms | p99 ms | max ms | errors | freshness p50 s | p99 s | max s | lost | dup | spend_1m = ledger | verdict |\n");
    s.append("|---|---|---|---|---|---|---|---|---|---|---|---|---|\n");
    for (Step st : steps) {
      Measured.Figures f = st.figures();
      Ledger.Account a = st.account();
      boolean totals = st.spendCount() == a.expected() && st.spendCostNanos() == a.costExpectedNanos();
      s.append("| %s | %,.0f | %s | %s | %s | %d | %s | %s | %s | %d | %d | %s | %s |\n".formatted(st.label(),
          f.answeredPerSecond(), millis(f.p50Us()), millis(f.p99Us()), millis(f.maxUs()), f.errors(),
          seconds(f.freshP50Ms()), seconds(f.freshP99Ms()), seconds(f.freshMaxMs()), a.lost(), a.duplicated(),
          totals ? "yes (%,d calls)".formatted(st.spendCount()) : "**no**: %,d of %,d".formatted(st.spendCount(), a.expected()),
          st.passed() ? "pass" : "**fail**: " + String.join("; ", st.why())));
    }
    s.append("\nWhere the CPU went during each step's sending (cores; the machine has ")
        .append(Runtime.getRuntime().availableProcessors())
        .append("): the launcher JVM (gateway, mock provider, Kafka broker, Streams apps and sink in one process), ")
        .append("the ClickHouse server, this JVM (generator and pollers), and the launcher's busiest thread groups ")
        .append("(names as the kernel keeps them, 15 characters, numbers folded):\n\n");
    s.append("| step | launcher | of which JIT | of which GC | ClickHouse | generator | machine busy | busiest launcher threads |\n");
    s.append("|---|---|---|---|---|---|---|---|\n");
    for (Step st : steps) {
      Measured.Cpu cpu = st.figures().cpu();
      s.append("| %s | %.2f | %.2f | %.2f | %.2f | %.2f | %.0f %% | %s |\n".formatted(st.label(), cpu.launcher(), cpu.jit(),
          cpu.gc(), cpu.clickhouse(), cpu.generator(), cpu.machineBusyPct(), cpu.topThreads().stream()
              .map(e -> "`%s` %.2f".formatted(e.getKey().replace("|", "/"), e.getValue())).collect(Collectors.joining(", "))));
    }
    List<String> failures = new ArrayList<>();
    for (Step st : steps) {
      if (!st.failures().isEmpty()) {
        failures.add(st.label() + ": " + st.failures());
      }
    }
    if (!failures.isEmpty()) {
      s.append("\nErrors by kind: ").append(String.join("; ", failures)).append(".\n");
    }
    for (String n : notes) {
      s.append('\n').append(n.strip()).append('\n');
    }
    return s.append(END).append('\n').toString();
  }

  /** {@code old} with its system section replaced by {@code section}, or with it appended. */
  static String replaceSection(String old, String section) {
    return io.tollgate.bench.BenchSections.replace(old, BEGIN, END, section);
  }

  static String millis(long micros) {
    return micros >= 100_000 ? "%,.0f".formatted(micros / 1000.0) : "%.1f".formatted(micros / 1000.0);
  }

  static String seconds(long ms) {
    return ms == Long.MAX_VALUE ? "never" : ms < 0 ? "-" : "%.2f".formatted(ms / 1000.0);
  }
}
