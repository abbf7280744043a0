package io.tollgate.local.kafka;

import io.tollgate.schemas.topics.TopicSetup;
import io.tollgate.schemas.topics.TopicSpec;
import io.tollgate.schemas.topics.Topics;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Properties;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import kafka.server.KafkaConfig;
import kafka.server.KafkaRaftServer;
import kafka.tools.StorageTool;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.utils.Time;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A real Kafka broker (KRaft, combined broker + controller, one node) running inside this JVM.
 * The data directory survives {@link #close()}, so a broker started again on the same directory
 * finds its topics and records. {@link KafkaProcess} runs the same broker in a child JVM for tests
 * that need to stop and restart it.
 */
public final class EmbeddedKafka implements KafkaCluster {
  private static final Logger LOG = LoggerFactory.getLogger(EmbeddedKafka.class);

  /**
   * How to start the broker.
   *
   * @param dataDir        where the log dirs and config live; reused across restarts
   * @param port           client port (0 = pick a free one)
   * @param controllerPort KRaft controller port (0 = pick a free one)
   * @param partitions     partitions of the Tollgate topics and of auto-created topics
   * @param createTopics   whether to create the topics of {@link Topics#ALL}
   * @param tls            SSL (and SASL_SSL) listeners on free ports besides PLAINTEXT, or null for none
   */
  public record Options(Path dataDir, int port, int controllerPort, int partitions,
                        boolean createTopics, BrokerTls tls) {
    public Options(Path dataDir, int port, int controllerPort, int partitions, boolean createTopics) {
      this(dataDir, port, controllerPort, partitions, createTopics, null);
    }

    public Options {
      Objects.requireNonNull(dataDir, "dataDir");
      if (partitions < 1) {
        throw new IllegalArgumentException("partitions must be >= 1, got " + partitions);
      }
    }

    /** Free ports, 3 partitions, Tollgate topics created. */
    public static Options in(Path dataDir) {
      return new Options(dataDir, 0, 0, 3, true);
    }

    public Options withPorts(int newPort, int newControllerPort) {
      return new Options(dataDir, newPort, newControllerPort, partitions, createTopics, tls);
    }

    public Options withPartitions(int newPartitions) {
      return new Options(dataDir, port, controllerPort, newPartitions, createTopics, tls);
    }

    public Options withTls(BrokerTls newTls) {
      return new Options(dataDir, port, controllerPort, partitions, createTopics, newTls);
    }
  }

  private final Options options;
  private final int port;
  private final int controllerPort;
  private final int sslPort;
  private final int saslSslPort;
  private final KafkaRaftServer server;
  private boolean stopped;

  private EmbeddedKafka(Options options, int port, int controllerPort, int sslPort, int saslSslPort,
                        KafkaRaftServer server) {
    this.options = options;
    this.port = port;
    this.controllerPort = controllerPort;
    this.sslPort = sslPort;
    this.saslSslPort = saslSslPort;
    this.server = server;
  }

  /** Formats the data dir on first use, starts the broker, waits until it serves and creates topics. */
  public static EmbeddedKafka start(Options options) {
    return start(options, "127.0.0.1", null);
  }

  /**
   * Same, with the PLAINTEXT listener bound to {@code listenHost} (e.g. {@code 0.0.0.0} inside a
   * network namespace) and advertised as {@code advertised} ({@code host:port}, null = the
   * listener on 127.0.0.1): the chaos suite puts a delay proxy or a veth link between clients and
   * broker this way. The controller stays on 127.0.0.1.
   */
  public static EmbeddedKafka start(Options options, String listenHost, String advertised) {
    int port = options.port() == 0 ? FreePorts.pick() : options.port();
    int controllerPort = options.controllerPort() == 0 ? FreePorts.pick() : options.controllerPort();
    int sslPort = options.tls() == null ? -1 : FreePorts.pick();
    int saslSslPort = options.tls() == null || !options.tls().sasl() ? -1 : FreePorts.pick();
    Properties props = brokerProperties(options, port, controllerPort);
    props.put("listeners", "PLAINTEXT://" + listenHost + ":" + port + ",CONTROLLER://127.0.0.1:" + controllerPort);
    if (advertised != null) {
      props.put("advertised.listeners", "PLAINTEXT://" + advertised);
    }
    if (options.tls() != null) {
      options.tls().addTo(props, sslPort, saslSslPort);
    }
    Path config = options.dataDir().resolve("server.properties");
    try {
      Files.createDirectories(options.dataDir());
      try (Writer out = Files.newBufferedWriter(config)) {
        props.store(out, "Tollgate embedded Kafka (generated at every start)");
      }
      formatIfNeeded(options.dataDir(), config);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot prepare Kafka data dir " + options.dataDir(), e);
    }
    long started = System.nanoTime();
    KafkaRaftServer server = new KafkaRaftServer(KafkaConfig.fromProps(props, false), Time.SYSTEM);
    server.startup();
    EmbeddedKafka kafka = new EmbeddedKafka(options, port, controllerPort, sslPort, saslSslPort, server);
    try {
      kafka.awaitReady(Duration.ofSeconds(60));
      if (options.createTopics()) {
        kafka.createTopics(Topics.ALL, options.partitions());
      }
    } catch (RuntimeException e) {
      kafka.close();
      throw e;
    }
    LOG.info("Kafka ready on {} in {} ms (data {})", kafka.bootstrapServers(),
        TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started), options.dataDir());
    return kafka;
  }

  static Properties brokerProperties(Options options, int port, int controllerPort) {
    Properties p = new Properties();
    p.put("process.roles", "broker,controller");
    p.put("node.id", "1");
    p.put("controller.quorum.voters", "1@127.0.0.1:" + controllerPort);
    p.put("listeners", "PLAINTEXT://127.0.0.1:" + port + ",CONTROLLER://127.0.0.1:" + controllerPort);
    p.put("advertised.listeners", "PLAINTEXT://127.0.0.1:" + port);
    p.put("controller.listener.names", "CONTROLLER");
    p.put("inter.broker.listener.name", "PLAINTEXT");
    p.put("listener.security.protocol.map", "PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT");
    p.put("log.dirs", options.dataDir().resolve("logs").toString());
    p.put("num.partitions", Integer.toString(options.partitions()));
    p.put("default.replication.factor", "1");
    p.put("min.insync.replicas", "1");
    // Single node: every internal topic must live with one replica.
    p.put("offsets.topic.replication.factor", "1");
    p.put("offsets.topic.num.partitions", "5");
    p.put("transaction.state.log.replication.factor", "1");
    p.put("transaction.state.log.min.isr", "1");
    p.put("transaction.state.log.num.partitions", "5");
    p.put("share.coordinator.state.topic.replication.factor", "1");
    p.put("share.coordinator.state.topic.min.isr", "1");
    // Tests and the launcher want consumers to get partitions at once, not after 3 s.
    p.put("group.initial.rebalance.delay.ms", "0");
    p.put("auto.create.topics.enable", "true");
    p.put("log.segment.bytes", Integer.toString(64 * 1024 * 1024));
    p.put("log.cleaner.dedupe.buffer.size", Integer.toString(8 * 1024 * 1024));
    return p;
  }

  private static void formatIfNeeded(Path dataDir, Path config) {
    if (Files.exists(dataDir.resolve("logs").resolve("meta.properties"))) {
      return;
    }
    ByteArrayOutputStream buffer = new ByteArrayOutputStream();
    String clusterId = Uuid.randomUuid().toString();
    int rc;
    try (PrintStream out = new PrintStream(buffer, true, StandardCharsets.UTF_8)) {
      rc = StorageTool.execute(new String[] {"format", "-t", clusterId, "-c", config.toString()}, out);
    }
    if (rc != 0) {
      throw new IllegalStateException("formatting Kafka storage in " + dataDir + " failed (rc " + rc
          + "): " + buffer.toString(StandardCharsets.UTF_8));
    }
  }

  private void awaitReady(Duration timeout) {
    long deadline = System.nanoTime() + timeout.toNanos();
    RuntimeException last = null;
    while (System.nanoTime() < deadline) {
      try (Admin admin = admin()) {
        admin.describeCluster().nodes().get(5, TimeUnit.SECONDS);
        return;
      } catch (ExecutionException | java.util.concurrent.TimeoutException e) {
        last = new IllegalStateException(e.getMessage(), e);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IllegalStateException("interrupted while waiting for Kafka", e);
      }
    }
    throw new IllegalStateException("Kafka on " + bootstrapServers() + " not ready after " + timeout, last);
  }

  /** Creates topics that do not exist yet, with the spec's configs. */
  public void createTopics(List<TopicSpec> specs, int partitions) {
    try (Admin admin = admin()) {
      TopicSetup.ensure(admin, specs, Optional.of(partitions), Optional.of((short) 1), Duration.ofSeconds(30));
    }
  }

  /** A new admin client for this broker; the caller closes it. */
  public Admin admin() {
    return Admin.create(Map.of(
        AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers(),
        AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, 10_000,
        AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, 15_000));
  }

  @Override
  public String bootstrapServers() {
    return "127.0.0.1:" + port;
  }

  public int port() {
    return port;
  }

  /** Bootstrap of the SSL listener ({@link Options#tls()} must be set). */
  public String sslBootstrapServers() {
    if (sslPort < 0) {
      throw new IllegalStateException("this broker has no SSL listener");
    }
    return "127.0.0.1:" + sslPort;
  }

  /** Bootstrap of the SASL_SSL listener ({@link Options#tls()} with users). */
  public String saslSslBootstrapServers() {
    if (saslSslPort < 0) {
      throw new IllegalStateException("this broker has no SASL_SSL listener");
    }
    return "127.0.0.1:" + saslSslPort;
  }

  public int controllerPort() {
    return controllerPort;
  }

  public Path dataDir() {
    return options.dataDir();
  }

  /** Stops the broker; the data dir stays for the next start. Idempotent. */
  @Override
  public synchronized void close() {
    if (stopped) {
      return;
    }
    stopped = true;
    server.shutdown();
    server.awaitShutdown();
    LOG.info("Kafka on {} stopped", bootstrapServers());
  }

  /**
   * Runs a broker as its own process (see {@link KafkaProcess}): {@code --data-dir D --port P
   * --controller-port C [--partitions N] [--listen-host H] [--advertised HOST:PORT]}. Prints {@code READY <bootstrap>} once serving; stops on
   * SIGTERM or when standard input closes, so it never outlives the process that started it.
   */
  public static void main(String[] args) throws Exception {
    Map<String, String> a = KafkaProcess.parseArgs(args);
    Options options = new Options(Path.of(a.get("data-dir")),
        Integer.parseInt(a.getOrDefault("port", "0")),
        Integer.parseInt(a.getOrDefault("controller-port", "0")),
        Integer.parseInt(a.getOrDefault("partitions", "3")), true);
    EmbeddedKafka kafka = start(options, a.getOrDefault("listen-host", "127.0.0.1"), a.get("advertised"));
    Runtime.getRuntime().addShutdownHook(new Thread(kafka::close, "kafka-shutdown"));
    System.out.println(KafkaProcess.READY + " " + kafka.bootstrapServers());
    System.out.flush();
    // Parent gone (or told us to stop by closing our stdin): shut down.
    while (System.in.read() >= 0) {
      // ignore input
    }
    System.exit(0);
  }
}
