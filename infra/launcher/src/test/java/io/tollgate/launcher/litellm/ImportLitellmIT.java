package io.tollgate.launcher.litellm;

import static org.assertj.core.api.Assertions.assertThat;

import io.tollgate.ingress.identity.KeyAuth;
import io.tollgate.local.junit.KafkaExtension;
import io.tollgate.local.kafka.KafkaCluster;
import io.tollgate.local.postgres.LocalPostgres;
import io.tollgate.local.postgres.PostgresInstaller;
import io.tollgate.schemas.Budget;
import io.tollgate.schemas.Customer;
import io.tollgate.schemas.Team;
import io.tollgate.schemas.VirtualKey;
import io.tollgate.schemas.serde.TollgateSerdes;
import io.tollgate.schemas.topics.Topics;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The import against a real PostgreSQL holding LiteLLM's tables (DDL from LiteLLM's Prisma schema)
 * and the embedded Kafka: every field lands in the records, a second run writes the same bytes,
 * a dry run writes nothing, an older LiteLLM database without some columns and tables still imports.
 * Key hashes are computed by PostgreSQL's own sha256(), as LiteLLM's hash_token does, and must
 * equal what the gateway computes from the key a developer holds.
 */
@ExtendWith(KafkaExtension.class)
class ImportLitellmIT {
  private static final String PASSWORD = "litellm p@ss:w/rd"; // percent-encoded in the URL
  private static final Instant NOW = Instant.now().truncatedTo(ChronoUnit.SECONDS);
  private static final Instant NEXT_MONTH = LocalDate.ofInstant(NOW, ZoneOffset.UTC).withDayOfMonth(1).plusMonths(1)
      .atStartOfDay(ZoneOffset.UTC).toInstant();
  private static final Instant THIS_MONTH = LocalDate.ofInstant(NOW, ZoneOffset.UTC).withDayOfMonth(1)
      .atStartOfDay(ZoneOffset.UTC).toInstant();
  private static final String ANA = "sk-ana-0f3c9b2e7d41a6c8";
  private static final String BLOCKED = "sk-blocked-77aa01";
  private static final String EXPIRED = "sk-expired-19bb02";

  private static Path dir;
  private static LocalPostgres pg;

  @BeforeAll
  static void database() throws Exception {
    dir = Files.createTempDirectory("tollgate-litellm-it");
    try {
      pg = LocalPostgres.start(new LocalPostgres.Options(dir, 0, "litellm", PASSWORD));
    } catch (PostgresInstaller.Missing e) {
      Assumptions.abort(e.getMessage());
    }
    try (Connection admin = connect("postgres"); Statement st = admin.createStatement()) {
      st.execute("CREATE DATABASE litellm");
    }
    String ddl = new String(ImportLitellmIT.class.getResourceAsStream("/litellm/schema.sql").readAllBytes(),
        StandardCharsets.UTF_8);
    try (Connection c = connect("litellm"); Statement st = c.createStatement()) {
      st.execute(ddl);
      st.execute("""
          INSERT INTO "LiteLLM_BudgetTable" (budget_id, max_budget, soft_budget, tpm_limit, rpm_limit, budget_duration,
              budget_reset_at, created_at, created_by, updated_at, updated_by) VALUES
            ('free-tier', 0.5, 0.4, 10000, 5, '1mo', '%1$s', '2026-09-01 10:00:00', 'admin', '2026-09-02 11:00:00', 'admin'),
            ('key-soft', 10, 8, NULL, NULL, NULL, NULL, '2026-09-03 10:00:00', 'admin', '2026-09-03 10:00:00', 'admin')
          """.formatted(ts(NEXT_MONTH)));
      st.execute("""
          INSERT INTO "LiteLLM_TeamTable" (team_id, team_alias, admins, members, metadata, max_budget, soft_budget, spend,
              models, max_parallel_requests, tpm_limit, rpm_limit, budget_duration, budget_reset_at, blocked,
              created_at, updated_at) VALUES
            ('team-search', 'Search', '{}', '{ana}', '{"cost_center": 42, "slack_webhook_token": "xoxb-SECRET"}',
             1000, 800, 450.75, '{claude-sonnet-4-5,gpt-5}', 50, 2000000, 1000, '30d', '%1$s', false,
             '2026-08-01 09:00:00', '2026-11-20 09:00:00')
          """.formatted(ts(NEXT_MONTH)));
      st.execute("""
          INSERT INTO "LiteLLM_EndUserTable" (user_id, alias, spend, default_model, budget_id, blocked) VALUES
            ('alice', 'Alice Corp', 0.125, 'claude-haiku-4-5', 'free-tier', false),
            ('bob', NULL, 0, NULL, NULL, true)
          """);
      // The tokens as LiteLLM writes them: hash_token(key) = sha256(key).hexdigest(), here by PostgreSQL.
      st.execute("""
          INSERT INTO "LiteLLM_VerificationToken" (token, key_name, key_alias, spend, expires, models, user_id, team_id,
              max_parallel_requests, metadata, blocked, tpm_limit, rpm_limit, max_budget, budget_duration,
              budget_reset_at, budget_id, created_at, updated_at) VALUES
            (encode(sha256(convert_to('%1$s', 'UTF8')), 'hex'), 'sk-...a6c8', 'ana-laptop', 12.34, '2099-01-01 00:00:00',
             '{claude-sonnet-4-5}', 'ana@example.com', 'team-search', 4,
             '{"tags": ["claude-code"], "owner": "ana", "logging": [{"callback_name": "langfuse",
               "callback_vars": {"langfuse_secret_key": "sk-lf-SECRET"}}]}',
             NULL, 100000, 60, 100.0, '30d', '%4$s', NULL, '2026-10-01 08:00:00.123', '2026-11-15 09:30:00'),
            (encode(sha256(convert_to('%2$s', 'UTF8')), 'hex'), 'sk-...aa01', 'blocked-ci', 0, NULL, '{}', NULL, NULL,
             NULL, '{}', true, NULL, NULL, NULL, NULL, NULL, 'key-soft', NULL, NULL),
            (encode(sha256(convert_to('%3$s', 'UTF8')), 'hex'), 'sk-...bb02', 'old-intern', 3.5, '2025-01-01 00:00:00',
             '{all-proxy-models}', NULL, NULL, NULL, '{}', false, NULL, NULL, 5, NULL, NULL, NULL,
             '2024-12-01 00:00:00', '2024-12-01 00:00:00'),
            ('legacy-token-value', NULL, 'broken', 0, NULL, '{}', NULL, NULL, NULL, '{}', NULL, NULL, NULL, NULL, NULL,
             NULL, NULL, NULL, NULL)
          """.formatted(ANA, BLOCKED, EXPIRED, ts(NEXT_MONTH)));
      // An older LiteLLM in another schema: no end-user or budget tables, keys without blocked/budget_id/metadata.
      st.execute("""
          CREATE SCHEMA old;
          CREATE TABLE old."LiteLLM_VerificationToken" ("token" TEXT PRIMARY KEY, "key_name" TEXT, "key_alias" TEXT,
              "spend" DOUBLE PRECISION NOT NULL DEFAULT 0.0, "expires" TIMESTAMP(3), "models" TEXT[],
              "user_id" TEXT, "team_id" TEXT, "max_budget" DOUBLE PRECISION, "budget_duration" TEXT,
              "budget_reset_at" TIMESTAMP(3));
          CREATE TABLE old."LiteLLM_TeamTable" ("team_id" TEXT PRIMARY KEY, "team_alias" TEXT, "max_budget" DOUBLE PRECISION,
              "spend" DOUBLE PRECISION NOT NULL DEFAULT 0.0, "models" TEXT[], "created_at" TIMESTAMP(3) NOT NULL,
              "updated_at" TIMESTAMP(3) NOT NULL);
          INSERT INTO old."LiteLLM_VerificationToken" (token, key_alias, spend, models, max_budget)
            VALUES (encode(sha256(convert_to('sk-old-1', 'UTF8')), 'hex'), 'old-key', 1.5, '{}', 2);
          """);
    }
  }

  @AfterAll
  static void stop() throws IOException {
    if (pg != null) {
      pg.close();
    }
    try (var paths = Files.walk(dir)) {
      paths.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
    }
  }

  @Test
  void importsEveryFieldAndASecondRunWritesTheSameRecords(KafkaCluster kafka) {
    Map<String, Long> before = endOffsets(kafka);
    Result first = run(kafka, url("litellm"));
    assertThat(first.status).as(first.out + first.err).isEqualTo(LitellmImport.SKIPPED_ROWS);
    assertThat(first.out).contains("read      4 keys, 1 teams, 2 end users, 2 budgets",
        "keys      3 → tollgate.keys.v1 (1 expired, 1 blocked; spend so far carried $15.84)",
        "left out (1):", "token is neither a hex SHA-256 hash nor an sk- key",
        "metadata entry 'logging' left out: it may hold credentials",
        "metadata entry 'slack_webhook_token' left out",
        "Wrote 8 records (acks=all)");
    assertSecretFree(first);

    Map<String, List<byte[]>> keys = read(kafka, Topics.KEYS.name(), before);
    assertThat(keys).containsOnlyKeys(KeyAuth.sha256(ANA), KeyAuth.sha256(BLOCKED), KeyAuth.sha256(EXPIRED));
    var keySerde = TollgateSerdes.virtualKey();
    VirtualKey ana = keySerde.deserialize(Topics.KEYS.name(), keys.get(KeyAuth.sha256(ANA)).get(0));
    assertThat(ana.getKeyHash()).isEqualTo(KeyAuth.sha256(ANA));
    assertThat(ana.getKeyAlias()).isEqualTo("ana-laptop");
    assertThat(ana.getKeyName()).isEqualTo("sk-...a6c8");
    assertThat(ana.getUserId()).isEqualTo("ana@example.com");
    assertThat(ana.getTeamId()).isEqualTo("team-search");
    assertThat(ana.getModels()).containsExactly("claude-sonnet-4-5");
    assertThat(ana.getMaxBudgetNanos()).isEqualTo(100_000_000_000L);
    assertThat(ana.getBudgetDuration()).isEqualTo("30d");
    assertThat(ana.getRpmLimit()).isEqualTo(60L);
    assertThat(ana.getTpmLimit()).isEqualTo(100_000L);
    assertThat(ana.getMaxParallelRequests()).isEqualTo(4);
    assertThat(ana.getTags()).containsExactly("claude-code");
    assertThat(ana.getMetadata()).containsOnly(Map.entry("owner", "ana"));
    assertThat(ana.getBlocked()).isFalse();
    assertThat(ana.getExpiresAt()).isEqualTo(Instant.parse("2099-01-01T00:00:00Z"));
    assertThat(ana.getCreatedAt()).isEqualTo(Instant.parse("2026-10-01T08:00:00.123Z")); // UTC, millis kept
    assertThat(ana.getUpdatedAt()).isEqualTo(Instant.parse("2026-11-15T09:30:00Z"));
    assertThat(ana.getCarriedSpendNanos()).isEqualTo(12_340_000_000L);
    assertThat(ana.getCarriedPeriodStart()).isEqualTo(THIS_MONTH);

    VirtualKey blocked = keySerde.deserialize(Topics.KEYS.name(), keys.get(KeyAuth.sha256(BLOCKED)).get(0));
    assertThat(blocked.getBlocked()).isTrue();
    assertThat(blocked.getSoftBudgetNanos()).isEqualTo(8_000_000_000L); // from its budget row, as LiteLLM joins it
    assertThat(blocked.getMaxBudgetNanos()).isEqualTo(10_000_000_000L);
    assertThat(blocked.getCreatedAt()).isEqualTo(Instant.EPOCH);
    VirtualKey expired = keySerde.deserialize(Topics.KEYS.name(), keys.get(KeyAuth.sha256(EXPIRED)).get(0));
    assertThat(expired.getExpiresAt()).isEqualTo(Instant.parse("2025-01-01T00:00:00Z"));
    assertThat(expired.getModels()).isEmpty();
    assertThat(expired.getCarriedSpendNanos()).isEqualTo(3_500_000_000L); // lifetime budget: lifetime spend
    assertThat(expired.getCarriedPeriodStart()).isEqualTo(Instant.EPOCH);

    Team team = TollgateSerdes.team().deserialize(Topics.TEAMS.name(),
        read(kafka, Topics.TEAMS.name(), before).get("team-search").get(0));
    assertThat(team.getTeamAlias()).isEqualTo("Search");
    assertThat(team.getModels()).containsExactly("claude-sonnet-4-5", "gpt-5");
    assertThat(team.getMaxBudgetNanos()).isEqualTo(1_000_000_000_000L);
    assertThat(team.getSoftBudgetNanos()).isEqualTo(800_000_000_000L);
    assertThat(team.getBudgetDuration()).isEqualTo("30d");
    assertThat(team.getMaxParallelRequests()).isEqualTo(50);
    assertThat(team.getTpmLimit()).isEqualTo(2_000_000L);
    assertThat(team.getRpmLimit()).isEqualTo(1000L);
    assertThat(team.getMetadata()).containsOnly(Map.entry("cost_center", "42"));
    assertThat(team.getCarriedSpendNanos()).isEqualTo(450_750_000_000L);
    assertThat(team.getCarriedPeriodStart()).isEqualTo(THIS_MONTH);
    assertThat(team.getCreatedAt()).isEqualTo(Instant.parse("2026-08-01T09:00:00Z"));

    Map<String, List<byte[]>> customers = read(kafka, Topics.CUSTOMERS.name(), before);
    Customer alice = TollgateSerdes.customer().deserialize(Topics.CUSTOMERS.name(), customers.get("alice").get(0));
    assertThat(alice.getAlias()).isEqualTo("Alice Corp");
    assertThat(alice.getBudgetId()).isEqualTo("free-tier");
    assertThat(alice.getDefaultModel()).isEqualTo("claude-haiku-4-5");
    assertThat(alice.getCarriedSpendNanos()).isEqualTo(125_000_000L);
    assertThat(alice.getCarriedPeriodStart()).isEqualTo(THIS_MONTH);
    Customer bob = TollgateSerdes.customer().deserialize(Topics.CUSTOMERS.name(), customers.get("bob").get(0));
    assertThat(bob.getBlocked()).isTrue();
    assertThat(bob.getCarriedPeriodStart()).isNull();

    Map<String, List<byte[]>> budgets = read(kafka, Topics.BUDGETS.name(), before);
    assertThat(budgets).containsOnlyKeys("free-tier", "key-soft");
    Budget free = TollgateSerdes.budget().deserialize(Topics.BUDGETS.name(), budgets.get("free-tier").get(0));
    assertThat(free.getMaxBudgetNanos()).isEqualTo(500_000_000L);
    assertThat(free.getSoftBudgetNanos()).isEqualTo(400_000_000L);
    assertThat(free.getBudgetDuration()).isEqualTo("1mo");
    assertThat(free.getRpmLimit()).isEqualTo(5L);
    assertThat(free.getTpmLimit()).isEqualTo(10_000L);
    assertThat(free.getCreatedAt()).isEqualTo(Instant.parse("2026-09-01T10:00:00Z"));
    assertThat(free.getUpdatedAt()).isEqualTo(Instant.parse("2026-09-02T11:00:00Z"));

    // Idempotent: the second run appends the same bytes for every key of every topic.
    Result second = run(kafka, url("litellm"));
    assertThat(second.status).isEqualTo(LitellmImport.SKIPPED_ROWS);
    for (String topic : List.of(Topics.KEYS.name(), Topics.TEAMS.name(), Topics.CUSTOMERS.name(), Topics.BUDGETS.name())) {
      Map<String, List<byte[]>> records = read(kafka, topic, before);
      assertThat(records).allSatisfy((key, values) -> {
        assertThat(values).as(topic + " " + key).hasSize(2);
        assertThat(values.get(1)).as(topic + " " + key).isEqualTo(values.get(0));
      });
    }

    // A dry run reports the same and writes nothing.
    Map<String, Long> afterTwo = endOffsets(kafka);
    Result dry = run(kafka, url("litellm"), "--dry-run");
    assertThat(dry.status).isEqualTo(LitellmImport.SKIPPED_ROWS);
    assertThat(dry.out).contains("Dry run: would write 8 records; nothing written.", "keys      3 → tollgate.keys.v1");
    assertThat(endOffsets(kafka)).isEqualTo(afterTwo);
  }

  @Test
  void anOlderLitellmDatabaseImportsWhatItHas(KafkaCluster kafka) {
    Map<String, Long> before = endOffsets(kafka);
    Result r = run(kafka, url("litellm") + "?schema=old&connection_limit=3");
    assertThat(r.status).as(r.out + r.err).isEqualTo(LitellmImport.OK);
    assertThat(r.out).contains("(schema old)", "read      1 keys, 0 teams, 0 end users, 0 budgets",
        "table \"LiteLLM_EndUserTable\" not found", "table \"LiteLLM_BudgetTable\" not found",
        "table \"LiteLLM_VerificationToken\" has no column max_parallel_requests, metadata, blocked");
    VirtualKey k = TollgateSerdes.virtualKey().deserialize(Topics.KEYS.name(),
        read(kafka, Topics.KEYS.name(), before).get(KeyAuth.sha256("sk-old-1")).get(0));
    assertThat(k.getMaxBudgetNanos()).isEqualTo(2_000_000_000L);
    assertThat(k.getBlocked()).isFalse();
    assertThat(k.getCarriedSpendNanos()).isEqualTo(1_500_000_000L);
    assertSecretFree(r);
  }

  @Test
  void tenThousandKeysImportInOneRun(KafkaCluster kafka) throws Exception {
    try (Connection c = connect("litellm"); Statement st = c.createStatement()) {
      st.execute("""
          CREATE SCHEMA scale;
          CREATE TABLE scale."LiteLLM_VerificationToken" (LIKE public."LiteLLM_VerificationToken" INCLUDING DEFAULTS);
          INSERT INTO scale."LiteLLM_VerificationToken" (token, key_alias, spend, models, max_budget, budget_duration,
              budget_reset_at, metadata, created_at, updated_at)
            SELECT encode(sha256(convert_to('sk-scale-' || i, 'UTF8')), 'hex'), 'dev-' || i, i / 100.0,
                   '{claude-sonnet-4-5}', 100, '30d', '%1$s', ('{"tags": ["claude-code"], "n": ' || i || '}')::jsonb,
                   '2026-10-01 00:00:00', '2026-10-01 00:00:00'
            FROM generate_series(1, 10000) AS i;
          """.formatted(ts(NEXT_MONTH)));
    }
    Map<String, Long> before = endOffsets(kafka);
    long started = System.nanoTime();
    Result r = run(kafka, url("litellm") + "?schema=scale");
    long ms = (System.nanoTime() - started) / 1_000_000;
    assertThat(r.status).as(r.out + r.err).isEqualTo(LitellmImport.OK);
    assertThat(r.out).contains("keys      10000 → tollgate.keys.v1", "Wrote 10000 records");
    Map<String, List<byte[]>> keys = read(kafka, Topics.KEYS.name(), before);
    assertThat(keys).hasSize(10_000);
    VirtualKey k = TollgateSerdes.virtualKey().deserialize(Topics.KEYS.name(),
        keys.get(KeyAuth.sha256("sk-scale-4242")).get(0));
    assertThat(k.getKeyAlias()).isEqualTo("dev-4242");
    assertThat(k.getCarriedSpendNanos()).isEqualTo(42_420_000_000L);
    assertThat(k.getMetadata()).containsOnly(Map.entry("n", "4242"));
    System.out.println("ImportLitellmIT: 10000 keys read, mapped and acknowledged in " + ms + " ms; "
        + r.out.substring(r.out.indexOf("Wrote ")).strip());
  }

  @Test
  void aWrongPasswordIsAnErrorThatDoesNotShowIt(KafkaCluster kafka) {
    Result r = run(kafka, "postgresql://litellm:not-the-password@127.0.0.1:" + pg.port() + "/litellm");
    assertThat(r.status).isEqualTo(LitellmImport.ERROR);
    assertThat(r.err).contains("password authentication failed").doesNotContain("not-the-password");
  }

  private static void assertSecretFree(Result r) {
    String all = r.out + r.err;
    assertThat(all).doesNotContain(PASSWORD, "p%40ss", "SECRET", ANA, BLOCKED, EXPIRED, KeyAuth.sha256(ANA),
        KeyAuth.sha256(BLOCKED), KeyAuth.sha256(EXPIRED), "legacy-token-value");
  }

  private record Result(int status, String out, String err) {
  }

  private static Result run(KafkaCluster kafka, String url, String... more) {
    List<String> args = new ArrayList<>(List.of("--database-url", url, "--bootstrap-servers", kafka.bootstrapServers()));
    args.addAll(List.of(more));
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    int status = LitellmImport.run(args.toArray(String[]::new), Map.of(), Clock.fixed(NOW, ZoneOffset.UTC),
        new PrintStream(out, true, StandardCharsets.UTF_8), new PrintStream(err, true, StandardCharsets.UTF_8));
    return new Result(status, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
  }

  private static String url(String database) {
    return "postgresql://litellm:" + URLEncoder.encode(PASSWORD, StandardCharsets.UTF_8).replace("+", "%20")
        + "@127.0.0.1:" + pg.port() + "/" + database;
  }

  private static Connection connect(String database) throws Exception {
    Properties p = new Properties();
    p.setProperty("user", pg.user());
    p.setProperty("password", pg.password());
    return DriverManager.getConnection(pg.jdbcUrl(database), p);
  }

  private static String ts(Instant t) {
    return t.toString().replace('T', ' ').replace("Z", "");
  }

  private static KafkaConsumer<String, byte[]> consumer(KafkaCluster kafka) {
    return new KafkaConsumer<>(Map.of(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers(),
        ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed"), new StringDeserializer(), new ByteArrayDeserializer());
  }

  private static List<TopicPartition> partitions(KafkaConsumer<?, ?> c, String topic) {
    return c.partitionsFor(topic, Duration.ofSeconds(30)).stream()
        .map(p -> new TopicPartition(topic, p.partition())).toList();
  }

  /** End offset per "topic-partition" of the four management topics (0 for topics not created yet). */
  private static Map<String, Long> endOffsets(KafkaCluster kafka) {
    Map<String, Long> out = new HashMap<>();
    try (KafkaConsumer<String, byte[]> c = consumer(kafka)) {
      for (String topic : List.of(Topics.KEYS.name(), Topics.TEAMS.name(), Topics.CUSTOMERS.name(), Topics.BUDGETS.name())) {
        List<TopicPartition> parts = c.listTopics(Duration.ofSeconds(30)).containsKey(topic) ? partitions(c, topic) : List.of();
        c.endOffsets(parts, Duration.ofSeconds(30)).forEach((tp, offset) -> out.put(tp.toString(), offset));
      }
    }
    return out;
  }

  /** Every value written to {@code topic} after {@code before}, by record key, in offset order. */
  private static Map<String, List<byte[]>> read(KafkaCluster kafka, String topic, Map<String, Long> before) {
    Map<String, List<byte[]>> out = new HashMap<>();
    try (KafkaConsumer<String, byte[]> c = consumer(kafka)) {
      List<TopicPartition> parts = partitions(c, topic);
      c.assign(parts);
      Map<TopicPartition, Long> end = c.endOffsets(parts, Duration.ofSeconds(30));
      parts.forEach(tp -> c.seek(tp, before.getOrDefault(tp.toString(), 0L)));
      long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
      while (parts.stream().anyMatch(tp -> c.position(tp) < end.get(tp))) {
        assertThat(System.nanoTime()).as("reading " + topic + " to its end").isLessThan(deadline);
        for (ConsumerRecord<String, byte[]> rec : c.poll(Duration.ofMillis(500))) {
          out.computeIfAbsent(rec.key(), k -> new ArrayList<>()).add(rec.value());
        }
      }
    }
    return out;
  }
}
