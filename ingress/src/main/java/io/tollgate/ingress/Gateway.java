package io.tollgate.ingress;

import io.tollgate.ingress.admin.DirectoryStore;
import io.tollgate.ingress.budget.BudgetRuntime;
import io.tollgate.ingress.budget.SpendView;
import io.tollgate.ingress.config.Deployment;
import io.tollgate.ingress.config.IngressConfig;
import io.tollgate.ingress.identity.Directory;
import io.tollgate.ingress.metrics.GatewayMetrics;
import io.tollgate.ingress.pricing.PriceTable;
import io.tollgate.ingress.provider.GatewayServer;
import io.tollgate.ingress.publish.KafkaUsagePublisher;
import io.tollgate.schemas.Budget;
import io.tollgate.schemas.Customer;
import io.tollgate.schemas.Team;
import io.tollgate.schemas.UsageEvent;
import io.tollgate.schemas.VirtualKey;
import io.tollgate.schemas.metrics.MetricsRegistry;
import io.tollgate.schemas.serde.SchemaAnnouncer;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * A running gateway: Vert.x, the HTTP server, the Kafka publisher and metrics, wired from one
 * {@link IngressConfig}. Used by {@link Main} and by the all-in-one launcher.
 */
public final class Gateway implements AutoCloseable {
  private static final Duration SCHEMA_WAIT = Duration.ofSeconds(3);
  private final Vertx vertx;
  private final KafkaUsagePublisher publisher;
  private final SchemaAnnouncer schemas;
  private final GatewayServer server;
  private final DirectoryStore store;
  private final int port;
  /** Null without a directory (no budgets). */
  private final BudgetRuntime budgets;
  /** How long a start waits for the spend totals to be read once (then budgets start on the own view). */
  private static final Duration TOTALS_WAIT = Duration.ofSeconds(5);

  private Gateway(Vertx vertx, KafkaUsagePublisher publisher, SchemaAnnouncer schemas, GatewayServer server,
                  DirectoryStore store, int port, BudgetRuntime budgets) {
    this.budgets = budgets;
    this.vertx = vertx;
    this.publisher = publisher;
    this.schemas = schemas;
    this.server = server;
    this.store = store;
    this.port = port;
  }

  /** Starts everything and blocks until the server listens. */
  public static Gateway start(IngressConfig config) {
    return start(config, new VertxOptions(), new MetricsRegistry());
  }

  /** Same, with Vert.x options (tests tighten the blocked-thread checker). */
  public static Gateway start(IngressConfig config, VertxOptions options) {
    return start(config, options, new MetricsRegistry());
  }

  /**
   * Same, registering the gateway's metrics in {@code registry}; {@code /metrics} shows everything
   * in it (the all-in-one launcher passes one registry to every app).
   */
  public static Gateway start(IngressConfig config, VertxOptions options, MetricsRegistry registry) {
    return start(config, options, registry, DirectoryStore.Settings.defaults(Path.of(config.spillDir())));
  }

  /**
   * Same, with the management state's settings (tests shorten the start timeout). With a master key
   * the gateway keeps keys, teams, customers and budgets in Kafka (and a snapshot in the spill
   * directory, next to the hand-off log) and serves the management API; it listens only once that
   * state is read (or loaded from the snapshot, or the start timeout passed).
   */
  public static Gateway start(IngressConfig config, VertxOptions options, MetricsRegistry registry,
                              DirectoryStore.Settings management) {
    return start(config, options, registry, management, null, Clock.systemUTC());
  }

  /**
   * Same, with a fixed {@code directory} of keys, teams and customers instead of the management
   * state in Kafka (tests), on {@code clock}'s time; {@link Directory#EMPTY}: no budgets.
   */
  public static Gateway start(IngressConfig config, VertxOptions options, MetricsRegistry registry,
                              Directory directory, Clock clock) {
    return start(config, options, registry, DirectoryStore.Settings.defaults(Path.of(config.spillDir())), directory,
        clock);
  }

  private static Gateway start(IngressConfig config, VertxOptions options, MetricsRegistry registry,
                               DirectoryStore.Settings management, Directory fixed, Clock clock) {
    PriceTable prices = PriceTable.bundled().withOverrides(priceOverrides(config));
    GatewayMetrics metrics = new GatewayMetrics(registry.prometheus());
    // The publisher first: it refuses a spill dir another instance holds, before anything needs closing.
    // Budgets count the spend of the events an earlier run left unacknowledged before the publisher
    // resends (and deletes) them; they only read the directory on calls, so it may start later.
    // The management state (with a master key and no fixed directory): followed from Kafka once started.
    DirectoryStore store = fixed != null || config.masterKey() == null ? null
        : new DirectoryStore(config.kafkaBootstrap(), config.kafkaProperties(), "tollgate-ingress-" + config.gatewayId(),
            management, Clock.systemUTC());
    Directory directory = fixed != null ? fixed : store != null ? store : Directory.EMPTY;
    BudgetRuntime budgets = directory == Directory.EMPTY ? null
        : BudgetRuntime.create(config, directory, config.budgets().defaultEndUserBudgetId(), clock, registry.prometheus());
    if (budgets != null) {
      budgets.recover(Path.of(config.spillDir()));
    }
    KafkaUsagePublisher publisher;
    try {
      publisher = new KafkaUsagePublisher(config.kafkaBootstrap(), Path.of(config.spillDir()),
          "tollgate-ingress-" + config.gatewayId(), metrics,
          config.kafkaProperties() == null ? Map.of() : config.kafkaProperties(), config.handoff());
    } catch (RuntimeException e) {
      if (budgets != null) {
        budgets.close();
      }
      if (store != null) {
        store.close();
      }
      throw e;
    }
    metrics.handoff(publisher::status);
    // Before the first request: aggregators and alerting one release behind resolve this version's
    // UsageEvent schema from the schema topic. Waited for briefly only — with Kafka down the gateway
    // still starts (events wait in the hand-off log); the announcer keeps trying.
    SchemaAnnouncer schemas = SchemaAnnouncer.start(config.kafkaBootstrap(),
        "tollgate-ingress-" + config.gatewayId() + "-schemas",
        config.kafkaProperties() == null ? Map.of() : config.kafkaProperties(),
        List.of(UsageEvent.getClassSchema(), VirtualKey.getClassSchema(), Team.getClassSchema(),
            Customer.getClassSchema(), Budget.getClassSchema()));
    if (store != null) {
      store.start(); // followed from now on, while the rest starts
    }
    schemas.awaitPublished(SCHEMA_WAIT);
    if (budgets != null) {
      budgets.follow(TOTALS_WAIT);
    }
    GatewayServer.warmUp(prices);
    if (store != null) {
      store.awaitStart();
    }
    Vertx vertx = Vertx.vertx(options);
    GatewayServer server = new GatewayServer(vertx, config, prices, publisher, metrics, clock, store, directory,
        budgets == null ? SpendView.NONE : budgets.spendView(), budgets == null ? null : budgets.scopes(),
        budgets == null ? null : budgets.ledger(), budgets == null ? null : budgets.metrics());
    try {
      int port = server.start().toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
      return new Gateway(vertx, publisher, schemas, server, store, port, budgets);
    } catch (Exception e) {
      if (store != null) {
        store.close();
      }
      if (budgets != null) {
        budgets.close();
      }
      schemas.close();
      publisher.close();
      vertx.close();
      throw new IllegalStateException("gateway cannot listen on " + config.host() + ":" + config.port() + ": "
          + (e.getCause() == null ? e : e.getCause()).getMessage(), e);
    }
  }

  static Map<String, Map<String, ?>> priceOverrides(IngressConfig config) {
    Map<String, Map<String, ?>> overrides = new LinkedHashMap<>();
    for (Deployment d : config.deployments()) {
      String key = io.tollgate.ingress.provider.Metering.overrideKey(d);
      if (key != null) {
        overrides.put(key, d.priceOverrides());
      }
    }
    return overrides;
  }

  public int port() {
    return port;
  }

  /** Events in the hand-off log that Kafka has not acknowledged yet. */
  public long handoffBacklog() {
    return publisher.backlogRecords();
  }

  /** Spend as budget enforcement sees it ({@link SpendView#NONE} without a directory). */
  public SpendView spendView() {
    return budgets == null ? SpendView.NONE : budgets.spendView();
  }

  /** Calls holding a budget reservation now (0 without budgets). */
  public long openReservations() {
    return budgets == null ? 0 : budgets.ledger().openReservations();
  }

  /** Where the management state came from (null without a master key: no management state). */
  public DirectoryStore.Source managementSource() {
    return store == null ? null : store.source();
  }

  @Override
  public void close() {
    server.close();
    if (store != null) {
      store.close();
    }
    if (budgets != null) {
      budgets.close();
    }
    schemas.close();
    publisher.close();
    vertx.close().toCompletionStage().toCompletableFuture().join();
  }
}
