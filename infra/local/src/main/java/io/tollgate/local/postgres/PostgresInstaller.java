package io.tollgate.local.postgres;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * Finds PostgreSQL's server binaries ({@code initdb}, {@code postgres}, {@code pg_isready}) in one
 * directory, installing Debian's {@code postgresql} package when they are missing and we are root.
 */
public final class PostgresInstaller {
  /** What a non-root user runs to get the binaries. */
  public static final String INSTALL_COMMAND = "sudo apt-get update && sudo apt-get install -y postgresql";
  private static final List<String> NEEDED = List.of("initdb", "postgres", "pg_isready");

  private PostgresInstaller() {
  }

  /** Thrown when the binaries are missing and cannot be installed from here; the message says how. */
  public static final class Missing extends IllegalStateException {
    Missing(String message) {
      super(message);
    }
  }

  /** The directory holding the binaries; installs the package first when missing and root. */
  public static Path findOrInstall() {
    Path found = find();
    if (found != null) {
      return found;
    }
    if (!isRoot()) {
      throw new Missing("PostgreSQL's server binaries (initdb, postgres) are not installed. Install them with:\n  "
          + INSTALL_COMMAND);
    }
    System.err.println("tollgate: installing PostgreSQL (apt-get install -y postgresql) — once per machine");
    run(List.of("apt-get", "update", "-qq"));
    run(List.of("apt-get", "install", "-y", "-qq", "postgresql"));
    found = find();
    if (found == null) {
      throw new Missing("apt-get installed postgresql but no directory under /usr/lib/postgresql has " + NEEDED);
    }
    return found;
  }

  /** Debian's newest {@code /usr/lib/postgresql/<major>/bin}, else the directory of {@code initdb} on PATH. */
  static Path find() {
    Path debian = Path.of("/usr/lib/postgresql");
    if (Files.isDirectory(debian)) {
      try (Stream<Path> versions = Files.list(debian)) {
        Path best = versions.map(v -> v.resolve("bin")).filter(PostgresInstaller::complete)
            .max(Comparator.comparingInt(PostgresInstaller::major)).orElse(null);
        if (best != null) {
          return best;
        }
      } catch (IOException e) {
        // fall through to PATH
      }
    }
    String path = System.getenv("PATH");
    if (path != null) {
      for (String dir : path.split(":")) {
        if (!dir.isEmpty()) {
          Path initdb = Path.of(dir, "initdb");
          if (Files.isExecutable(initdb)) {
            try {
              Path bin = initdb.toRealPath().getParent(); // Debian links /usr/local/bin/initdb into its bin dir
              if (complete(bin)) {
                return bin;
              }
            } catch (IOException e) {
              // try the next
            }
          }
        }
      }
    }
    return null;
  }

  private static boolean complete(Path bin) {
    return NEEDED.stream().allMatch(name -> Files.isExecutable(bin.resolve(name)));
  }

  private static int major(Path bin) {
    try {
      return Integer.parseInt(bin.getParent().getFileName().toString());
    } catch (NumberFormatException e) {
      return -1;
    }
  }

  static boolean isRoot() {
    return "root".equals(System.getProperty("user.name"));
  }

  private static void run(List<String> command) {
    try {
      ProcessBuilder pb = new ProcessBuilder(command).inheritIO();
      pb.environment().put("DEBIAN_FRONTEND", "noninteractive");
      Process p = pb.start();
      if (!p.waitFor(15, TimeUnit.MINUTES) || p.exitValue() != 0) {
        p.destroyForcibly();
        throw new Missing("'" + String.join(" ", command) + "' failed; install manually: " + INSTALL_COMMAND);
      }
    } catch (IOException e) {
      throw new Missing("cannot run " + command + ": " + e.getMessage());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new Missing("interrupted while installing PostgreSQL");
    }
  }
}
