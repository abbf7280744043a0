package io.tollgate.bench.peers;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/** The Markdown of the "Gateway vs peers" section, from the cell records of one run (pure). */
final class PeersTables {
  static final String BEGIN = "<!-- bench-peers:begin (written by ./tollgate bench peers; edit the script, not the numbers) -->";
  static final String END = "<!-- bench-peers:end -->";
  static final String HEADING = "## Gateway vs peers";
  static final List<String> TARGETS = List.of("direct", "nginx", "vertx", "portkey", "tollgate-base", "tollgate", "tollgate-again",
      "tollgate-base-again", "tollgate-spill");
  /** The gateways that publish to Kafka: this build and the baseline, each in both passes. */
  static final List<String> KAFKA_GATEWAYS = List.of("tollgate-base", "tollgate", "tollgate-again", "tollgate-base-again");
  static final List<String> PAYLOADS = List.of("json", "sse");
  private static final Map<String, String> NAMES = Map.of("direct", "direct → upstream", "nginx", "nginx proxy_pass",
      "vertx", "Vert.x bare proxy (no metering)", "portkey", "Portkey", "tollgate-base", "Tollgate baseline (Kafka)", "tollgate", "Tollgate (Kafka)",
      "tollgate-again", "Tollgate (Kafka), 2nd pass", "tollgate-base-again", "Tollgate baseline (Kafka), 2nd pass",
      "tollgate-spill", "Tollgate (broker down, spill)");

  private PeersTables() {
  }

  record Context(String date, String command, String machine, String pinning, String load, int rate, int seconds) {
  }

  /**
   * What is missing or empty among the expected cells, and whether metering happened. An entry is
   * a target ({@code nginx}: JSON and SSE) or a target with one payload ({@code portkey:json}).
   */
  static List<String> problems(List<CellRecord> records, List<String> expected) {
    List<String> out = new ArrayList<>();
    for (String entry : expected) {
      if (entry.isBlank()) {
        continue;
      }
      String t = entry.contains(":") ? entry.substring(0, entry.indexOf(':')) : entry;
      List<String> payloads = entry.contains(":") ? List.of(entry.substring(entry.indexOf(':') + 1)) : PAYLOADS;
      for (String payload : payloads) {
        for (String mode : List.of("max", "fixed")) {
          Optional<CellRecord> c = cell(records, mode, t, payload);
          if (c.isEmpty() || c.get().getLong("requests") == 0) {
            out.add(t + " " + payload + " " + mode + ": no successful requests measured");
          }
        }
      }
      if (KAFKA_GATEWAYS.contains(t) && events(records, t, "published") == 0) {
        out.add(t + ": the gateway published no usage event to Kafka");
      }
      if (t.equals("tollgate-spill") && events(records, t, "spilled") == 0) {
        out.add("tollgate-spill: the gateway logged no usage event for Kafka to take later");
      }
    }
    return out;
  }

  static String render(Context ctx, List<CellRecord> records, List<String> notes, List<String> problems) {
    StringBuilder md = new StringBuilder();
    md.append(String.format("Date: %s. Command: `%s`.%n%nMachine: %s. %s; load average (1 min): %s.%n%n",
        ctx.date(), ctx.command().strip(), ctx.machine(), capitalise(ctx.pinning()), ctx.load()));
    if (busyAtStart(ctx.load())) {
      md.append("**Loaded machine**: other work was running when this run started (load average ≥ 2 on this"
          + " machine before any proxy took traffic), so every proxy had less than its core: throughput is lower"
          + " and CPU per request higher than on a quiet machine. Compare rows within this run only.\n\n");
    }
    md.append("""
        What: a 1 KB Anthropic Messages POST; the upstream is an nginx `return 200` with a fixed ~640 B
        JSON answer, or for SSE a 51-event Anthropic stream (~6.7 KB, sent with a Content-Length). Each
        proxy runs alone on its core and is the only process measured for CPU (user+system time from
        `/proc/<pid>/stat` of the process and its children, over the measured run only) and RSS (at the
        end of the run). nginx: 1 worker, `upstream` with `keepalive 64`, `proxy_buffering off` for SSE.
        Vert.x bare proxy: the gateway's own Vert.x and JVM options as a pass-through proxy with nothing
        of Tollgate (`BareVertxProxy`: body read whole, sent on a keep-alive pool, answer piped back),
        the framework's floor: what Tollgate costs above it is its own work.
        Portkey: `NODE_ENV=production`, routed by `x-portkey-provider`/`x-portkey-custom-host`.
        Tollgate: the standalone gateway (`io.tollgate.ingress.Main`) with the JVM options its build
        ships (`infra/gateway-jvm.options`; none before it existed; on one core the JVM picks the
        Serial GC), one virtual key, metering every call into an embedded Kafka broker (on the other
        core), or into its spill log with that broker stopped.

        """);
    md.append(String.format("### Maximum throughput (wrk, 1 thread × 64 connections, %d s, closed loop)%n%n", ctx.seconds()));
    md.append("| payload | proxy | req/s | p50 ms | p90 ms | p99 ms | p99.9 ms | errors | CPU µs/req | RSS MB"
        + " | req/s ÷ nginx | req/s ÷ Portkey | CPU/req: nginx ÷ this |\n");
    md.append("|---|---|---|---|---|---|---|---|---|---|---|---|---|\n");
    for (String payload : PAYLOADS) {
      Optional<CellRecord> nginx = cell(records, "max", "nginx", payload);
      Optional<CellRecord> portkey = cell(records, "max", "portkey", payload);
      for (String t : TARGETS) {
        Optional<CellRecord> c = cell(records, "max", t, payload);
        if (c.isEmpty()) {
          continue;
        }
        CellRecord r = c.get();
        md.append(String.format("| %s | %s | %s | %s | %s | %s | %s | %s | %s | %s | %s | %s | %s |%n",
            payload.toUpperCase(Locale.ROOT), NAMES.get(t), count(r.getDouble("rps")), ms(r, "p50_us"),
            ms(r, "p90_us"), ms(r, "p99_us"), ms(r, "p999_us"), count(r.getDouble("errors")), r.get("cpu_us_per_req"),
            r.get("rss_mb"), t.equals("direct") ? "" : ratio(r, nginx, "rps", false),
            t.equals("direct") ? "" : ratio(r, portkey, "rps", false),
            t.equals("direct") ? "" : ratio(r, nginx, "cpu_us_per_req", true)));
      }
    }
    md.append(String.format("%n### Fixed rate (%,d req/s for %d s, open loop, latency from each request's scheduled send)%n%n",
        ctx.rate(), ctx.seconds()));
    md.append("Added = this proxy's percentile minus the direct path's in the same run (the direct row is the"
        + " noise floor of generator + upstream). TTFB = first body byte. Requests still open at the end"
        + " of the grace period count as errors, at the latency they had reached.\n\n");
    md.append("| payload | proxy | ok | errors | req/s | p50 ms | p90 ms | p99 ms | p99.9 ms | added p50 | added p99"
        + " | TTFB p99 ms | added TTFB p99 | CPU µs/req | RSS MB |\n");
    md.append("|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|\n");
    for (String payload : PAYLOADS) {
      Optional<CellRecord> direct = cell(records, "fixed", "direct", payload);
      for (String t : TARGETS) {
        Optional<CellRecord> c = cell(records, "fixed", t, payload);
        if (c.isEmpty()) {
          continue;
        }
        CellRecord r = c.get();
        boolean base = t.equals("direct");
        md.append(String.format("| %s | %s | %s | %s | %s | %s | %s | %s | %s | %s | %s | %s | %s | %s | %s |%n",
            payload.toUpperCase(Locale.ROOT), NAMES.get(t), count(r.getDouble("requests")), count(r.getDouble("errors")),
            count(r.getDouble("rps")), ms(r, "p50_us"), ms(r, "p90_us"), ms(r, "p99_us"), ms(r, "p999_us"),
            base ? "" : added(r, direct, "p50_us"), base ? "" : added(r, direct, "p99_us"), ms(r, "ttfb_p99_us"),
            base ? "" : added(r, direct, "ttfb_p99_us"), r.get("cpu_us_per_req"), r.get("rss_mb")));
      }
    }
    md.append(beforeAfter(records));
    md.append(threads(records));
    List<String> warm = warmups(records);
    if (!warm.isEmpty()) {
      md.append("\nWarm-up (wrk rounds before the measured run, same connections; req/s and CPU µs/req per round):\n\n");
      warm.forEach(w -> md.append("- ").append(w).append('\n'));
    }
    List<String> more = new ArrayList<>();
    for (String t : TARGETS.subList(TARGETS.indexOf("tollgate-base"), TARGETS.size())) {
      records.stream().filter(r -> r.tag().equals(CellRecord.EVENTS) && r.get("target").equals(t)).findFirst()
          .ifPresent(e -> more.add(NAMES.get(t) + ": the gateway counted " + count(e.getDouble("published"))
              + " usage events published to Kafka and " + count(e.getDouble("spilled"))
              + " waiting in its hand-off log for Kafka" + groups(e) + "."));
    }
    more.addAll(notes.stream().filter(n -> !n.isBlank()).toList());
    problems.forEach(p -> more.add("MISSING: " + p));
    if (!more.isEmpty()) {
      md.append("\nNotes:\n\n");
      more.forEach(n -> md.append("- ").append(n).append('\n'));
    }
    return md.toString();
  }

  /**
   * With a baseline gateway in the run ({@code --baseline REV}): this build against it, cell by
   * cell, and both against nginx — the before and after of the commits between them, measured back
   * to back: a row per pass (baseline first, then this build first) and, with both, their mean, so
   * that the order in which the two ran does not pass for the change. Empty without a baseline.
   */
  static String beforeAfter(List<CellRecord> records) {
    StringBuilder md = new StringBuilder();
    for (String mode : List.of("max", "fixed")) {
      for (String payload : PAYLOADS) {
        Optional<CellRecord> nginx = cell(records, mode, "nginx", payload);
        Optional<CellRecord> b1 = cell(records, mode, "tollgate-base", payload);
        Optional<CellRecord> a1 = cell(records, mode, "tollgate", payload);
        Optional<CellRecord> b2 = cell(records, mode, "tollgate-base-again", payload);
        Optional<CellRecord> a2 = cell(records, mode, "tollgate-again", payload);
        List<String[]> rows = new ArrayList<>();
        if (b1.isPresent() && a1.isPresent()) {
          rows.add(beforeAfterRow(mode, payload, "baseline first", b1.get(), a1.get(), nginx));
        }
        if (b2.isPresent() && a2.isPresent()) {
          rows.add(beforeAfterRow(mode, payload, "this build first", b2.get(), a2.get(), nginx));
          if (b1.isPresent() && a1.isPresent()) {
            rows.add(beforeAfterRow(mode, payload, "mean of both", mean(b1.get(), b2.get()), mean(a1.get(), a2.get()), nginx));
          }
        }
        if (rows.isEmpty()) {
          continue;
        }
        if (md.isEmpty()) {
          md.append("\n### Before and after (the baseline gateway and this one, back to back in this run)\n\n")
              .append("| run | payload | order | req/s before | req/s after | after ÷ before | CPU µs/req before"
                  + " | CPU µs/req after | before ÷ after | p99 ms before | p99 ms after | req/s ÷ nginx before → after"
                  + " | CPU/req nginx ÷ this before → after |\n")
              .append("|---|---|---|---|---|---|---|---|---|---|---|---|---|\n");
        }
        rows.forEach(r -> md.append("| ").append(String.join(" | ", r)).append(" |\n"));
      }
    }
    List<CellRecord> taps = records.stream().filter(r -> r.tag().equals(CellRecord.TAP)).toList();
    if (taps.stream().anyMatch(r -> r.get("build").equals("base"))) {
      if (md.isEmpty()) {
        md.append("\n### Before and after (the baseline gateway and this one, back to back in this run)\n");
      }
      md.append("\nThe usage tap alone (`ResponseTap`, every answer's bytes pass through it): both builds in one JVM,"
          + " rounds alternating, this thread's CPU time per answer, median of the warm half of the rounds (`TapBench`;"
          + " other load on the machine delays a round but is not billed to it).\n\n")
          .append("| payload | chunks | events | ns per answer before | after | before ÷ after | ns per event before | after |\n")
          .append("|---|---|---|---|---|---|---|---|\n");
      for (CellRecord b : taps) {
        if (!b.get("build").equals("base")) {
          continue;
        }
        taps.stream().filter(a -> a.get("build").equals("current") && a.get("payload").equals(b.get("payload"))
            && a.get("chunking").equals(b.get("chunking"))).findFirst().ifPresent(a -> md.append(String.format(
            "| %s | %s | %s | %s | %s | %.2f | %s | %s |%n", b.get("payload").toUpperCase(Locale.ROOT),
            b.get("chunking").equals("whole") ? "whole answer in one" : "one per event", b.get("events"),
            count(b.getDouble("ns_per_call")), count(a.getDouble("ns_per_call")),
            b.getDouble("ns_per_call") / a.getDouble("ns_per_call"), count(b.getDouble("ns_per_event")),
            count(a.getDouble("ns_per_event")))));
      }
    }
    return md.toString();
  }

  /**
   * Where each Tollgate gateway's CPU went in its cells: per request and thread group
   * ({@code thr_<group>} fields, from {@code /proc/<pid>/task}); empty when no cell has them.
   * "Other" is the process's CPU less the named groups, so it also holds threads that ended
   * during the run.
   */
  static String threads(List<CellRecord> records) {
    List<String> rows = new ArrayList<>();
    for (String mode : List.of("max", "fixed")) {
      for (String payload : PAYLOADS) {
        for (String t : TARGETS) {
          Optional<CellRecord> c = cell(records, mode, t, payload);
          if (!t.startsWith("tollgate") || c.isEmpty() || c.get().find("thr_event_loop").isEmpty()) {
            continue;
          }
          CellRecord r = c.get();
          double named = 0;
          List<String> cols = new ArrayList<>();
          for (String g : ProcStat.THREAD_GROUPS) {
            if (!g.equals("other")) {
              double v = r.find("thr_" + g).map(Double::parseDouble).orElse(0.0);
              named += v;
              cols.add(String.format(Locale.ROOT, "%.1f", v));
            }
          }
          cols.add(String.format(Locale.ROOT, "%.1f", Math.max(0, r.getDouble("cpu_us_per_req") - named)));
          rows.add("| " + (mode.equals("max") ? "max throughput" : "fixed rate") + " | " + payload.toUpperCase(Locale.ROOT)
              + " | " + NAMES.get(t) + " | " + r.get("cpu_us_per_req") + " | " + String.join(" | ", cols) + " |\n");
        }
      }
    }
    if (rows.isEmpty()) {
      return "";
    }
    return "\n### Where the gateway's CPU goes (µs per request by thread, the runs above)\n\n"
        + "Each thread's user+system time from `/proc/<pid>/task` over the measured run, divided by the requests"
        + " completed. Hand-off writer: writing and fdatasync'ing each group into the hand-off log (mostly system"
        + " time) and preallocating its next segment; hand-off sender: handing records to the producer and their"
        + " acknowledgements back; GC + VM thread: the Serial GC a one-core JVM picks collects in the VM thread;"
        + " other: the rest of the process, threads that ended during the run included.\n\n"
        + "| run | payload | proxy | all threads | event loop | hand-off writer | hand-off sender | Kafka producer"
        + " | JIT compilers | GC + VM thread | other |\n"
        + "|---|---|---|---|---|---|---|---|---|---|---|\n" + String.join("", rows);
  }

  private static String[] beforeAfterRow(String mode, String payload, String order, CellRecord b, CellRecord a,
                                         Optional<CellRecord> nginx) {
    Optional<CellRecord> base = Optional.of(b);
    return new String[] {mode.equals("max") ? "max throughput" : "fixed rate", payload.toUpperCase(Locale.ROOT), order,
        count(b.getDouble("rps")), count(a.getDouble("rps")), ratio(a, base, "rps", false),
        b.get("cpu_us_per_req"), a.get("cpu_us_per_req"), ratio(a, base, "cpu_us_per_req", true),
        ms(b, "p99_us"), ms(a, "p99_us"), ratio(b, nginx, "rps", false) + " → " + ratio(a, nginx, "rps", false),
        ratio(b, nginx, "cpu_us_per_req", true) + " → " + ratio(a, nginx, "cpu_us_per_req", true)};
  }

  /** The mean of two passes' cells, in the fields the before-and-after table reads. */
  private static CellRecord mean(CellRecord x, CellRecord y) {
    return CellRecord.of(CellRecord.CELL).with("rps", Math.round((x.getDouble("rps") + y.getDouble("rps")) / 2))
        .with("cpu_us_per_req", String.format(Locale.ROOT, "%.1f",
            (x.getDouble("cpu_us_per_req") + y.getDouble("cpu_us_per_req")) / 2))
        .with("p99_us", Math.round((x.getDouble("p99_us") + y.getDouble("p99_us")) / 2));
  }

  /** The first number of the load text (the 1-minute load average before the run) is 2 or more. */
  static boolean busyAtStart(String load) {
    try {
      return load != null && Double.parseDouble(load.trim().split("[ ,]")[0]) >= 2.0;
    } catch (NumberFormatException e) {
      return false;
    }
  }

  /** Per target and payload: each round's req/s (CPU), and from when it stayed within 10 % of the measured run. */
  static List<String> warmups(List<CellRecord> records) {
    List<String> out = new ArrayList<>();
    for (String t : TARGETS) {
      for (String payload : PAYLOADS) {
        List<CellRecord> rounds = records.stream().filter(r -> r.tag().equals(CellRecord.WARMUP)
            && r.get("target").equals(t) && r.get("payload").equals(payload)).toList();
        Optional<CellRecord> measured = cell(records, "max", t, payload);
        if (rounds.size() < 2 || measured.isEmpty()) {
          continue;
        }
        double finalRps = measured.get().getDouble("rps");
        StringBuilder line = new StringBuilder(NAMES.get(t) + " " + payload.toUpperCase(Locale.ROOT) + ": ");
        int steadyFrom = rounds.size() + 1;
        double elapsed = 0;
        double steadyAfter = 0;
        for (int i = rounds.size() - 1; i >= 0 && rounds.get(i).getDouble("rps") >= 0.9 * finalRps; i--) {
          steadyFrom = i + 1;
        }
        for (int i = 0; i < rounds.size(); i++) {
          CellRecord r = rounds.get(i);
          if (i + 1 == steadyFrom) {
            steadyAfter = elapsed;
          }
          elapsed += r.getDouble("seconds");
          line.append(count(r.getDouble("rps"))).append(" (").append(r.get("cpu_us_per_req")).append(" µs) → ");
        }
        line.append("measured ").append(count(finalRps)).append(" (").append(measured.get().get("cpu_us_per_req"))
            .append(" µs); ");
        if (steadyFrom > rounds.size()) {
          line.append("no warm-up round within 10 % of the measured rate (").append(String.format("%.0f", elapsed))
              .append(" s of warm-up load)");
        } else {
          line.append("within 10 % of the measured rate after ").append(String.format("%.0f", steadyAfter))
              .append(" s of load");
        }
        out.add(line.toString());
      }
    }
    return out;
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

  static Optional<CellRecord> cell(List<CellRecord> records, String mode, String target, String payload) {
    return records.stream().filter(r -> r.tag().equals(CellRecord.CELL) && r.get("mode").equals(mode)
        && r.get("target").equals(target) && r.get("payload").equals(payload)).reduce((a, b) -> b);
  }

  /** ", in N groups (E events per group, F fdatasyncs)" when the gateway's metrics had them (since 2026-12-04). */
  private static String groups(CellRecord e) {
    Optional<String> groups = e.find("groups");
    if (groups.isEmpty() || Double.parseDouble(groups.get()) == 0) {
      return "";
    }
    double g = Double.parseDouble(groups.get());
    return String.format(Locale.ROOT, ", in %s groups (%.2f events per group) with %s fdatasyncs", count(g),
        (e.getDouble("published") + e.getDouble("spilled")) / g, count(e.find("fsyncs").map(Double::parseDouble).orElse(0.0)));
  }

  private static long events(List<CellRecord> records, String target, String outcome) {
    return records.stream().filter(r -> r.tag().equals(CellRecord.EVENTS) && r.get("target").equals(target))
        .mapToLong(r -> r.getLong(outcome)).sum();
  }

  private static String ms(CellRecord r, String key) {
    return String.format("%.2f", r.getLong(key) / 1000.0);
  }

  private static String added(CellRecord r, Optional<CellRecord> base, String key) {
    return base.map(b -> String.format("%+.2f", (r.getLong(key) - b.getLong(key)) / 1000.0)).orElse("");
  }

  /** this ÷ other, or other ÷ this when lower is better (CPU); blank when either side is unknown. */
  private static String ratio(CellRecord r, Optional<CellRecord> other, String key, boolean lowerIsBetter) {
    if (other.isEmpty() || r.get(key).equals("-") || other.get().get(key).equals("-")) {
      return "";
    }
    double mine = Double.parseDouble(r.get(key));
    double theirs = Double.parseDouble(other.get().get(key));
    double v = lowerIsBetter ? theirs / mine : mine / theirs;
    return Double.isFinite(v) ? String.format("%.2f", v) : "";
  }

  private static String count(double v) {
    return String.format("%,.0f", v);
  }

  private static String capitalise(String s) {
    return s == null || s.isEmpty() ? "" : Character.toUpperCase(s.charAt(0)) + s.substring(1);
  }
}
