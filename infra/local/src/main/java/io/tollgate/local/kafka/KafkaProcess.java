package io.tollgate.local.kafka;

import io.tollgate.local.process.ChildJvm;
import java.io.BufferedWriter;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.TimeUnit;

/**
 * {@link EmbeddedKafka} in a child JVM, so a test can stop (gracefully or with a kill) and
 * restart the broker on the same ports and data while its own clients keep running. The child
 * exits when this JVM goes away because its standard input closes.
 */
public final class KafkaProcess implements KafkaCluster {
  static final String READY = "TOLLGATE-KAFKA-READY";

  private final EmbeddedKafka.Options options;
  private final int port;
  private final int controllerPort;
  private Process process;

  /** Chooses the ports once, so every restart listens where the clients expect it. */
  public KafkaProcess(EmbeddedKafka.Options options) {
    this.options = Objects.requireNonNull(options, "options");
    this.port = options.port() == 0 ? FreePorts.pick() : options.port();
    this.controllerPort = options.controllerPort() == 0 ? FreePorts.pick() : options.controllerPort();
  }

  /** Starts the child and waits (up to 90 s) until it serves; its output goes to {@code kafka-process.log}. */
  public synchronized KafkaProcess start() {
    if (process != null && process.isAlive()) {
      throw new IllegalStateException("Kafka process already running on " + bootstrapServers());
    }
    try {
      Files.createDirectories(options.dataDir());
      BufferedWriter log = Files.newBufferedWriter(options.dataDir().resolve("kafka-process.log"),
          StandardCharsets.UTF_8, StandardOpenOption.CREATE, StandardOpenOption.APPEND);
      List<String> cmd = new ArrayList<>(ChildJvm.javaCommand("512m"));
      cmd.addAll(List.of("-cp", System.getProperty("java.class.path"),
          EmbeddedKafka.class.getName(),
          "--data-dir", options.dataDir().toString(),
          "--port", Integer.toString(port),
          "--controller-port", Integer.toString(controllerPort),
          "--partitions", Integer.toString(options.partitions())));
      process = ChildJvm.start(cmd, READY, Duration.ofSeconds(90), line -> {
        try {
          log.write(line);
          log.newLine();
          log.flush();
        } catch (IOException e) {
          // the log is a convenience; the broker keeps running without it
        }
      }).process();
      process.onExit().thenRun(() -> {
        try {
          log.close();
        } catch (IOException e) {
          // nothing more to write
        }
      });
      return this;
    } catch (IOException e) {
      throw new UncheckedIOException("cannot start Kafka process", e);
    }
  }

  /** Graceful stop (SIGTERM: the broker shuts down cleanly); waits for the process to end. */
  public synchronized void stop() {
    end(false);
  }

  /** Hard stop (SIGKILL), as a crash would. */
  public synchronized void kill() {
    end(true);
  }

  private void end(boolean force) {
    if (process == null) {
      return;
    }
    if (force) {
      process.destroyForcibly();
    } else {
      process.destroy();
    }
    try {
      if (!process.waitFor(60, TimeUnit.SECONDS)) {
        process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      process.destroyForcibly();
    }
    process = null;
  }

  public synchronized boolean isRunning() {
    return process != null && process.isAlive();
  }

  @Override
  public String bootstrapServers() {
    return "127.0.0.1:" + port;
  }

  public int port() {
    return port;
  }

  @Override
  public void close() {
    stop();
  }

  static Map<String, String> parseArgs(String[] args) {
    Map<String, String> out = new HashMap<>();
    for (int i = 0; i < args.length; i++) {
      if (!args[i].startsWith("--") || i + 1 >= args.length) {
        throw new IllegalArgumentException("expected --name value pairs, got: " + String.join(" ", args));
      }
      out.put(args[i].substring(2), args[++i]);
    }
    if (!out.containsKey("data-dir")) {
      throw new IllegalArgumentException("--data-dir is required");
    }
    return out;
  }
}
