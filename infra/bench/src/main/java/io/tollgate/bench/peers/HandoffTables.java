package io.tollgate.bench.peers;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/** The Markdown of the "Cost of durability: the gateway per fsync policy" section, from one run's records (pure). */
final class HandoffTables {
  static final String BEGIN = "<!-- bench-handoff:begin (written by ./tollgate bench handoff; edit the script, not the numbers) -->";
  static final String END = "<!-- bench-handoff:end -->";
  static final String HEADING = "## Cost of durability: the gateway per fsync policy";
  static final List<String> POLICIES = List.of("group", "interval_ms", "none");
  static final List<String> PAYLOADS = List.of("json", "sse");
  /** The goal: throughput with the default policy at least this share of the run without fsync. */
  static final double GOAL = 0.8;

  private HandoffTables() {
  }

  record Context(String date, String command, String machine, String pinning, String load, int rate, int seconds,
                 int rounds) {
  }

  /** Cells that measured nothing, gateways that metered nothing or ran another policy. */
  static List<String> problems(List<CellRecord> records) {
    List<String> out = new ArrayList<>();
    for (String policy : POLICIES) {
      for (String payload : PAYLOADS) {
        for (String mode : List.of("max", "fixed")) {
          Optional<CellRecord> c = median(records, mode, policy, payload);
          if (c.isEmpty() || c.get().getLong("requests") == 0) {
            out.add(policy + " " + payload + " " + mode + ": no successful requests measured");
          }
        }
      }
      Optional<CellRecord> e = events(records, policy);
      if (e.isEmpty() || e.get().getLong("published") == 0) {
        out.add(policy + ": the gateway published no usage event to Kafka");
      } else if (!Boolean.parseBoolean(e.get().get("policy_confirmed"))) {
        out.add(policy + ": the gateway's readiness did not report fsync " + policy);
      }
    }
    return out;
  }

  static String render(Context ctx, List<CellRecord> records, List<String> notes, List<String> problems) {
    StringBuilder md = new StringBuilder();
    md.append(String.format("Date: %s. Command: `%s`.%n%nMachine: %s. %s; load average (1 min): %s.%n%n",
        ctx.date(), ctx.command().strip(), ctx.machine(), capitalise(ctx.pinning()), ctx.load()));
    md.append("**Shared machine**: other helpers' builds and tests may run on both CPUs during this run, so"
        + " throughput here is a lower bound and latency an upper bound of what the gateway does on a quiet"
        + " machine. Compare rows within this run only, and mind the load average above. To keep the load's drift"
        + " out of the comparison, the three gateways run side by side (all on the gateway CPU, only the one"
        + " measured takes traffic) and are measured in " + ctx.rounds() + " rotated round(s) (" + String.join(", ", POLICIES)
        + ", then the reverse, ...); each row is the round with the median req/s (maximum throughput) or the"
        + " median p99 (fixed rate), and the range column shows all rounds.\n\n");
    md.append("""
        What: the standalone gateway (`io.tollgate.ingress.Main`, default JVM flags, one virtual key)
        metering every call into a Kafka broker in its own JVM, once per `tollgate.handoff.fsync`; the
        same 1 KB Anthropic Messages POST as "Gateway vs peers", against an nginx `return 200` upstream
        (a ~640 B JSON answer, or a 51-event stream of ~6.7 KB). Each gateway gets a warm-up (wrk rounds,
        not recorded) before its JSON cells. `none` still writes every event into the hand-off log (the
        page cache) before the answer ends, it only never calls fdatasync: the ratio is the cost of the
        fsync. There is no switch to meter without the log at all.

        """);
    md.append(String.format("### Maximum throughput (wrk, 1 thread × 64 connections, %d s, closed loop)%n%n", ctx.seconds()));
    md.append("| payload | fsync | req/s | ÷ none | req/s of the rounds | p50 ms | p99 ms | p99.9 ms | errors | CPU µs/req | RSS MB |\n");
    md.append("|---|---|---|---|---|---|---|---|---|---|---|\n");
    for (String payload : PAYLOADS) {
      Optional<CellRecord> none = median(records, "max", "none", payload);
      for (String policy : POLICIES) {
        median(records, "max", policy, payload).ifPresent(r -> md.append(String.format(
            "| %s | %s | %s | %s | %s | %s | %s | %s | %s | %s | %s |%n", payload.toUpperCase(Locale.ROOT), policy,
            count(r.getDouble("rps")), ratio(r, none), range(records, "max", policy, payload, "rps", false), ms(r, "p50_us"), ms(r, "p99_us"), ms(r, "p999_us"),
            count(r.getDouble("errors")), r.get("cpu_us_per_req"), r.get("rss_mb"))));
      }
    }
    md.append(String.format("%n### Fixed rate (%,d req/s for %d s, open loop, latency from each request's scheduled send)%n%n",
        ctx.rate(), ctx.seconds()));
    md.append("| payload | fsync | ok | errors | req/s | p50 ms | p90 ms | p99 ms | p99.9 ms | p99 − none's | p99 ms of the rounds | CPU µs/req |\n");
    md.append("|---|---|---|---|---|---|---|---|---|---|---|---|\n");
    for (String payload : PAYLOADS) {
      Optional<CellRecord> none = median(records, "fixed", "none", payload);
      for (String policy : POLICIES) {
        median(records, "fixed", policy, payload).ifPresent(r -> md.append(String.format(
            "| %s | %s | %s | %s | %s | %s | %s | %s | %s | %s | %s | %s |%n", payload.toUpperCase(Locale.ROOT), policy,
            count(r.getDouble("requests")), count(r.getDouble("errors")), count(r.getDouble("rps")), ms(r, "p50_us"),
            ms(r, "p90_us"), ms(r, "p99_us"), ms(r, "p999_us"),
            none.map(n -> String.format("%+.2f", (r.getLong("p99_us") - n.getLong("p99_us")) / 1000.0)).orElse(""),
            range(records, "fixed", policy, payload, "p99_us", true), r.get("cpu_us_per_req"))));
      }
    }
    md.append("\nGoal (issue 11): throughput with `group` ≥ ").append(GOAL).append(" × without fsync (`none`), same run: ");
    List<String> verdicts = new ArrayList<>();
    for (String payload : PAYLOADS) {
      Optional<CellRecord> g = median(records, "max", "group", payload);
      Optional<CellRecord> n = median(records, "max", "none", payload);
      if (g.isPresent() && n.isPresent() && n.get().getDouble("rps") > 0) {
        double share = g.get().getDouble("rps") / n.get().getDouble("rps");
        verdicts.add(String.format("%s %.2f (%s)", payload.toUpperCase(Locale.ROOT), share,
            share >= GOAL ? "met" : "not met"));
      }
    }
    md.append(verdicts.isEmpty() ? "not measured" : String.join(", ", verdicts)).append(".\n");
    List<String> more = new ArrayList<>();
    for (String policy : POLICIES) {
      events(records, policy).ifPresent(e -> more.add("`" + policy + "`: the gateway counted "
          + count(e.getDouble("published")) + " usage events published to Kafka, " + count(e.getDouble("spilled"))
          + " still waiting in its hand-off log at the end."));
    }
    more.addAll(notes.stream().filter(s -> !s.isBlank()).toList());
    problems.forEach(p -> more.add("MISSING: " + p));
    md.append("\nNotes:\n\n");
    more.forEach(n -> md.append("- ").append(n).append('\n'));
    return md.toString();
  }

  /** {@code old} with the text between the markers replaced; the section appended if there are none. */
  static String replaceSection(String old, String body) {
    int begin = old.indexOf(BEGIN);
    int end = old.indexOf(END);
    if (begin < 0 || end < begin) {
      return old.stripTrailing() + "\n\n" + HEADING + "\n\n" + BEGIN + "\n" + body + END + "\n";
    }
    return old.substring(0, begin + BEGIN.length()) + "\n" + body + old.substring(end);
  }

  /**
   * The round with the median req/s (maximum throughput) or the median p99 (fixed rate) of one
   * cell; with an even number of rounds the lower middle one.
   */
  static Optional<CellRecord> median(List<CellRecord> records, String mode, String policy, String payload) {
    String key = mode.equals("fixed") ? "p99_us" : "rps";
    List<CellRecord> rounds = cells(records, mode, policy, payload).stream()
        .sorted(java.util.Comparator.comparingDouble(r -> r.getDouble(key))).toList();
    return rounds.isEmpty() ? Optional.empty() : Optional.of(rounds.get((rounds.size() - 1) / 2));
  }

  private static List<CellRecord> cells(List<CellRecord> records, String mode, String policy, String payload) {
    return records.stream().filter(r -> r.tag().equals(CellRecord.CELL) && r.get("mode").equals(mode)
        && r.get("target").equals(policy) && r.get("payload").equals(payload)).toList();
  }

  /** Every round's value in run order ("12,000 / 11,500 / 12,300"; ms for latencies). */
  private static String range(List<CellRecord> records, String mode, String policy, String payload, String key,
                              boolean micros) {
    return String.join(" / ", cells(records, mode, policy, payload).stream()
        .map(r -> micros ? ms(r, key) : count(r.getDouble(key))).toList());
  }

  private static Optional<CellRecord> events(List<CellRecord> records, String policy) {
    return records.stream().filter(r -> r.tag().equals(CellRecord.EVENTS) && r.get("target").equals(policy)).findFirst();
  }

  private static String ratio(CellRecord r, Optional<CellRecord> base) {
    if (base.isEmpty() || base.get().getDouble("rps") <= 0) {
      return "";
    }
    return String.format("%.2f", r.getDouble("rps") / base.get().getDouble("rps"));
  }

  private static String ms(CellRecord r, String key) {
    return String.format("%.2f", r.getLong(key) / 1000.0);
  }

  private static String count(double v) {
    return String.format("%,.0f", v);
  }

  private static String capitalise(String s) {
    return s == null || s.isEmpty() ? "" : Character.toUpperCase(s.charAt(0)) + s.substring(1);
  }
}
