package io.tollgate.bench.system;

import io.tollgate.local.kafka.FreePorts;
import java.io.BufferedReader;
import java.io.BufferedWriter;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * {@code ./tollgate run} as a user starts it, as a child process: the script itself (which execs
 * {@code io.tollgate.launcher.Main}, so the pid is the launcher JVM's) with embedded defaults —
 * Kafka, a local ClickHouse, the mock provider, aggregator and alerting — in a fresh
 * {@code TOLLGATE_HOME}, on free ports, with an environment that selects those defaults (no
 * provider keys, no {@code TOLLGATE_*}/{@code LITELLM_*} overrides, no ClickHouse URL, no Slack
 * hook). Output goes to a log file. {@link #close} stops the whole tree: SIGTERM (the launcher
 * stops its parts in order), then SIGKILL to the launcher and to every descendant still alive,
 * also from a shutdown hook when the bench itself is stopped.
 */
final class LauncherProcess implements AutoCloseable {
  /** The launcher's ready line ({@code io.tollgate.launcher.Main.READY_LINE}). */
  static final String READY_LINE = "Tollgate is up.";

  private final Process process;
  private final Path home;
  private final Path log;
  final int gatewayPort;
  final int clickhousePort;
  private volatile Duration startup;
  private final List<ProcessHandle> tree = new ArrayList<>();
  private final Thread hook;

  private LauncherProcess(Process process, Path home, Path log, int gatewayPort, int clickhousePort) {
    this.process = process;
    this.home = home;
    this.log = log;
    this.gatewayPort = gatewayPort;
    this.clickhousePort = clickhousePort;
    this.hook = new Thread(this::stopTree, "stop-bench-launcher");
  }

  static LauncherProcess start(Path root, Path home, Path log, Duration timeout) throws IOException, InterruptedException {
    int kafka = FreePorts.pick();
    int ch = FreePorts.pick();
    int chTcp = FreePorts.pick();
    int mock = FreePorts.pick();
    int gateway = FreePorts.pick();
    List<String> cmd = List.of("bash", root.resolve("tollgate").toString(), "run",
        "--kafka-port", Integer.toString(kafka), "--clickhouse-port", Integer.toString(ch),
        "--clickhouse-tcp-port", Integer.toString(chTcp), "--mock-port", Integer.toString(mock),
        "--port", Integer.toString(gateway));
    ProcessBuilder pb = new ProcessBuilder(cmd).directory(root.toFile()).redirectErrorStream(true);
    pb.environment().keySet().removeIf(k -> k.startsWith("TOLLGATE_") || k.startsWith("LITELLM_")
        || k.equals("CLICKHOUSE_URL") || k.equals("ANTHROPIC_API_KEY") || k.equals("OPENAI_API_KEY")
        || k.equals("SLACK_WEBHOOK_URL"));
    pb.environment().put("TOLLGATE_HOME", home.toString());
    long t0 = System.nanoTime();
    Process process = pb.start();
    CompletableFuture<Void> ready = new CompletableFuture<>();
    BufferedWriter out = Files.newBufferedWriter(log, StandardCharsets.UTF_8);
    Thread pump = new Thread(() -> {
      try (out; BufferedReader in = new BufferedReader(new InputStreamReader(process.getInputStream(),
          StandardCharsets.UTF_8))) {
        String line;
        while ((line = in.readLine()) != null) {
          out.write(line);
          out.newLine();
          out.flush();
          if (line.startsWith(READY_LINE)) {
            ready.complete(null);
          }
        }
      } catch (IOException e) {
        // the launcher went away; the exit check reports it
      }
      ready.completeExceptionally(new IOException("./tollgate run exited before it was up"));
    }, "launcher-output");
    pump.setDaemon(true);
    pump.start();
    LauncherProcess launcher = new LauncherProcess(process, home, log, gateway, ch);
    Runtime.getRuntime().addShutdownHook(launcher.hook);
    try {
      ready.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
    } catch (Exception e) {
      launcher.close();
      throw new IOException("./tollgate run was not up within " + timeout.toSeconds() + " s (" + e.getMessage()
          + "); its log:\n" + launcher.tail(40), e);
    }
    launcher.startup = Duration.ofNanos(System.nanoTime() - t0);
    return launcher;
  }

  /** From starting the script to its ready line. */
  Duration startup() {
    return startup;
  }

  long pid() {
    return process.pid();
  }

  boolean alive() {
    return process.isAlive();
  }

  /** The ClickHouse server(s) the launcher started (its descendants whose program is ClickHouse). */
  List<Long> clickhousePids() {
    return process.descendants().filter(p -> p.info().command().map(c -> c.contains("clickhouse")).orElse(false))
        .map(ProcessHandle::pid).toList();
  }

  /** The master key created on this first start (kept in the home, as for any user). */
  String masterKey() throws IOException {
    return Files.readString(home.resolve("master-key")).strip();
  }

  String tail(int lines) {
    try {
      List<String> all = Files.readAllLines(log, StandardCharsets.UTF_8);
      return String.join("\n", all.subList(Math.max(0, all.size() - lines), all.size()));
    } catch (IOException e) {
      return "(no log)";
    }
  }

  /** Stops the launcher and everything it started (see the class comment). */
  @Override
  public void close() {
    try {
      Runtime.getRuntime().removeShutdownHook(hook);
    } catch (IllegalStateException alreadyStopping) {
      // the hook runs this anyway
    }
    stopTree();
  }

  private synchronized void stopTree() {
    tree.addAll(process.descendants().toList()); // before the parent goes: orphans are reparented
    process.destroy();
    try {
      if (!process.waitFor(60, TimeUnit.SECONDS)) {
        process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      process.destroyForcibly();
    }
    for (ProcessHandle p : tree) {
      if (p.isAlive()) {
        p.destroyForcibly();
      }
    }
    for (ProcessHandle p : tree) {
      try {
        p.onExit().get(10, TimeUnit.SECONDS);
      } catch (Exception e) {
        // best effort: reported by the caller's check of what is left
      }
    }
  }

  /** Descendants still alive after {@link #close} (should be none). */
  List<Long> leftovers() {
    return tree.stream().filter(ProcessHandle::isAlive).map(ProcessHandle::pid).toList();
  }
}
