package io.tollgate.bench.keys;

import io.tollgate.bench.peers.ProcStat;
import io.tollgate.local.kafka.EmbeddedKafka;
import io.tollgate.local.mock.MockProvider;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;

/**
 * {@code ./tollgate bench keys [--quick] [--keys N] [--seconds S] [--rounds R] [--out FILE]}: the
 * cost of budget and rate-limit enforcement with many virtual keys. One standalone gateway alone
 * on the first allowed core ({@code taskset}); this JVM (embedded Kafka, the mock provider, the
 * key maker) and wrk on the others. Keys come from {@code /key/generate} on that gateway; three
 * modes alternate round by round: "on" (calls spread over N keys with budgets and limits, each
 * in a team with its own), "off" (N keys with none), "one key" (every call on one limited key:
 * the per-scope lock at its worst). Writes its BENCHMARKS.md section; {@code --quick} (a smoke run
 * of the harness, small sizes) writes to a temporary file unless {@code --out} is given, and both
 * exit 1 when a round had errors or a mode measured nothing.
 */
public final class KeysBench {
  private static final String BODY = "{\"model\":\"claude-sonnet-4-5\",\"max_tokens\":20,"
      + "\"messages\":[{\"role\":\"user\",\"content\":\"hello from the keys benchmark\"}]}";
  private static final int CONNECTIONS = 64;

  private KeysBench() {
  }

  public static void main(String[] args) throws Exception {
    boolean quick = List.of(args).contains("--quick");
    int keys = quick ? 200 : 10_000;
    int seconds = quick ? 3 : 15;
    int rounds = quick ? 1 : 3;
    Path out = null;
    for (int i = 0; i < args.length; i++) {
      switch (args[i]) {
        case "--quick" -> { }
        case "--keys" -> keys = Integer.parseInt(args[++i]);
        case "--seconds" -> seconds = Integer.parseInt(args[++i]);
        case "--rounds" -> rounds = Integer.parseInt(args[++i]);
        case "--out" -> out = Path.of(args[++i]);
        default -> {
          System.err.println("usage: ./tollgate bench keys [--quick] [--keys N] [--seconds S] [--rounds R] [--out FILE]");
          System.exit(2);
        }
      }
    }
    int teams = Math.max(1, keys / 100);
    Path work = Files.createTempDirectory("tollgate-bench-keys");
    if (out == null) {
      out = quick ? work.getParent().resolve("tollgate-keys-quick.md") : Path.of("BENCHMARKS.md");
    }
    String loadAtStart = loadAverage();
    List<Integer> cpus = Pinning.allowedCpus();
    List<String> gatewayPin = Pinning.pinRestAndPrefixFirst(cpus);
    String pinning = cpus.size() >= 2
        ? "Gateway alone on core " + cpus.get(0) + " (taskset); wrk, Kafka, the mock provider and the key maker on "
          + cpus.subList(1, cpus.size())
        : "one core: nothing pinned (numbers not comparable to pinned runs)";
    String master = "sk-bench-master-" + UUID.randomUUID();
    long started = System.nanoTime();
    List<RotatingWrk.Run> runs = new ArrayList<>();
    String notes;
    try (EmbeddedKafka kafka = EmbeddedKafka.start(EmbeddedKafka.Options.in(work.resolve("kafka")));
         MockProvider mock = MockProvider.start(0);
         GatewayProcess gw = GatewayProcess.start(gatewayPin, work, mock.baseUrl(), kafka.bootstrapServers(), master)) {
      progress("gateway up (pid " + gw.pid() + "); making " + teams + " teams and 2 × " + keys + " keys");
      KeyMaker maker = new KeyMaker(gw.baseUrl(), master);
      long t0 = System.nanoTime();
      List<String> teamIds = maker.createAll("/team/new", teams, n -> KeyMaker.object().put("team_id", "bench-team-" + n)
          .put("max_budget", 100_000).put("budget_duration", "1d").put("rpm_limit", 10_000_000)
          .put("tpm_limit", 10_000_000_000L).put("max_parallel_requests", 100_000), "team_id");
      List<String> limited = maker.createAll("/key/generate", keys, n -> KeyMaker.object().put("key_alias", "bench-on-" + n)
          .put("team_id", teamIds.get(n % teamIds.size())).put("max_budget", 1000).put("budget_duration", "1d")
          .put("rpm_limit", 1_000_000).put("tpm_limit", 1_000_000_000L).put("max_parallel_requests", 10_000), "key");
      List<String> plain = maker.createAll("/key/generate", keys,
          n -> KeyMaker.object().put("key_alias", "bench-off-" + n), "key");
      double makeSeconds = (System.nanoTime() - t0) / 1e9;
      progress("made %d teams and %d keys in %.1f s".formatted(teams, 2 * keys, makeSeconds));
      Path onKeys = work.resolve("keys-on.txt");
      Path offKeys = work.resolve("keys-off.txt");
      Path oneKey = work.resolve("keys-one.txt");
      Files.write(onKeys, limited, StandardCharsets.UTF_8);
      Files.write(offKeys, plain, StandardCharsets.UTF_8);
      Files.write(oneKey, List.of(limited.get(0)), StandardCharsets.UTF_8);
      String url = gw.baseUrl() + "/v1/messages";
      // The last key of each set answers, and only the limited ones carry rate-limit headers:
      // the gateway follows every key, and "on" really enforces while "off" has nothing to enforce.
      probe(url, limited.get(limited.size() - 1), true);
      probe(url, plain.get(plain.size() - 1), false);
      RotatingWrk wrk = new RotatingWrk(new ProcStat(Path.of("/proc"), 100), work);
      // The gateway's JIT needs 30 s+ of traffic on one core before its numbers settle (peers bench).
      int warmRounds = quick ? 1 : 6;
      int warmSeconds = quick ? 2 : 5;
      for (int r = 1; r <= warmRounds; r++) {
        progress("warm-up " + r + "/" + warmRounds);
        wrk.run("on", 0, url, BODY, onKeys, CONNECTIONS, warmSeconds, gw.pid());
        wrk.run("off", 0, url, BODY, offKeys, CONNECTIONS, warmSeconds, gw.pid());
      }
      for (int r = 1; r <= rounds; r++) {
        // Alternate the order so a load change on the shared machine does not favour one mode.
        List<String> order = r % 2 == 1 ? List.of("on", KeysReport.OFF, "one") : List.of(KeysReport.OFF, "on", "one");
        for (String mode : order) {
          progress("round " + r + "/" + rounds + ": " + mode);
          Path file = switch (mode) {
            case "on" -> onKeys;
            case "one" -> oneKey;
            default -> offKeys;
          };
          runs.add(wrk.run(mode, r, url, BODY, file, CONNECTIONS, seconds, gw.pid()));
        }
      }
      notes = ("Warm-up: %d × %d s of each of on and off before the measured rounds. "
          + "Keys made through `/key/generate` at %,.0f keys/s (%d in flight; each write answers once "
          + "durable, acks=all). No aggregator runs: the spend totals topic stays silent, so budgets take "
          + "their fail-open path (the same reservation work; `on_stale_totals: closed` would refuse). "
          + "Harness run time: %d s.").formatted(warmRounds, warmSeconds, 2 * keys / makeSeconds, KeyMaker.PARALLEL,
          (System.nanoTime() - started) / 1_000_000_000L);
    }
    String machine = "%d vCPU (%s), %s, Linux %s, Java %s".formatted(cpus.size(),
        cpuModel(), memory(), System.getProperty("os.version"), System.getProperty("java.version"));
    String command = "./tollgate bench keys" + (args.length == 0 ? "" : " " + String.join(" ", args));
    KeysReport.Context ctx = new KeysReport.Context(
        ZonedDateTime.now(ZoneOffset.UTC).format(DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm 'UTC'")),
        command, machine, pinning, loadAtStart + " at the start, " + loadAverage() + " at the end", keys, teams,
        CONNECTIONS, seconds, rounds, notes);
    String section = KeysReport.render(ctx, runs, Map.of("on", "on: budgets + limits, %,d keys".formatted(keys),
        KeysReport.OFF, "off: no limits, %,d keys".formatted(keys), "one", "on: every call on one key"));
    String old = Files.exists(out) ? Files.readString(out, StandardCharsets.UTF_8) : "# Benchmarks\n";
    Files.writeString(out, KeysReport.replaceSection(old, section), StandardCharsets.UTF_8);
    System.out.print(section);
    progress("wrote " + out.toAbsolutePath());
    List<String> problems = KeysReport.problems(runs, List.of("on", KeysReport.OFF, "one"));
    if (!problems.isEmpty()) {
      System.err.println("bench keys: " + String.join("; ", problems));
      System.exit(1);
    }
    System.exit(0); // no lingering non-daemon threads (Kafka, Vert.x) may keep the bench alive
  }

  /** One call with {@code key}: 200, and rate-limit headers exactly when the key has limits. */
  private static void probe(String url, String key, boolean limited) throws IOException, InterruptedException {
    HttpClient http = HttpClient.newHttpClient();
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
    HttpResponse<String> resp;
    do { // a key answered by /key/generate is in this gateway's directory within its follow interval
      resp = http.send(HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(10))
          .header("x-api-key", key).header("content-type", "application/json").header("anthropic-version", "2023-06-01")
          .POST(HttpRequest.BodyPublishers.ofString(BODY)).build(), HttpResponse.BodyHandlers.ofString());
    } while (resp.statusCode() == 401 && System.nanoTime() < deadline && pause());
    boolean hasLimits = resp.headers().firstValue("x-ratelimit-limit-requests").isPresent();
    if (resp.statusCode() != 200 || hasLimits != limited) {
      throw new IllegalStateException("probe with a " + (limited ? "limited" : "plain") + " key: HTTP "
          + resp.statusCode() + ", rate-limit headers " + hasLimits + ": " + resp.body());
    }
  }

  private static boolean pause() throws InterruptedException {
    Thread.sleep(100); // polling the condition (the key being followed), bounded by the deadline above
    return true;
  }

  private static void progress(String what) {
    System.err.println("bench keys: " + java.time.LocalTime.now().withNano(0) + " " + what);
  }

  private static String loadAverage() throws IOException {
    return Files.readString(Path.of("/proc/loadavg")).split(" ")[0];
  }

  private static String cpuModel() throws IOException {
    return Files.readAllLines(Path.of("/proc/cpuinfo")).stream().filter(l -> l.startsWith("model name"))
        .map(l -> l.substring(l.indexOf(':') + 1).trim()).findFirst().orElse("?");
  }

  private static String memory() throws IOException {
    return Files.readAllLines(Path.of("/proc/meminfo")).stream().filter(l -> l.startsWith("MemTotal"))
        .map(l -> Math.round(Long.parseLong(l.replaceAll("\\D", "")) / 1048576.0) + " GB RAM").findFirst().orElse("?");
  }
}
