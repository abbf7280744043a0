package io.tollgate.bench.chaos;

import io.tollgate.local.process.ChildJvm;
import java.io.BufferedWriter;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * One component of the system under test as its own OS process (a JVM, optionally inside a
 * network namespace via {@code ip netns exec}, which execs, so the pid is the JVM's), with its
 * output appended to a log file and the signals the scenarios need: SIGTERM, SIGKILL, SIGSTOP,
 * SIGCONT. The command is kept so the component restarts the same way on the same ports and data.
 */
final class Proc {
  private final String name;
  private final List<String> command;
  private final String readyPrefix;
  private final Path log;
  private volatile Process process;
  private volatile boolean frozen;

  Proc(String name, List<String> command, String readyPrefix, Path log) {
    this.name = name;
    this.command = List.copyOf(command);
    this.readyPrefix = readyPrefix;
    this.log = log;
  }

  /** A JVM running {@code mainClass} with this harness's classpath, {@code heap} max heap, in {@code netns} (null = none). */
  static List<String> jvm(String netns, String heap, List<String> jvmFlags, String mainClass, List<String> args) {
    List<String> cmd = new ArrayList<>();
    if (netns != null) {
      cmd.addAll(List.of("ip", "netns", "exec", netns));
    }
    cmd.addAll(ChildJvm.javaCommand(heap));
    // Each child is kept to one CPU's worth of threads and a small heap: the machine is shared.
    // C1 only: a fraction of the JIT's CPU at start, which is what a loaded machine runs short of.
    cmd.addAll(List.of("-XX:ActiveProcessorCount=1", "-XX:+UseSerialGC", "-Xss512k", "-XX:TieredStopAtLevel=1"));
    cmd.addAll(jvmFlags);
    cmd.addAll(List.of("-cp", System.getProperty("java.class.path"), mainClass));
    cmd.addAll(args);
    return cmd;
  }

  String name() {
    return name;
  }

  /** Starts the process and waits for its ready line. */
  synchronized Proc start(Duration timeout) {
    if (process != null && process.isAlive()) {
      throw new IllegalStateException(name + " is already running");
    }
    try {
      Files.createDirectories(log.getParent());
      BufferedWriter out = Files.newBufferedWriter(log, StandardCharsets.UTF_8, StandardOpenOption.CREATE,
          StandardOpenOption.APPEND);
      out.write("---- start " + java.time.Instant.now() + " " + String.join(" ", command.subList(0, Math.min(8, command.size())))
          + " ...");
      out.newLine();
      out.flush();
      process = ChildJvm.start(command, readyPrefix, timeout, line -> {
        try {
          synchronized (out) {
            out.write(line);
            out.newLine();
            out.flush();
          }
        } catch (IOException e) {
          // the log is a convenience only
        }
      }).process();
      frozen = false;
      return this;
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write " + log, e);
    }
  }

  long pid() {
    Process p = process;
    return p == null ? -1 : p.pid();
  }

  boolean alive() {
    Process p = process;
    return p != null && p.isAlive();
  }

  /** SIGKILL and wait until gone. */
  synchronized void kill() {
    end(true);
  }

  /** SIGTERM (a clean shutdown), SIGKILL after 60 s; waits until gone. */
  synchronized void stop() {
    end(false);
  }

  private void end(boolean force) {
    Process p = process;
    if (p == null) {
      return;
    }
    if (frozen) {
      signal("CONT");
    }
    if (force) {
      p.destroyForcibly();
    } else {
      p.destroy();
    }
    try {
      if (!p.waitFor(60, TimeUnit.SECONDS)) {
        p.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      p.destroyForcibly();
    }
    process = null;
  }

  /** SIGSTOP: the process stays, its sockets stay open, nothing answers. */
  void freeze() {
    signal("STOP");
    frozen = true;
  }

  /** SIGCONT. */
  void thaw() {
    signal("CONT");
    frozen = false;
  }

  private void signal(String signal) {
    long pid = pid();
    if (pid < 0) {
      throw new IllegalStateException(name + " is not running");
    }
    try {
      Process kill = new ProcessBuilder("kill", "-" + signal, Long.toString(pid)).inheritIO().start();
      if (!kill.waitFor(10, TimeUnit.SECONDS) || kill.exitValue() != 0) {
        throw new IllegalStateException("kill -" + signal + " " + pid + " failed");
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  /** Resident memory in MB (from /proc), or -1 when not running. */
  long rssMb() {
    long pid = pid();
    if (pid < 0) {
      return -1;
    }
    try {
      for (String line : Files.readAllLines(Path.of("/proc", Long.toString(pid), "status"))) {
        if (line.startsWith("VmRSS:")) {
          return Long.parseLong(line.replaceAll("[^0-9]", "")) / 1024;
        }
      }
    } catch (IOException | NumberFormatException e) {
      return -1;
    }
    return -1;
  }

  /** The last lines of its log, for a failure message. */
  String tail(int lines) {
    try {
      List<String> all = Files.readAllLines(log);
      return String.join("\n", all.subList(Math.max(0, all.size() - lines), all.size()));
    } catch (IOException e) {
      return "(no log)";
    }
  }
}
