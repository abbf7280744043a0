package io.tollgate.local.process;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * Starts a Java main class in a child JVM (same JDK, with the flags Kafka and Netty need) and
 * waits until it prints its ready line. Every output line goes to a consumer until the child
 * ends, so callers can keep a log or assert on shutdown messages.
 */
public final class ChildJvm {
  private ChildJvm() {
  }

  /** A started child and the thread copying its output (join it to read everything). */
  public record Started(Process process, Thread output) {
  }

  /** The {@code java} command of this JDK with the JVM flags the Tollgate runtime needs. */
  public static List<String> javaCommand(String maxHeap) {
    List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
        "-Xmx" + maxHeap, "--enable-native-access=ALL-UNNAMED"));
    if (Runtime.version().feature() >= 24) {
      cmd.add("--sun-misc-unsafe-memory-access=allow");
    }
    return cmd;
  }

  /**
   * Runs {@code command}, sends each output line to {@code lines} and returns once a line starts
   * with {@code readyPrefix}; kills the child and fails if that does not happen in time.
   */
  public static Started start(List<String> command, String readyPrefix, Duration timeout, Consumer<String> lines) {
    return start(command, Map.of(), readyPrefix, timeout, lines);
  }

  /** Same, with {@code env} added to the child's environment. */
  public static Started start(List<String> command, Map<String, String> env, String readyPrefix, Duration timeout,
                              Consumer<String> lines) {
    Process process;
    try {
      ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true);
      builder.environment().putAll(env);
      process = builder.start();
    } catch (IOException e) {
      throw new UncheckedIOException("cannot start " + command.get(0), e);
    }
    CompletableFuture<Void> ready = new CompletableFuture<>();
    Thread pump = new Thread(() -> {
      try (BufferedReader in = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
        String line;
        while ((line = in.readLine()) != null) {
          lines.accept(line);
          if (line.startsWith(readyPrefix)) {
            ready.complete(null);
          }
        }
      } catch (IOException e) {
        // the child went away (or Process.destroy closed the stream); the exit check reports it
      }
      ready.completeExceptionally(new IllegalStateException("child process exited before it was ready"));
    }, "child-jvm-output");
    pump.setDaemon(true);
    pump.start();
    try {
      ready.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
      return new Started(process, pump);
    } catch (Exception e) {
      process.destroyForcibly();
      if (e instanceof InterruptedException) {
        Thread.currentThread().interrupt();
      }
      throw new IllegalStateException("child process did not print '" + readyPrefix + "' within " + timeout
          + ": " + (e.getCause() == null ? e : e.getCause()).getMessage(), e);
    }
  }
}
