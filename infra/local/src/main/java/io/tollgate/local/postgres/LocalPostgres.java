package io.tollgate.local.postgres;

import io.tollgate.local.kafka.FreePorts;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.GroupPrincipal;
import java.nio.file.attribute.PosixFileAttributeView;
import java.nio.file.attribute.UserPrincipal;
import java.nio.file.attribute.UserPrincipalLookupService;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A private PostgreSQL server for tests (the LiteLLM import reads a LiteLLM proxy database):
 * {@code initdb} into a directory, then {@code postgres} on 127.0.0.1 and a free port, TCP only,
 * with one password-authenticated user. PostgreSQL refuses to run as root, so as root the server
 * runs as Debian's {@code postgres} user and the directory is handed to it. Like
 * {@link io.tollgate.local.clickhouse.LocalClickHouse}, the server runs under a small shell watchdog
 * that stops it when this JVM disappears, even after {@code kill -9}. Durability is off (fsync,
 * full pages): it holds test data only.
 */
public final class LocalPostgres implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(LocalPostgres.class);
  private static final String SERVICE_USER = "postgres";

  /**
   * @param dataDir  where the cluster, the password file and the log live (reused when it holds a cluster)
   * @param port     TCP port on 127.0.0.1 (0 = a free one)
   * @param user     the superuser initdb creates
   * @param password its password (scram-sha-256)
   */
  public record Options(Path dataDir, int port, String user, String password) {
    public Options {
      Objects.requireNonNull(dataDir, "dataDir");
      Objects.requireNonNull(user, "user");
      Objects.requireNonNull(password, "password");
    }

    /** Never shows the password. */
    @Override
    public String toString() {
      return "Options[" + dataDir + ", port " + port + ", user " + user + "]";
    }
  }

  private final Process process;
  private final int port;
  private final Options options;

  private LocalPostgres(Process process, int port, Options options) {
    this.process = process;
    this.port = port;
    this.options = options;
  }

  /**
   * Starts a server (installing Debian's package first when missing and root) and waits until it
   * accepts connections.
   *
   * @throws PostgresInstaller.Missing when the binaries are missing and cannot be installed
   */
  public static LocalPostgres start(Options options) {
    Path bin = PostgresInstaller.findOrInstall();
    int port = options.port() == 0 ? FreePorts.pick() : options.port();
    if (FreePorts.inUse(port)) {
      throw new IllegalStateException("port " + port + " on 127.0.0.1 is taken; choose another PostgreSQL port");
    }
    Path dir = options.dataDir().toAbsolutePath();
    Path pgdata = dir.resolve("pgdata");
    Path log = dir.resolve("postgres.log");
    try {
      Files.createDirectories(dir);
      boolean root = PostgresInstaller.isRoot();
      if (!Files.exists(pgdata.resolve("PG_VERSION"))) {
        Path pwfile = dir.resolve("pwfile");
        Files.writeString(pwfile, options.password() + "\n", StandardCharsets.UTF_8);
        if (root) {
          handTo(dir, SERVICE_USER);
        }
        List<String> initdb = asServiceUser(root, List.of(bin.resolve("initdb").toString(), "-D", pgdata.toString(),
            "-U", options.user(), "--pwfile=" + pwfile, "--auth=scram-sha-256", "-E", "UTF8", "--locale=C",
            "--no-sync"));
        Process p = new ProcessBuilder(initdb).redirectErrorStream(true).redirectOutput(dir.resolve("initdb.log").toFile())
            .start();
        boolean done = p.waitFor(120, TimeUnit.SECONDS);
        Files.deleteIfExists(pwfile);
        if (!done || p.exitValue() != 0) {
          p.destroyForcibly();
          throw new IllegalStateException("initdb failed; " + tail(dir.resolve("initdb.log")));
        }
      } else if (root) {
        handTo(dir, SERVICE_USER);
      }
      long parentPid = ProcessHandle.current().pid();
      // The watchdog: run the server, stop it (SIGINT = fast shutdown: open sessions do not hold it)
      // on TERM, and stop it when the JVM is gone. /proc works across users, kill -0 would not.
      String script = "\"$0\" \"$@\" & S=$!; "
          + "trap 'kill -INT $S 2>/dev/null; wait $S; exit 0' TERM INT; "
          + "while [ -d /proc/" + parentPid + " ] && kill -0 $S 2>/dev/null; do sleep 1 & wait $!; done; "
          + "kill -INT $S 2>/dev/null; wait $S";
      List<String> command = new ArrayList<>(List.of("sh", "-c", script, bin.resolve("postgres").toString(),
          "-D", pgdata.toString(), "-p", Integer.toString(port),
          "-c", "listen_addresses=127.0.0.1", "-c", "unix_socket_directories=",
          "-c", "fsync=off", "-c", "synchronous_commit=off", "-c", "full_page_writes=off",
          "-c", "shared_buffers=16MB", "-c", "max_connections=30", "-c", "timezone=UTC", "-c", "log_timezone=UTC"));
      Process process = new ProcessBuilder(asServiceUser(root, command)).redirectErrorStream(true)
          .redirectOutput(log.toFile()).start();
      LocalPostgres server = new LocalPostgres(process, port, options);
      try {
        server.awaitReady(bin, Duration.ofSeconds(60), log);
      } catch (RuntimeException e) {
        server.close();
        throw e;
      }
      LOG.info("PostgreSQL ready on 127.0.0.1:{} (data {})", port, dir);
      return server;
    } catch (IOException e) {
      throw new UncheckedIOException("cannot start PostgreSQL in " + dir, e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while starting PostgreSQL", e);
    }
  }

  private static List<String> asServiceUser(boolean root, List<String> command) {
    if (!root) {
      return command;
    }
    List<String> wrapped = new ArrayList<>(List.of("setpriv", "--reuid=" + SERVICE_USER, "--regid=" + SERVICE_USER,
        "--init-groups", "--"));
    wrapped.addAll(command);
    return wrapped;
  }

  /** Gives the directory tree to {@code user}: initdb and the server write there as that user. */
  private static void handTo(Path dir, String user) throws IOException {
    UserPrincipalLookupService lookup = dir.getFileSystem().getUserPrincipalLookupService();
    UserPrincipal owner;
    GroupPrincipal group;
    try {
      owner = lookup.lookupPrincipalByName(user);
      group = lookup.lookupPrincipalByGroupName(user);
    } catch (IOException e) {
      throw new IllegalStateException("running as root, but there is no '" + user + "' user to run PostgreSQL as"
          + " (Debian's postgresql package creates it: " + PostgresInstaller.INSTALL_COMMAND + ")", e);
    }
    try (Stream<Path> paths = Files.walk(dir)) {
      for (Path p : paths.toList()) {
        PosixFileAttributeView view = Files.getFileAttributeView(p, PosixFileAttributeView.class);
        view.setOwner(owner);
        view.setGroup(group);
      }
    }
  }

  private void awaitReady(Path bin, Duration timeout, Path log) throws IOException, InterruptedException {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (System.nanoTime() < deadline) {
      if (!process.isAlive()) {
        throw new IllegalStateException("postgres exited at start; " + tail(log));
      }
      Process probe = new ProcessBuilder(bin.resolve("pg_isready").toString(), "-q", "-h", "127.0.0.1",
          "-p", Integer.toString(port), "-t", "2").redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD)
          .start();
      if (probe.waitFor(10, TimeUnit.SECONDS) && probe.exitValue() == 0) {
        return;
      }
      probe.destroyForcibly();
      Thread.sleep(100); // polling interval of a readiness probe, not a stand-in for a condition
    }
    throw new IllegalStateException("PostgreSQL on 127.0.0.1:" + port + " did not accept connections within "
        + timeout + "; " + tail(log));
  }

  private static String tail(Path log) {
    StringBuilder out = new StringBuilder("log tail (" + log + "):");
    try {
      List<String> lines = Files.exists(log) ? Files.readAllLines(log) : List.of();
      lines.subList(Math.max(0, lines.size() - 10), lines.size()).forEach(l -> out.append("\n  ").append(l));
    } catch (IOException e) {
      out.append(" unreadable");
    }
    return out.toString();
  }

  public int port() {
    return port;
  }

  public String user() {
    return options.user();
  }

  public String password() {
    return options.password();
  }

  /** {@code jdbc:postgresql://127.0.0.1:<port>/<database>} (user and password go as properties). */
  public String jdbcUrl(String database) {
    return "jdbc:postgresql://127.0.0.1:" + port + "/" + database;
  }

  /** Stops the server (SIGTERM to the watchdog, which shuts PostgreSQL down fast; SIGKILL after 30 s). */
  @Override
  public void close() {
    if (!process.isAlive()) {
      return;
    }
    process.destroy();
    try {
      if (!process.waitFor(30, TimeUnit.SECONDS)) {
        process.descendants().forEach(ProcessHandle::destroyForcibly);
        process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      process.descendants().forEach(ProcessHandle::destroyForcibly);
      process.destroyForcibly();
    }
    LOG.info("PostgreSQL on 127.0.0.1:{} stopped", port);
  }
}
