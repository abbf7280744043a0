package io.tollgate.bench.peers;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * Maximum throughput: {@code wrk} (closed loop, 1 thread × N connections) posting the same body
 * for a fixed time, with the proxy's CPU and RSS read around it. wrk reports through a Lua
 * {@code done} hook in one machine-readable line, so nothing depends on its human output.
 */
final class WrkRun {
  static final String MARK = "WRK-RESULT";

  private final List<String> pin;
  private final ProcStat proc;

  /** {@code pin}: the command prefix that puts wrk on its cores (e.g. {@code taskset -c 1}); may be empty. */
  WrkRun(List<String> pin, ProcStat proc) {
    this.pin = List.copyOf(pin);
    this.proc = proc;
  }

  /** Runs wrk once and returns the cell's fields (tag and labels are the caller's). */
  CellRecord run(CellRecord labels, LoadSpec spec, int connections, int seconds, long proxyPid, Path workDir)
      throws IOException, InterruptedException {
    Path script = Files.createTempFile(workDir, "wrk-", ".lua");
    Files.writeString(script, luaScript(spec.body(), spec.headers()), StandardCharsets.UTF_8);
    List<String> cmd = new ArrayList<>(pin);
    cmd.addAll(List.of("wrk", "-t1", "-c" + connections, "-d" + seconds + "s", "--timeout", "10s",
        "-s", script.toString(), spec.url()));
    ProcStat.Sample before = proc.read(proxyPid);
    Process wrk = new ProcessBuilder(cmd).redirectErrorStream(true).start();
    String output;
    try (var in = wrk.getInputStream()) {
      output = new String(in.readAllBytes(), StandardCharsets.UTF_8);
    }
    if (!wrk.waitFor(seconds + 30L, TimeUnit.SECONDS)) {
      wrk.destroyForcibly();
      throw new IOException("wrk did not finish within " + (seconds + 30) + " s");
    }
    ProcStat.Sample after = proc.read(proxyPid);
    Files.deleteIfExists(script);
    return withProcess(parse(output, labels), before, after, proxyPid);
  }

  /**
   * Adds CPU per completed request and RSS (both "-" when no proxy process is measured), and the
   * CPU per request of each thread group ({@code thr_<group>}, see {@link ProcStat#threadGroup}).
   */
  static CellRecord withProcess(CellRecord r, ProcStat.Sample before, ProcStat.Sample after, long pid) {
    long done = r.getLong("requests");
    if (pid <= 0) {
      return r.with("cpu_us_per_req", "-").with("rss_mb", "-");
    }
    double cpu = done == 0 ? 0 : (double) (after.cpuMicros() - before.cpuMicros()) / done;
    CellRecord out = r.with("cpu_us_per_req", String.format("%.1f", cpu)).with("rss_mb", after.rssKb() / 1024);
    for (Map.Entry<String, Long> e : after.threadMicros().entrySet()) { // threads ended meanwhile are not charged
      long used = e.getValue() - before.threadMicros().getOrDefault(e.getKey(), 0L);
      out = out.with("thr_" + e.getKey(), String.format(Locale.ROOT, "%.1f", done == 0 ? 0 : (double) used / done));
    }
    return out;
  }

  /** The fields from wrk's output; fails with that output when the result line is missing. */
  static CellRecord parse(String output, CellRecord labels) {
    for (String line : output.split("\n")) {
      if (line.startsWith(MARK + " ")) {
        CellRecord raw = CellRecord.parse(CellRecord.CELL + line.substring(MARK.length())).orElseThrow();
        long requests = raw.getLong("requests");
        long errors = raw.getLong("connect") + raw.getLong("read") + raw.getLong("write")
            + raw.getLong("status") + raw.getLong("timeout");
        double seconds = raw.getLong("duration_us") / 1e6;
        // wrk counts a non-2xx answer as a request and as a status error: only the rest are ok.
        long ok = requests - raw.getLong("status");
        CellRecord r = labels.with("requests", ok).with("errors", errors)
            .with("seconds", String.format("%.2f", seconds))
            .with("rps", String.format("%.0f", ok / seconds));
        for (String p : List.of("p50_us", "p90_us", "p99_us", "p999_us", "max_us")) {
          r = r.with(p, raw.get(p));
        }
        return r;
      }
    }
    throw new IllegalStateException("wrk printed no result line:\n" + output);
  }

  static String luaScript(String body, Map<String, String> headers) {
    StringBuilder lua = new StringBuilder("wrk.method = \"POST\"\n");
    lua.append("wrk.body = ").append(luaString(body)).append('\n');
    headers.forEach((k, v) -> lua.append("wrk.headers[ ").append(luaString(k)).append(" ] = ").append(luaString(v)).append('\n'));
    lua.append("""
        done = function(summary, latency, requests)
          local e = summary.errors
          io.write(string.format("%s requests=%%d duration_us=%%d connect=%%d read=%%d write=%%d status=%%d timeout=%%d",
            summary.requests, summary.duration, e.connect, e.read, e.write, e.status, e.timeout))
          io.write(string.format(" p50_us=%%d p90_us=%%d p99_us=%%d p999_us=%%d max_us=%%d\\n",
            latency:percentile(50), latency:percentile(90), latency:percentile(99), latency:percentile(99.9), latency.max))
        end
        """.formatted(MARK));
    return lua.toString();
  }

  /** A Lua long string cannot be broken by any body: pick a level whose closing bracket is absent. */
  static String luaString(String s) {
    String eq = "";
    while (s.contains("]" + eq + "]")) {
      eq += "=";
    }
    return "[" + eq + "[" + s + "]" + eq + "]";
  }
}
