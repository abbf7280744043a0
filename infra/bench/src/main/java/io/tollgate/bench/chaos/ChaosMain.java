package io.tollgate.bench.chaos;

import io.tollgate.local.clickhouse.LocalClickHouse;
import io.tollgate.local.kafka.FreePorts;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;

/**
 * {@code ./tollgate chaos [--quick] [--only id,id] [--out RELIABILITY.md]}: every scenario of
 * {@link Scenarios#all()} on its own stack of processes, each with a client-side ledger, then
 * RELIABILITY.md rewritten between its markers (after every scenario, so a long run that is cut
 * short still leaves what it measured). Exit status 1 when a scenario failed.
 */
public final class ChaosMain {
  private ChaosMain() {
  }

  /** The harness's ClickHouse: one server, stopped and started again on the same ports and data. */
  static final class ClickHouseServer {
    private final LocalClickHouse.Options options;
    private LocalClickHouse server;

    ClickHouseServer(Path dir) {
      options = new LocalClickHouse.Options(dir, FreePorts.pick(), FreePorts.pick());
    }

    synchronized void start() {
      server = LocalClickHouse.start(options);
    }

    synchronized void stop() {
      if (server != null) {
        server.close();
        server = null;
      }
    }

    String url() {
      return "http://127.0.0.1:" + options.httpPort();
    }
  }

  /** What scenarios get: the scale, a directory each, Vert.x for the load, ClickHouse, the command line. */
  record Context(Scale scale, Path root, Vertx vertx, ClickHouseServer clickhouse) {
    Run run(String id) {
      return run(id, null, 0, null);
    }

    Run run(String id, Stack.Net net, int proxyPort, String alertingYaml) {
      return new Run(id, scale, root.resolve(id), vertx, clickhouse, net, proxyPort, alertingYaml);
    }

    /** The same, with a fresh directory per scenario (a retry must not reuse a failed run's data). */
    Context again() {
      return new Context(scale, root.resolve("retry-" + System.nanoTime()), vertx, clickhouse);
    }

    String command(String id) {
      return "./tollgate chaos" + (scale.quick() ? " --quick" : "") + " --only " + id;
    }
  }

  public static void main(String[] args) throws Exception {
    boolean quick = false;
    Set<String> only = new TreeSet<>();
    Path out = Path.of("RELIABILITY.md");
    for (int i = 0; i < args.length; i++) {
      switch (args[i]) {
        case "--quick" -> quick = true;
        case "--only" -> only.addAll(Arrays.asList(args[++i].split(",")));
        case "--out" -> out = Path.of(args[++i]);
        default -> {
          System.err.println("usage: ./tollgate chaos [--quick] [--only id,id] [--out FILE]; scenarios: "
              + Scenarios.all().stream().map(Scenarios.Scenario::id).toList());
          System.exit(2);
        }
      }
    }
    List<Scenarios.Scenario> selected = Scenarios.all().stream()
        .filter(s -> only.isEmpty() || only.contains(s.id())).toList();
    if (selected.isEmpty()) {
      System.err.println("no scenario matches --only " + only);
      System.exit(2);
    }
    Scale scale = quick ? Scale.quickRun() : Scale.full();
    Path root = Files.createTempDirectory("tollgate-chaos");
    ReliabilityReport.Meta meta = ReliabilityReport.Meta.now("./tollgate chaos" + (args.length == 0 ? "" : " " + String.join(" ", args)),
        quick, Instant.now());
    System.out.println("[chaos] " + selected.size() + " scenarios, " + (quick ? "quick" : "full") + " run, data in " + root);
    // Interrupted (Ctrl-C, SIGTERM): no component of ours may outlive the harness.
    Runtime.getRuntime().addShutdownHook(new Thread(() -> ProcessHandle.current().descendants()
        .forEach(ProcessHandle::destroyForcibly), "chaos-cleanup"));
    ClickHouseServer clickhouse = new ClickHouseServer(root.resolve("clickhouse"));
    clickhouse.start();
    Vertx vertx = Vertx.vertx(new VertxOptions().setEventLoopPoolSize(1));
    List<Result> results = new ArrayList<>();
    long t0 = System.nanoTime();
    try {
      Context ctx = new Context(scale, root, vertx, clickhouse);
      for (Scenarios.Scenario s : selected) {
        long started = System.nanoTime();
        Result r;
        try {
          r = s.body().run(ctx, s.id(), s.title());
        } catch (Exception | AssertionError first) {
          // The harness's own trouble (a port picked as free and taken by someone else before the
          // component bound it) must not pass for a finding: one more try on fresh ports and data.
          first.printStackTrace();
          System.out.println("[chaos] " + s.id() + ": " + first + "; trying once more");
          try {
            r = s.body().run(ctx.again(), s.id(), s.title());
          } catch (Exception | AssertionError e) {
            e.printStackTrace();
            r = new Result(s.id(), s.title(), ctx.command(s.id()), 0, java.util.Map.of(), null, null, 0, 0, Double.NaN, -1,
                List.of(), false, e.toString());
          }
        }
        System.out.printf("[chaos] %s: %s in %.0f s%n", s.id(), r.error() != null && r.error().startsWith("skipped")
            ? r.error() : r.pass() ? "PASS" : "FAIL", (System.nanoTime() - started) / 1e9);
        results.add(r);
        ReliabilityReport.write(out, meta.finished(Instant.now(), (System.nanoTime() - t0) / 1e9), results);
      }
    } finally {
      vertx.close();
      clickhouse.stop();
    }
    System.out.printf("[chaos] done in %.0f s; %s written%n", (System.nanoTime() - t0) / 1e9, out);
    boolean failed = results.stream().anyMatch(r -> !r.pass() && (r.error() == null || !r.error().startsWith("skipped")));
    System.exit(failed ? 1 : 0);
  }
}
