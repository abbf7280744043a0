package io.tollgate.bench.keys;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.ToDoubleFunction;

/**
 * The "Budgets and rate limits with many keys" section of BENCHMARKS.md, from the runs of
 * {@link KeysBench}: every round, then per mode the median over rounds and the ratio against the
 * unlimited keys of the same run (the cost of enforcement). Written between {@link #BEGIN} and
 * {@link #END}, the rest of the file untouched; appended when the markers are missing.
 */
final class KeysReport {
  static final String BEGIN = "<!-- bench-keys:begin (written by ./tollgate bench keys; edit the script, not the numbers) -->";
  static final String END = "<!-- bench-keys:end -->";
  /** The baseline mode: keys without any budget or limit. */
  static final String OFF = "off";

  /** What the run was, for the section's header. */
  record Context(String date, String command, String machine, String pinning, String load, int keys, int teams,
                 int connections, int seconds, int rounds, String notes) {
  }

  private KeysReport() {
  }

  static String render(Context c, List<RotatingWrk.Run> runs, Map<String, String> modeLabels) {
    StringBuilder s = new StringBuilder(BEGIN).append('\n');
    s.append("## Budgets and rate limits with %,d keys (./tollgate bench keys)\n\n".formatted(c.keys()));
    s.append("Date: ").append(c.date()).append(". Command: `").append(c.command()).append("`.\n\n");
    s.append("Machine: ").append(c.machine()).append(". ").append(c.pinning()).append("; load average (1 min): ")
        .append(c.load()).append(".\n\n");
    s.append("""
        **Upper bounds**: the machine is shared with other builds and tests; a loaded core lowers \
        req/s and raises CPU per request for every mode alike. Compare the modes within this run \
        (rounds alternate the modes, so load drift hits each of them), not with other runs.

        What: one standalone gateway (`io.tollgate.ingress.Main`, master key, management state on \
        the embedded Kafka broker) in front of the mock provider, Anthropic Messages, JSON, \
        `max_tokens` 20; every call metered into Kafka. %1$,d keys were made through \
        `POST /key/generate` with `max_budget` (1,000 USD), `budget_duration: 1d`, `rpm_limit`, \
        `tpm_limit` and `max_parallel_requests` set high enough never to trip, each in one of \
        %2$,d teams made through `/team/new` with a budget and limits of their own (two budget \
        scopes and two rate-limit scopes per call); %1$,d more keys were made with no budget, \
        no limit and no team: the baseline "off". wrk (1 thread × %3$d connections, closed loop, \
        %4$d s per round, %5$d round(s) per mode after warm-up) takes the next key of its mode for \
        every request, so the calls spread evenly over all keys; the modes alternate round by \
        round. CPU µs/req = the gateway \
        process's user+system time over the round ÷ answered calls.

        """.formatted(c.keys(), c.teams(), c.connections(), c.seconds(), c.rounds()));
    s.append("| mode | round | req/s | p50 ms | p90 ms | p99 ms | p99.9 ms | errors | CPU µs/req |\n");
    s.append("|---|---|---|---|---|---|---|---|---|\n");
    for (RotatingWrk.Run r : runs) {
      s.append("| %s | %d | %,.0f | %.2f | %.2f | %.2f | %.2f | %d | %.1f |\n".formatted(modeLabels.get(r.mode()),
          r.round(), r.rps(), r.p50Us() / 1000.0, r.p90Us() / 1000.0, r.p99Us() / 1000.0, r.p999Us() / 1000.0,
          r.errors(), r.cpuUsPerReq()));
    }
    Map<String, List<RotatingWrk.Run>> byMode = new LinkedHashMap<>();
    runs.forEach(r -> byMode.computeIfAbsent(r.mode(), m -> new ArrayList<>()).add(r));
    List<RotatingWrk.Run> off = byMode.getOrDefault(OFF, List.of());
    double offRps = median(off, RotatingWrk.Run::rps);
    double offCpu = median(off, RotatingWrk.Run::cpuUsPerReq);
    s.append("\nMedian over the rounds; ratios against \"off\" in this run:\n\n");
    s.append("| mode | req/s | p50 ms | p99 ms | CPU µs/req | req/s ÷ off | CPU/req ÷ off |\n");
    s.append("|---|---|---|---|---|---|---|\n");
    byMode.forEach((mode, rs) -> {
      double rps = median(rs, RotatingWrk.Run::rps);
      double cpu = median(rs, RotatingWrk.Run::cpuUsPerReq);
      s.append("| %s | %,.0f | %.2f | %.2f | %.1f | %s | %s |\n".formatted(modeLabels.get(mode), rps,
          median(rs, r -> r.p50Us()) / 1000.0, median(rs, r -> r.p99Us()) / 1000.0, cpu,
          ratio(rps, offRps), ratio(cpu, offCpu)));
    });
    if (!c.notes().isBlank()) {
      s.append('\n').append(c.notes().strip()).append('\n');
    }
    return s.append(END).append('\n').toString();
  }

  /** {@code old} with its keys section replaced by {@code section}, or with it appended. */
  static String replaceSection(String old, String section) {
    return io.tollgate.bench.BenchSections.replace(old, BEGIN, END, section);
  }

  /** Problems that make the run not a measurement: a mode without rounds, no answered call, errors. */
  static List<String> problems(List<RotatingWrk.Run> runs, List<String> modes) {
    List<String> out = new ArrayList<>();
    for (String m : modes) {
      List<RotatingWrk.Run> rs = runs.stream().filter(r -> r.mode().equals(m)).toList();
      if (rs.isEmpty()) {
        out.add("mode " + m + " has no measured round");
      }
      for (RotatingWrk.Run r : rs) {
        if (r.ok() == 0) {
          out.add("mode " + m + " round " + r.round() + " answered no call");
        }
        if (r.errors() > 0) {
          out.add("mode " + m + " round " + r.round() + " had " + r.errors() + " errors (non-2xx or socket)");
        }
      }
    }
    return out;
  }

  static double median(List<RotatingWrk.Run> runs, ToDoubleFunction<RotatingWrk.Run> f) {
    if (runs.isEmpty()) {
      return 0;
    }
    double[] v = runs.stream().mapToDouble(f).sorted().toArray();
    return v.length % 2 == 1 ? v[v.length / 2] : (v[v.length / 2 - 1] + v[v.length / 2]) / 2;
  }

  private static String ratio(double a, double b) {
    return b == 0 ? "-" : "%.2f".formatted(a / b);
  }
}
