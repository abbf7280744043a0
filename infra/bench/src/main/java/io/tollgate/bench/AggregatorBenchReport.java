package io.tollgate.bench;

import io.tollgate.bench.AggregatorBench.Backlog;
import io.tollgate.bench.AggregatorBench.Freshness;
import io.tollgate.bench.AggregatorBench.Scale;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;

/** The BENCHMARKS.md block of one {@link AggregatorBench} run: backlog, freshness and scale tables, goals met or missed by how much. */
final class AggregatorBenchReport {
  static final double GOAL_EVENTS_PER_SECOND = 60_000;
  static final double GOAL_P99_MILLIS = 2_000;

  private AggregatorBenchReport() {
  }

  private static double sum(Map<String, Double> perEvent, String suffix) {
    return perEvent.entrySet().stream().filter(e -> e.getKey().endsWith(suffix)).mapToDouble(Map.Entry::getValue)
        .sum();
  }

  static String goalThroughput(double eventsPerSecond, boolean finished) {
    if (!finished) {
      return "missed: not exact within --max-minutes";
    }
    return eventsPerSecond >= GOAL_EVENTS_PER_SECOND ? "met"
        : String.format("missed by %,.0f events/s (%.2f× of the goal)", GOAL_EVENTS_PER_SECOND - eventsPerSecond,
            eventsPerSecond / GOAL_EVENTS_PER_SECOND);
  }

  /**
   * The backlog's CPU per event by thread group (this JVM's Java threads by name, the rest of the
   * JVM as GC/JIT/VM, and the ClickHouse server's process), one row per topology.
   */
  static String cpuByThread(List<Backlog> backlogs) {
    if (backlogs.stream().allMatch(b -> b.cpuByThread().isEmpty())) {
      return "";
    }
    List<String> groups = new java.util.ArrayList<>(JvmThreadCpu.GROUPS);
    groups.add(AggregatorBench.CLICKHOUSE);
    StringBuilder out = new StringBuilder("\n| topology: CPU µs per backlog event, by thread | ")
        .append(String.join(" | ", groups)).append(" | total |\n|---|").append("---|".repeat(groups.size() + 1))
        .append('\n');
    for (Backlog b : backlogs) {
      out.append("| ").append(b.variant()).append(" |");
      double total = 0;
      for (String g : groups) {
        Double v = b.cpuByThread().get(g);
        if (v == null) {
          out.append(" n/a |"); // not measured (a ClickHouse server the run connected to)
          continue;
        }
        total += v;
        out.append(String.format(" %.1f |", v));
      }
      out.append(String.format(" %.1f |%n", total));
    }
    return out.toString();
  }

  static String block(AggregatorBenchOptions o, List<Backlog> backlogs, List<Scale> scales, String load, Instant startedAt,
                      Duration took) {
    StringBuilder out = new StringBuilder();
    String machine = "dev-" + Runtime.getRuntime().availableProcessors() + "c, load " + load + " at start";
    out.append(String.format("%n#### Run of %s (%s; %d min %d s)%n%nCommand: `%s`. Goals: ≥ %,.0f events/s end to end on "
            + "the backlog, freshness p99 ≤ %.0f s. The load is the 1-minute load average when the run started: above "
            + "~2 on this machine other work shared its cores and the numbers are upper bounds of the time.%n%n",
        startedAt.truncatedTo(java.time.temporal.ChronoUnit.MINUTES), machine, took.toMinutes(), took.toSecondsPart(),
        o.command(), GOAL_EVENTS_PER_SECOND, GOAL_P99_MILLIS / 1000));
    out.append("| topology | backlog | throughput (events/s, ratio) | goal ≥ 60k/s | CPU µs/event (JVM; stream threads) "
        + "| repartition rec/event | changelog rec/event | output rec/event | per topic "
        + "| stream threads (JFR): what limits it |\n"
        + "|---|---|---|---|---|---|---|---|---|---|\n");
    double baseline = backlogs.isEmpty() ? 0 : backlogs.get(0).eventsPerSecond();
    for (Backlog b : backlogs) {
      StringBuilder topics = new StringBuilder();
      b.perEvent().forEach((t, v) -> topics.append(topics.length() == 0 ? "" : ", ").append(t.replace("-repartition",
          "-rep").replace("-changelog", "-chl").replace("tollgate.", "")).append(String.format(" %.3f", v)));
      double output = b.perEvent().entrySet().stream().filter(e -> e.getKey().startsWith("tollgate."))
          .mapToDouble(Map.Entry::getValue).sum();
      out.append(String.format("| %s | %,d events, 1 h of event time | %,.0f (%.2f×) | %s | %.1f; %.1f | %.3f | %.3f "
              + "| %.3f | %s | %s |%n",
          b.variant(), b.events(), b.eventsPerSecond(), baseline == 0 ? 1 : b.eventsPerSecond() / baseline,
          goalThroughput(b.eventsPerSecond(), b.finished()), b.cpuMicros(), b.streamCpuMicros(),
          sum(b.perEvent(), "-repartition"),
          sum(b.perEvent(), "-changelog"), output, topics, b.profile()));
    }
    out.append(cpuByThread(backlogs));
    out.append("\n| topology | steady rate (achieved) | freshness p50 | p99 | max | markers (never seen) "
        + "| goal p99 ≤ 2 s |\n|---|---|---|---|---|---|---|\n");
    for (Backlog b : backlogs) {
      if (b.freshness().isEmpty()) {
        out.append(String.format("| %s | not measured (backlog unfinished or out of time) | | | | | missed: not measured |%n",
            b.variant()));
      }
      for (Freshness f : b.freshness()) {
        String goal = f.unseen() > 0 ? String.format("missed: %d markers not visible within 30 s", f.unseen())
            : f.p99() <= GOAL_P99_MILLIS ? "met"
            : String.format("missed by %,.0f ms%s", f.p99() - GOAL_P99_MILLIS,
                f.achieved() < f.rate() * 0.95 ? " (the producer fell short of the rate)" : "");
        out.append(String.format("| %s | %,d/s (%,.0f/s) for %d s | %.0f ms | %.0f ms | %.0f ms | %d (%d) | %s |%n",
            b.variant(), f.rate(), f.achieved(), o.seconds(), f.p50(), f.p99(), f.max(), f.markers(), f.unseen(), goal));
      }
    }
    if (!scales.isEmpty()) {
      out.append(String.format("%n| scale (pre-aggregated, separate JVMs of `io.tollgate.aggregator.Main`, -Xmx1g each, "
          + "one application id; time from launch) | partitions | backlog | throughput (events/s) | vs 1 instance "
          + "| goal ≥ 60k/s |%n|---|---|---|---|---|---|%n"));
      double one = scales.get(0).events() / scales.get(0).seconds();
      for (Scale s : scales) {
        double eps = s.events() / s.seconds();
        out.append(String.format("| %d instance%s | %d | %,d events | %,.0f | %.2f× | %s |%n", s.instances(),
            s.instances() == 1 ? "" : "s", s.partitions(), s.events(), eps, eps / one, goalThroughput(eps, s.finished())));
      }
    }
    out.append('\n');
    return out.toString();
  }
}
