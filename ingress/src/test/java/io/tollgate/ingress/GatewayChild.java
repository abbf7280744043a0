package io.tollgate.ingress;

import io.tollgate.local.process.ChildJvm;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The gateway as its own JVM ({@code io.tollgate.ingress.Main}, as in production), so that a test
 * can SIGKILL it ({@link Process#destroyForcibly()}) or let a kill point halt it, then start
 * another on the same spill directory. Its output is kept for the failure message.
 */
final class GatewayChild implements AutoCloseable {
  private static final Pattern PORT = Pattern.compile("Tollgate gateway on port (\\d+)");
  private final Process process;
  private final List<String> output;
  private final int port;

  private GatewayChild(Process process, List<String> output, int port) {
    this.process = process;
    this.output = output;
    this.port = port;
  }

  /** Writes the config and starts a gateway; {@code properties} are {@code -D} flags (the kill points). */
  static GatewayChild start(Path dir, String upstream, String kafka, Path spill, String... properties) {
    return start(dir, upstream, kafka, "{}", spill, properties);
  }

  /** Same, with {@code tollgate.kafka.properties} (a YAML flow mapping) for the gateway's Kafka clients. */
  static GatewayChild start(Path dir, String upstream, String kafka, String kafkaProperties, Path spill,
                            String... properties) {
    Path config = dir.resolve("gateway-" + System.nanoTime() + ".yaml");
    String yaml = """
        model_list:
          - model_name: claude-sonnet-4-5
            litellm_params: {model: anthropic/claude-sonnet-4-5, api_base: %s}
        tollgate:
          port: 0
          host: 127.0.0.1
          gateway_id: kill-it
          spill_dir: %s
          kafka: {bootstrap_servers: "%s", properties: %s}
        """.formatted(upstream, spill, kafka, kafkaProperties);
    try {
      Files.writeString(config, yaml);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    List<String> cmd = new ArrayList<>(ChildJvm.javaCommand("384m"));
    cmd.addAll(List.of(properties));
    cmd.addAll(List.of("-cp", System.getProperty("java.class.path"), Main.class.getName(), "--config", config.toString()));
    List<String> output = Collections.synchronizedList(new ArrayList<>());
    Process process = ChildJvm.start(cmd, "Tollgate gateway on port", Duration.ofSeconds(90), output::add).process();
    int port = -1;
    synchronized (output) {
      for (String line : output) {
        Matcher m = PORT.matcher(line);
        if (m.find()) {
          port = Integer.parseInt(m.group(1));
        }
      }
    }
    return new GatewayChild(process, output, port);
  }

  int port() {
    return port;
  }

  URI uri(String path) {
    return URI.create("http://127.0.0.1:" + port + path);
  }

  /** Waits (bounded) for the process to end by itself, as a kill point makes it; its exit code. */
  int awaitExit(Duration timeout) throws InterruptedException {
    if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
      throw new AssertionError("the gateway did not stop within " + timeout + "; last output: " + tail());
    }
    return process.exitValue();
  }

  /** SIGKILL, and wait until it is gone. */
  void kill() throws InterruptedException {
    process.destroyForcibly();
    if (!process.waitFor(30, TimeUnit.SECONDS)) {
      throw new AssertionError("the gateway survived SIGKILL for 30 s");
    }
  }

  boolean alive() {
    return process.isAlive();
  }

  /** The value of a sample of {@code /metrics} (0 when absent). */
  double metric(HttpClient http, String sample) throws Exception {
    String body = http.send(HttpRequest.newBuilder(uri("/metrics")).timeout(Duration.ofSeconds(10)).build(),
        HttpResponse.BodyHandlers.ofString()).body();
    for (String line : body.split("\n")) {
      if (line.startsWith(sample + " ")) {
        return Double.parseDouble(line.substring(sample.length() + 1).trim());
      }
    }
    return 0;
  }

  String tail() {
    synchronized (output) {
      return String.join("\n", output.subList(Math.max(0, output.size() - 40), output.size()));
    }
  }

  List<String> output() {
    synchronized (output) {
      return List.copyOf(output);
    }
  }

  @Override
  public void close() throws InterruptedException {
    if (process.isAlive()) {
      kill();
    }
  }
}
