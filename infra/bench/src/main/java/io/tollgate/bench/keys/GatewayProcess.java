package io.tollgate.bench.keys;

import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * The gateway under test as its own process ({@code io.tollgate.ingress.Main}, default JVM flags,
 * as the peers benchmark runs it), behind the pinning prefix, with a master key and the embedded
 * broker: so its management state lives on Kafka and {@code /key/generate} works. Its output goes
 * to {@code gateway.log} in the work directory; close stops it (TERM, then KILL after 15 s).
 */
final class GatewayProcess implements AutoCloseable {
  private final Process process;
  private final int port;

  private GatewayProcess(Process process, int port) {
    this.process = process;
    this.port = port;
  }

  static GatewayProcess start(List<String> pin, Path work, String upstream, String bootstrap, String masterKey)
      throws IOException, InterruptedException {
    int port;
    try (ServerSocket s = new ServerSocket(0)) {
      port = s.getLocalPort();
    }
    Path config = work.resolve("gateway.yaml");
    Files.writeString(config, """
        model_list:
          - model_name: claude-sonnet-4-5
            litellm_params: {model: anthropic/claude-sonnet-4-5, api_base: "%s", api_key: sk-bench-upstream}
        general_settings: {master_key: %s}
        tollgate:
          host: 127.0.0.1
          port: %d
          gateway_id: bench-keys
          kafka: {bootstrap_servers: "%s"}
          spill_dir: %s
        """.formatted(upstream, masterKey, port, bootstrap, work.resolve("spill")), StandardCharsets.UTF_8);
    List<String> cmd = new ArrayList<>(pin);
    cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    cmd.add("--enable-native-access=ALL-UNNAMED");
    if (Runtime.version().feature() >= 24) {
      cmd.add("--sun-misc-unsafe-memory-access=allow");
    }
    cmd.addAll(List.of("-cp", System.getProperty("java.class.path"), "io.tollgate.ingress.Main", "--config",
        config.toString()));
    ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true)
        .redirectOutput(work.resolve("gateway.log").toFile());
    // The config file is the whole configuration: no override from this shell's environment.
    pb.environment().keySet().removeIf(k -> k.startsWith("TOLLGATE_") || k.startsWith("LITELLM_")
        || k.equals("CLICKHOUSE_URL"));
    Process process = pb.start();
    // A bench stopped by a signal skips its try-with-resources: the gateway must not outlive it.
    Runtime.getRuntime().addShutdownHook(new Thread(process::destroy, "stop-bench-gateway"));
    GatewayProcess gw = new GatewayProcess(process, port);
    try {
      gw.awaitReady(Duration.ofSeconds(90), work.resolve("gateway.log"));
    } catch (IOException | RuntimeException e) {
      gw.close();
      throw e;
    }
    return gw;
  }

  private void awaitReady(Duration timeout, Path log) throws IOException, InterruptedException {
    HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
    long deadline = System.nanoTime() + timeout.toNanos();
    while (System.nanoTime() < deadline) {
      if (!process.isAlive()) {
        throw new IOException("the gateway exited while starting:\n" + tail(log));
      }
      try {
        HttpResponse<Void> r = http.send(HttpRequest.newBuilder(URI.create(baseUrl() + "/health/readiness"))
            .timeout(Duration.ofSeconds(2)).build(), HttpResponse.BodyHandlers.discarding());
        if (r.statusCode() == 200) {
          return;
        }
      } catch (IOException notYet) {
        // not listening yet
      }
      Thread.sleep(200); // polling readiness, bounded by the deadline
    }
    throw new IOException("the gateway was not ready within " + timeout.toSeconds() + " s:\n" + tail(log));
  }

  private static String tail(Path log) throws IOException {
    List<String> lines = Files.readAllLines(log, StandardCharsets.UTF_8);
    return String.join("\n", lines.subList(Math.max(0, lines.size() - 30), lines.size()));
  }

  long pid() {
    return process.pid();
  }

  String baseUrl() {
    return "http://127.0.0.1:" + port;
  }

  @Override
  public void close() throws InterruptedException {
    process.destroy();
    if (!process.waitFor(15, TimeUnit.SECONDS)) {
      process.destroyForcibly();
      process.waitFor(10, TimeUnit.SECONDS);
    }
  }
}
