package io.tollgate.local.clickhouse;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** Finds the {@code clickhouse-server} binary, installing Debian's package when allowed. */
final class ClickHouseInstaller {
  static final String INSTALL_COMMAND = "sudo apt-get update && sudo apt-get install -y clickhouse-server";
  private static final List<String> CANDIDATES = List.of(
      "/usr/sbin/clickhouse-server", "/usr/bin/clickhouse-server", "/usr/local/bin/clickhouse-server");

  private ClickHouseInstaller() {
  }

  /** The server binary; installs it with apt when missing and running as root. */
  static Path findOrInstall() {
    Path found = find();
    if (found != null) {
      return found;
    }
    if (!isRoot()) {
      throw new IllegalStateException("clickhouse-server is not installed. Install it with:\n  "
          + INSTALL_COMMAND + "\nor point Tollgate at a running server with CLICKHOUSE_URL=http://host:8123");
    }
    System.err.println("tollgate: installing ClickHouse (apt-get install -y clickhouse-server) — once per machine");
    run(List.of("apt-get", "update", "-qq"));
    run(List.of("apt-get", "install", "-y", "-qq", "clickhouse-server"));
    found = find();
    if (found == null) {
      throw new IllegalStateException("apt-get installed clickhouse-server but no binary was found in " + CANDIDATES);
    }
    return found;
  }

  static Path find() {
    for (String candidate : CANDIDATES) {
      Path p = Path.of(candidate);
      if (Files.isExecutable(p)) {
        return p;
      }
    }
    String path = System.getenv("PATH");
    if (path != null) {
      for (String dir : path.split(":")) {
        Path p = Path.of(dir, "clickhouse-server");
        if (!dir.isEmpty() && Files.isExecutable(p)) {
          return p;
        }
      }
    }
    return null;
  }

  private static boolean isRoot() {
    return "root".equals(System.getProperty("user.name"));
  }

  private static void run(List<String> command) {
    try {
      ProcessBuilder pb = new ProcessBuilder(command).inheritIO();
      pb.environment().put("DEBIAN_FRONTEND", "noninteractive");
      Process p = pb.start();
      if (!p.waitFor(15, TimeUnit.MINUTES) || p.exitValue() != 0) {
        p.destroyForcibly();
        throw new IllegalStateException("'" + String.join(" ", command) + "' failed; install manually: " + INSTALL_COMMAND);
      }
    } catch (IOException e) {
      throw new IllegalStateException("cannot run " + command + ": " + e.getMessage(), e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while installing ClickHouse", e);
    }
  }
}
