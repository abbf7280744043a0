package io.tollgate.local.clickhouse;

import io.tollgate.local.kafka.FreePorts;
import io.tollgate.schemas.clickhouse.ClickHouseSettings;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.io.InputStream;
import java.net.HttpURLConnection;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import io.tollgate.local.tls.SelfSignedCertificate;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A ClickHouse server for tests and the launcher: either one given by URL ({@code CLICKHOUSE_URL})
 * or a private {@code clickhouse-server} child process on 127.0.0.1 with its data in one
 * directory (reused across restarts). The child runs under a small shell watchdog that stops it
 * when this JVM disappears, even after {@code kill -9}, so no server outlives its owner.
 */
public final class LocalClickHouse implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(LocalClickHouse.class);
  /** Environment variable naming an existing server to use instead of starting one. */
  public static final String URL_ENV = "CLICKHOUSE_URL";

  /**
   * @param dataDir  where config, data and logs live
   * @param httpPort HTTP port (0 = a free one)
   * @param tcpPort  native port (0 = a free one)
   * @param tls      an HTTPS port (a free one) with this certificate besides HTTP, or null for none
   * @param users    users besides the password-less {@code default}: name → password
   */
  public record Options(Path dataDir, int httpPort, int tcpPort, SelfSignedCertificate tls, Map<String, String> users) {
    public Options(Path dataDir, int httpPort, int tcpPort) {
      this(dataDir, httpPort, tcpPort, null, Map.of());
    }

    public Options {
      Objects.requireNonNull(dataDir, "dataDir");
      users = Map.copyOf(users);
    }

    public static Options in(Path dataDir) {
      return new Options(dataDir, 0, 0);
    }

    public Options withTls(SelfSignedCertificate cert) {
      return new Options(dataDir, httpPort, tcpPort, cert, users);
    }

    public Options withUser(String name, String password) {
      Map<String, String> more = new java.util.HashMap<>(users);
      more.put(name, password);
      return new Options(dataDir, httpPort, tcpPort, tls, more);
    }

    /** Never shows the passwords. */
    @Override
    public String toString() {
      return "Options[" + dataDir + ", http " + httpPort + ", tcp " + tcpPort + ", tls " + (tls != null)
          + ", users " + users.keySet() + "]";
    }
  }

  private final String url;
  private final int httpPort;
  private final int httpsPort;
  private final Process process;
  private final Path dataDir;

  private LocalClickHouse(String url, int httpPort, int httpsPort, Process process, Path dataDir) {
    this.url = url;
    this.httpPort = httpPort;
    this.httpsPort = httpsPort;
    this.process = process;
    this.dataDir = dataDir;
  }

  /** Uses {@code CLICKHOUSE_URL} when set, else starts a local server. */
  public static LocalClickHouse startOrConnect(Options options) {
    String external = System.getenv(URL_ENV);
    return external != null && !external.isBlank() ? connect(external.trim()) : start(options);
  }

  /** A server someone else runs; {@link #close()} leaves it alone. */
  public static LocalClickHouse connect(String url) {
    URI uri = URI.create(url);
    String base = uri.getScheme() + "://" + uri.getHost() + ":" + (uri.getPort() > 0 ? uri.getPort() : 8123);
    awaitPing(base, Duration.ofSeconds(30), null);
    return new LocalClickHouse(base, uri.getPort(), -1, null, null);
  }

  /** Starts a private server (installing the package first if allowed) and waits for {@code /ping}. */
  public static LocalClickHouse start(Options options) {
    Path binary = ClickHouseInstaller.findOrInstall();
    int http = options.httpPort() == 0 ? FreePorts.pick() : options.httpPort();
    int tcp = options.tcpPort() == 0 ? FreePorts.pick() : options.tcpPort();
    int https = options.tls() == null ? -1 : FreePorts.pick();
    for (int port : new int[] {http, tcp}) {
      if (FreePorts.inUse(port)) {
        throw new IllegalStateException("port " + port + " on 127.0.0.1 is taken; choose another ClickHouse port"
            + " or use an existing server with CLICKHOUSE_URL");
      }
    }
    try {
      Path dataDir = options.dataDir().toAbsolutePath();
      Path config = ClickHouseConfig.write(dataDir, http, tcp, https, options.tls(), options.users());
      long parentPid = ProcessHandle.current().pid();
      // The watchdog: run the server, stop it on TERM, and stop it when the JVM is gone.
      String script = "\"$0\" --config-file=\"$1\" & S=$!; "
          + "trap 'kill $S 2>/dev/null; wait $S; exit 0' TERM INT; "
          + "while kill -0 " + parentPid + " 2>/dev/null && kill -0 $S 2>/dev/null; do sleep 1 & wait $!; done; "
          + "kill $S 2>/dev/null; wait $S";
      Process process = new ProcessBuilder(List.of("sh", "-c", script, binary.toString(), config.toString()))
          .directory(dataDir.resolve("config").toFile())
          .redirectErrorStream(true)
          .redirectOutput(dataDir.resolve("log").resolve("stdout.log").toFile())
          .start();
      String url = "http://127.0.0.1:" + http;
      LocalClickHouse server = new LocalClickHouse(url, http, https, process, dataDir);
      try {
        awaitPing(url, Duration.ofSeconds(60), server);
      } catch (RuntimeException e) {
        server.close();
        throw e;
      }
      LOG.info("ClickHouse ready on {} (data {})", url, dataDir);
      return server;
    } catch (IOException e) {
      throw new UncheckedIOException("cannot start clickhouse-server", e);
    }
  }

  private static void awaitPing(String url, Duration timeout, LocalClickHouse starting) {
    long deadline = System.nanoTime() + timeout.toNanos();
    String last = "no answer";
    while (System.nanoTime() < deadline) {
      if (starting != null && !starting.process.isAlive()) {
        throw new IllegalStateException("clickhouse-server exited at start; " + starting.logTail());
      }
      try {
        last = ping(url);
        if (last.isEmpty()) {
          return;
        }
      } catch (IOException e) {
        last = e.toString();
      }
      try {
        Thread.sleep(100);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IllegalStateException("interrupted while waiting for ClickHouse", e);
      }
    }
    throw new IllegalStateException("ClickHouse at " + url + " did not answer /ping within " + timeout
        + " (" + last + ")" + (starting == null ? "" : "; " + starting.logTail()));
  }

  /**
   * One {@code GET /ping}; empty string when the server answered "Ok.", else what it answered.
   * The connection is closed right away: a kept-alive idle connection makes the server wait
   * seconds before it shuts down.
   */
  private static String ping(String url) throws IOException {
    HttpURLConnection c = (HttpURLConnection) URI.create(url + "/ping").toURL().openConnection();
    c.setConnectTimeout(2000);
    c.setReadTimeout(2000);
    c.setRequestProperty("Connection", "close");
    try (InputStream in = c.getInputStream()) {
      String body = new String(in.readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
      return c.getResponseCode() == 200 && body.startsWith("Ok") ? "" : "HTTP " + c.getResponseCode();
    } finally {
      c.disconnect();
    }
  }

  private String logTail() {
    if (dataDir == null) {
      return "";
    }
    StringBuilder out = new StringBuilder("server log tail:");
    for (String name : new String[] {"error.log", "stdout.log"}) {
      Path log = dataDir.resolve("log").resolve(name);
      try {
        if (Files.exists(log)) {
          List<String> lines = Files.readAllLines(log);
          lines.subList(Math.max(0, lines.size() - 10), lines.size()).forEach(l -> out.append("\n  ").append(l));
        }
      } catch (IOException e) {
        out.append("\n  (cannot read ").append(log).append(')');
      }
    }
    return out.toString();
  }

  /** Base HTTP URL, e.g. {@code http://127.0.0.1:8123}. */
  public String url() {
    return url;
  }

  public int httpPort() {
    return httpPort;
  }

  /** Base HTTPS URL of a server started with {@link Options#tls()}, e.g. {@code https://127.0.0.1:8443}. */
  public String httpsUrl() {
    if (httpsPort < 0) {
      throw new IllegalStateException("this ClickHouse has no HTTPS port");
    }
    return "https://127.0.0.1:" + httpsPort;
  }

  /** The pid of the server's process (its launcher shell; the server is its child), or -1 when connected to one. */
  public long pid() {
    return process == null ? -1 : process.pid();
  }

  /** True when this object started the server (and so stops it). */
  public boolean owned() {
    return process != null;
  }

  /** Client settings for {@code database} on this server (default user). */
  public ClickHouseSettings settings(String database) {
    // A server we started has only the password-less default user; credentials from the
    // environment belong to a server given by CLICKHOUSE_URL.
    return owned() ? ClickHouseSettings.of(url, database)
        : ClickHouseSettings.fromEnvironment(url, database, System.getenv());
  }

  /** Stops a server this object started (SIGTERM, then SIGKILL after 30 s); data stays. */
  @Override
  public void close() {
    if (process == null || !process.isAlive()) {
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
    LOG.info("ClickHouse on {} stopped", url);
  }
}
