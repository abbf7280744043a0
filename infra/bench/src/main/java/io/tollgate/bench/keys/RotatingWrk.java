package io.tollgate.bench.keys;

import io.tollgate.bench.peers.ProcStat;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * Maximum throughput with the calls spread over many keys: {@code wrk} (closed loop, 1 thread ×
 * N connections) whose Lua {@code request} hook takes the next key of a file for every request
 * (round robin, so every key is hit equally often), with the gateway's CPU read around the run.
 * wrk reports through its {@code done} hook in one machine-readable line.
 */
final class RotatingWrk {
  static final String MARK = "WRK-KEYS";

  /** One measured run. CPU is the gateway process's user+system time over the run. */
  record Run(String mode, int round, long ok, long errors, double seconds, long p50Us, long p90Us, long p99Us,
             long p999Us, double cpuUsPerReq) {
    double rps() {
      return ok / seconds;
    }
  }

  private final ProcStat proc;
  private final Path work;

  RotatingWrk(ProcStat proc, Path work) {
    this.proc = proc;
    this.work = work;
  }

  Run run(String mode, int round, String url, String body, Path keyFile, int connections, int seconds, long gatewayPid)
      throws IOException, InterruptedException {
    Path script = Files.createTempFile(work, "wrk-keys-", ".lua");
    Files.writeString(script, lua(body, keyFile), StandardCharsets.UTF_8);
    List<String> cmd = List.of("wrk", "-t1", "-c" + connections, "-d" + seconds + "s", "--timeout", "10s",
        "-s", script.toString(), url);
    ProcStat.Sample before = proc.read(gatewayPid);
    Process wrk = new ProcessBuilder(cmd).redirectErrorStream(true).start();
    String output;
    try (var in = wrk.getInputStream()) {
      output = new String(in.readAllBytes(), StandardCharsets.UTF_8);
    }
    if (!wrk.waitFor(seconds + 30L, TimeUnit.SECONDS)) {
      wrk.destroyForcibly();
      throw new IOException("wrk did not finish within " + (seconds + 30) + " s");
    }
    ProcStat.Sample after = proc.read(gatewayPid);
    Files.deleteIfExists(script);
    return parse(output, mode, round, after.cpuMicros() - before.cpuMicros());
  }

  /** The run from wrk's output; fails with that output when the result line is missing. */
  static Run parse(String output, String mode, int round, long cpuMicros) {
    for (String line : output.split("\n")) {
      if (line.startsWith(MARK + " ")) {
        Map<String, Long> f = new HashMap<>();
        for (String kv : line.substring(MARK.length() + 1).trim().split(" +")) {
          int eq = kv.indexOf('=');
          f.put(kv.substring(0, eq), Long.parseLong(kv.substring(eq + 1)));
        }
        // wrk counts a non-2xx answer as a request and as a status error: only the rest are ok.
        long ok = f.get("requests") - f.get("status");
        long errors = f.get("connect") + f.get("read") + f.get("write") + f.get("status") + f.get("timeout");
        return new Run(mode, round, ok, errors, f.get("duration_us") / 1e6, f.get("p50_us"), f.get("p90_us"),
            f.get("p99_us"), f.get("p999_us"), ok == 0 ? 0 : (double) cpuMicros / ok);
      }
    }
    throw new IllegalStateException("wrk printed no result line:\n" + output);
  }

  static String lua(String body, Path keyFile) {
    if (body.contains("]==]") || keyFile.toString().contains("]==]")) {
      throw new IllegalArgumentException("body or path holds the Lua long-string terminator");
    }
    return """
        wrk.method = "POST"
        wrk.body = [==[%s]==]
        wrk.headers["content-type"] = "application/json"
        wrk.headers["anthropic-version"] = "2023-06-01"
        wrk.headers["user-agent"] = "claude-cli/2.1.3 (external, cli)"
        local keys = {}
        for line in io.lines([==[%s]==]) do keys[#keys + 1] = line end
        local i = 0
        request = function()
          i = i %% #keys + 1
          wrk.headers["x-api-key"] = keys[i]
          return wrk.format()
        end
        done = function(summary, latency, requests)
          local e = summary.errors
          io.write(string.format("%s requests=%%d duration_us=%%d connect=%%d read=%%d write=%%d status=%%d timeout=%%d",
            summary.requests, summary.duration, e.connect, e.read, e.write, e.status, e.timeout))
          io.write(string.format(" p50_us=%%d p90_us=%%d p99_us=%%d p999_us=%%d\\n",
            latency:percentile(50), latency:percentile(90), latency:percentile(99), latency:percentile(99.9)))
        end
        """.formatted(body, keyFile, MARK);
  }
}
