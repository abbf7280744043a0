package io.tollgate.bench.peers;

import io.tollgate.local.kafka.EmbeddedKafka;
import io.tollgate.local.kafka.FreePorts;
import io.tollgate.local.kafka.KafkaProcess;
import io.tollgate.local.process.ChildJvm;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * {@code ./tollgate bench handoff [--quick] [--seconds S] [--rate R] [--rounds N] [--out FILE]}:
 * the cost of the durable hand-off, the standalone gateway once per {@code tollgate.handoff.fsync}
 * policy ({@code group}, {@code interval_ms}, {@code none}) in one run, on the first CPU
 * ({@code taskset}; only the one being measured takes traffic); this JVM (wrk, the fixed-rate
 * generator), the nginx upstream and the Kafka broker on the others. Per policy and payload (JSON,
 * SSE), in {@code N} rotated rounds: maximum throughput (wrk, closed loop) and a fixed rate (open loop). Writes its section of BENCHMARKS.md ({@link HandoffTables});
 * {@code --quick} (tiny durations, the harness smoke test) writes a temporary file and exits 1
 * unless every cell measured something and every gateway metered into Kafka under its policy.
 */
public final class HandoffBench {
  private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
  private static final String VIRTUAL_KEY = "sk-bench-virtual";

  private HandoffBench() {
  }

  public static void main(String[] args) throws Exception {
    Map<String, String> opt = options(args);
    boolean quick = opt.containsKey("quick");
    int seconds = Integer.parseInt(opt.getOrDefault("seconds", quick ? "3" : "8"));
    int rate = Integer.parseInt(opt.getOrDefault("rate", quick ? "200" : "2000"));
    int warmRounds = quick ? 2 : 6;
    int warmSeconds = quick ? 2 : 5;
    int reps = Integer.parseInt(opt.getOrDefault("rounds", quick ? "1" : "3"));
    Path root = Path.of("").toAbsolutePath();
    Path fixtures = root.resolve("infra/bench/peers");
    Path work = Files.createTempDirectory("tollgate-handoff-bench");
    Path out = Path.of(opt.getOrDefault("out", quick ? work.resolveSibling("tollgate-handoff-quick.md").toString()
        : root.resolve("BENCHMARKS.md").toString()));
    String command = "./tollgate bench handoff" + (args.length == 0 ? "" : " " + String.join(" ", args));

    List<Integer> cpus = Cpus.allowed();
    List<String> gatewayPin = List.of();
    String pinning = "one CPU: nothing pinned (not comparable with pinned runs)";
    if (cpus.size() >= 2) {
      String rest = String.join(",", cpus.subList(1, cpus.size()).stream().map(String::valueOf).toList());
      // This JVM's threads (generator, wrk's parent) and every child started from now on run on the rest.
      run(List.of("taskset", "-a", "-cp", rest, Long.toString(ProcessHandle.current().pid())));
      gatewayPin = List.of("taskset", "-c", Integer.toString(cpus.get(0)));
      pinning = "gateway alone on CPU " + cpus.get(0) + " (taskset); wrk, the generator, the nginx upstream and"
          + " the Kafka broker on CPU " + rest;
    }
    String loadStart = Cpus.loadAverage();
    List<CellRecord> records = new ArrayList<>();
    List<String> notes = new ArrayList<>();
    long started = System.nanoTime();
    NginxUpstream upstream = NginxUpstream.start(work.resolve("upstream"), fixtures);
    KafkaProcess kafka = new KafkaProcess(EmbeddedKafka.Options.in(work.resolve("kafka"))).start();
    ProcStat proc = new ProcStat(Path.of("/proc"), 100);
    try (FixedRateRun fixed = new FixedRateRun(64, proc)) {
      WrkRun wrk = new WrkRun(List.of(), proc);
      String jsonBody = Files.readString(fixtures.resolve("request.json"), StandardCharsets.UTF_8).strip();
      String sseBody = Files.readString(fixtures.resolve("request-sse.json"), StandardCharsets.UTF_8).strip();
      Map<String, String> headers = new LinkedHashMap<>(Map.of("content-type", "application/json",
          "anthropic-version", "2023-06-01", "user-agent", "claude-cli/2.1.3 (external, cli)", "x-api-key", VIRTUAL_KEY));
      fixed.warmSelf(new LoadSpec("http://unused", jsonBody, headers), rate, quick ? 1 : 5,
          Files.readString(fixtures.resolve("reply.json"), StandardCharsets.UTF_8));
      // All three gateways up at once (idle ones cost next to nothing), warmed one by one, then
      // measured in rotation (ABC, CBA, ...): the machine's load drifts during a run, and measuring
      // one policy after the other would charge that drift to whichever came last.
      Map<String, Process> gateways = new LinkedHashMap<>();
      Map<String, Integer> ports = new LinkedHashMap<>();
      Map<String, String> readiness = new LinkedHashMap<>();
      try {
        for (String policy : HandoffTables.POLICIES) {
          int port = FreePorts.pick();
          ports.put(policy, port);
          gateways.put(policy, startGateway(gatewayPin, work.resolve("gateway-" + policy), port,
              kafka.bootstrapServers(), upstream, policy));
          readiness.put(policy, awaitReady(port, policy));
        }
        for (String policy : HandoffTables.POLICIES) {
          for (String payload : HandoffTables.PAYLOADS) {
            progress(policy + " " + payload + " warm-up");
            int rounds = payload.equals("json") ? warmRounds : Math.min(2, warmRounds); // the JIT is warm by SSE
            for (int r = 1; r <= rounds; r++) {
              records.add(new CellRecord(CellRecord.WARMUP, wrk.run(labels(policy, payload, "max"),
                  spec(ports.get(policy), payload, jsonBody, sseBody, headers), 64, warmSeconds,
                  gateways.get(policy).pid(), work).fields()).with("round", r));
            }
          }
        }
        for (int rep = 1; rep <= reps; rep++) {
          List<String> order = new ArrayList<>(HandoffTables.POLICIES);
          if (rep % 2 == 0) {
            java.util.Collections.reverse(order);
          }
          for (String policy : order) {
            long pid = gateways.get(policy).pid();
            for (String payload : HandoffTables.PAYLOADS) {
              LoadSpec spec = spec(ports.get(policy), payload, jsonBody, sseBody, headers);
              progress("round " + rep + "/" + reps + ": " + policy + " " + payload);
              records.add(wrk.run(labels(policy, payload, "max").with("rep", rep), spec, 64, seconds, pid, work));
              records.add(fixed.run(labels(policy, payload, "fixed").with("rep", rep), spec, rate, 1, seconds, 10, pid));
            }
          }
        }
        for (String policy : HandoffTables.POLICIES) {
          records.add(events(policy, ports.get(policy), readiness.get(policy)));
        }
      } finally {
        for (Process p : gateways.values()) {
          stop(p);
        }
      }
    } finally {
      kafka.stop();
      upstream.stop();
    }
    notes.add(String.format("Harness run time: %.0f s (after the build).", (System.nanoTime() - started) / 1e9));
    HandoffTables.Context ctx = new HandoffTables.Context(
        ZonedDateTime.now(ZoneOffset.UTC).format(DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm 'UTC'")), command,
        Cpus.machine(upstream.version()), pinning, loadStart + " at the start, " + Cpus.loadAverage() + " at the end",
        rate, seconds, reps);
    List<String> problems = HandoffTables.problems(records);
    String body = HandoffTables.render(ctx, records, notes, problems);
    if (quick) {
      Files.writeString(out, "## Cost of durability (quick smoke run, not a measurement)\n\n" + body, StandardCharsets.UTF_8);
    } else {
      String old = Files.exists(out) ? Files.readString(out, StandardCharsets.UTF_8) : "# Benchmarks\n";
      Files.writeString(out, HandoffTables.replaceSection(old, body), StandardCharsets.UTF_8);
    }
    System.out.print(body);
    System.err.println("bench handoff: wrote " + out);
    if (!problems.isEmpty()) {
      System.err.println("bench handoff: " + String.join("; ", problems));
      System.exit(1);
    }
    System.exit(0); // no lingering Vert.x or process-pump threads
  }

  private static CellRecord labels(String policy, String payload, String mode) {
    return CellRecord.of(CellRecord.CELL).with("target", policy).with("payload", payload).with("mode", mode);
  }

  private static LoadSpec spec(int port, String payload, String jsonBody, String sseBody, Map<String, String> headers) {
    return new LoadSpec("http://127.0.0.1:" + port + "/v1/messages", payload.equals("json") ? jsonBody : sseBody, headers);
  }

  private static Process startGateway(List<String> pin, Path dir, int port, String bootstrap, NginxUpstream up,
                                      String policy) throws IOException {
    Files.createDirectories(dir);
    Path yaml = dir.resolve("tollgate.yaml");
    Files.writeString(yaml, """
        model_list:
          - model_name: claude-sonnet-4-5
            litellm_params: {model: anthropic/claude-sonnet-4-5, api_base: "http://127.0.0.1:%d", api_key: sk-bench-upstream}
          - model_name: claude-haiku-4-5
            litellm_params: {model: anthropic/claude-haiku-4-5, api_base: "http://127.0.0.1:%d", api_key: sk-bench-upstream}
        tollgate:
          host: 127.0.0.1
          port: %d
          gateway_id: bench-%s
          kafka: {bootstrap_servers: "%s"}
          spill_dir: %s
          handoff: {fsync: %s}
          keys:
            - {key: %s, alias: bench, customer_id: bench}
        """.formatted(up.jsonPort(), up.ssePort(), port, policy.replace('_', '-'), bootstrap, dir.resolve("spill"),
        policy, VIRTUAL_KEY), StandardCharsets.UTF_8);
    List<String> cmd = new ArrayList<>(pin);
    cmd.addAll(ChildJvm.javaCommand("512m"));
    cmd.addAll(List.of("-cp", System.getProperty("java.class.path"), "io.tollgate.ingress.Main", "--config", yaml.toString()));
    Path log = dir.resolve("gateway.log");
    progress("starting the gateway, fsync " + policy);
    return ChildJvm.start(cmd, "Tollgate gateway on port", Duration.ofSeconds(120), line -> append(log, line)).process();
  }

  /** Waits for readiness 200 (Kafka connected) and returns its body; fails unless it reports {@code policy}. */
  private static String awaitReady(int port, String policy) throws Exception {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
    while (true) {
      try {
        HttpResponse<String> r = HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/health/readiness"))
            .timeout(Duration.ofSeconds(2)).build(), HttpResponse.BodyHandlers.ofString());
        if (r.statusCode() == 200 && r.body().contains("\"connected\"")) {
          if (!r.body().contains("\"fsync\":\"" + policy + "\"")) {
            throw new IllegalStateException("gateway started with another fsync policy than " + policy + ": " + r.body());
          }
          return r.body();
        }
      } catch (IOException e) {
        // not listening yet
      }
      if (System.nanoTime() > deadline) {
        throw new IllegalStateException("gateway (fsync " + policy + ") not ready with Kafka connected within 60 s");
      }
      Thread.sleep(200); // polling an HTTP endpoint: the condition is checked above, with a deadline
    }
  }

  /** The gateway's own count of events published to Kafka and still waiting in its log. */
  private static CellRecord events(String policy, int port, String readiness) throws Exception {
    String metrics = HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/metrics"))
        .timeout(Duration.ofSeconds(5)).build(), HttpResponse.BodyHandlers.ofString()).body();
    long published = 0;
    long backlog = 0;
    for (String line : metrics.lines().toList()) {
      String[] words = line.trim().split(" ");
      if (line.startsWith("tollgate_usage_events_total{") && line.contains("outcome=\"published\"")) {
        published += (long) Double.parseDouble(words[words.length - 1]);
      } else if (line.startsWith("tollgate_handoff_backlog_records")) {
        backlog += (long) Double.parseDouble(words[words.length - 1]);
      }
    }
    return CellRecord.of(CellRecord.EVENTS).with("target", policy).with("published", published)
        .with("spilled", backlog).with("policy_confirmed", readiness.contains("\"fsync\":\"" + policy + "\""));
  }

  private static void stop(Process p) throws InterruptedException {
    p.destroy();
    if (!p.waitFor(20, TimeUnit.SECONDS)) {
      p.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
    }
  }

  static void run(List<String> cmd) throws IOException, InterruptedException {
    Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
    String output = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    if (!p.waitFor(30, TimeUnit.SECONDS) || p.exitValue() != 0) {
      throw new IOException(String.join(" ", cmd) + " failed: " + output.strip());
    }
  }

  static void append(Path log, String line) {
    try {
      Files.writeString(log, line + "\n", StandardCharsets.UTF_8, StandardOpenOption.CREATE, StandardOpenOption.APPEND);
    } catch (IOException e) {
      // the log is a convenience
    }
  }


  private static void progress(String what) {
    System.err.println("bench handoff: " + java.time.LocalTime.now().withNano(0) + " " + what);
  }

  private static Map<String, String> options(String[] args) {
    Map<String, String> opt = new LinkedHashMap<>();
    for (int i = 0; i < args.length; i++) {
      switch (args[i]) {
        case "--quick" -> opt.put("quick", "true");
        case "--seconds", "--rate", "--out", "--rounds" -> {
          if (i + 1 >= args.length) {
            usage(args[i] + " needs a value");
          }
          opt.put(args[i].substring(2), args[++i]);
        }
        default -> usage("unknown option " + args[i]);
      }
    }
    return opt;
  }

  private static void usage(String problem) {
    System.err.println("bench handoff: " + problem);
    System.err.println("usage: ./tollgate bench handoff [--quick] [--seconds S] [--rate R] [--rounds N] [--out FILE]");
    System.exit(2);
  }
}
