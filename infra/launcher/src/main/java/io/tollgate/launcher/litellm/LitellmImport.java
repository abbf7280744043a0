package io.tollgate.launcher.litellm;

import io.tollgate.ingress.config.IngressConfig;
import io.tollgate.launcher.litellm.LitellmRows.Snapshot;
import io.tollgate.schemas.VirtualKey;
import io.tollgate.schemas.kafka.KafkaClientProperties;
import io.tollgate.schemas.topics.Topics;
import java.io.PrintStream;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * {@code ./tollgate import-litellm}: reads a LiteLLM proxy database and writes its keys, teams,
 * customers (end users) and budgets into Tollgate's compacted topics, so that existing virtual keys
 * keep working unchanged (LiteLLM stores them as SHA-256 hashes too). Prints what it read, wrote and
 * left out; never a key hash beyond a short prefix, never the database password.
 *
 * <p>Exit status: 0 everything imported; 3 imported, but some rows were left out (listed); 1 an
 * error (database, Kafka) — records acknowledged before it stay, and running again is safe; 2 bad
 * options.
 */
public final class LitellmImport {
  static final int OK = 0;
  static final int ERROR = 1;
  static final int USAGE = 2;
  static final int SKIPPED_ROWS = 3;
  private static final int MAX_LISTED = 200;

  static final String HELP = """
      Usage: ./tollgate import-litellm --database-url postgresql://user:password@host:port/db [options]

      Reads LiteLLM's LiteLLM_VerificationToken, LiteLLM_TeamTable, LiteLLM_EndUserTable and
      LiteLLM_BudgetTable (read-only) and writes keys, teams, customers and budgets, with their spend
      so far, to tollgate.keys.v1, tollgate.teams.v1, tollgate.customers.v1 and tollgate.budgets.v1.
      Existing virtual keys keep working: LiteLLM stores them as SHA-256 hashes, as Tollgate does.

        --database-url URL        LiteLLM's DATABASE_URL (default: $DATABASE_URL); ?schema=NAME is honoured
        --bootstrap-servers HOSTS Kafka (default: $TOLLGATE_KAFKA, else 127.0.0.1:9092 — ./tollgate run's broker)
        --dry-run                 read and report, write nothing
        --help                    this text

      SSL/SASL for Kafka: a properties file named by $TOLLGATE_KAFKA_PROPERTIES_FILE.
      Exit status: 0 all imported, 3 imported with rows left out (listed), 1 error, 2 bad options.
      Running it again writes the same records. See docs/import-litellm.md.
      """;

  /** The parsed command line. */
  record Options(DatabaseUrl database, String bootstrapServers, boolean dryRun, boolean help) {
  }

  private LitellmImport() {
  }

  public static void main(String[] args) {
    System.exit(run(args, System.getenv(), Clock.systemUTC(), System.out, System.err));
  }

  /** The whole command; returns the exit status. */
  static int run(String[] args, Map<String, String> env, Clock clock, PrintStream out, PrintStream err) {
    Options options;
    try {
      options = parse(args, env);
    } catch (IllegalArgumentException e) {
      err.println("tollgate import-litellm: " + e.getMessage());
      err.print(HELP);
      return USAGE;
    }
    if (options.help()) {
      out.print(HELP);
      return OK;
    }
    Map<String, String> kafka;
    try {
      kafka = KafkaClientProperties.withFile(Map.of(), env);
    } catch (IllegalArgumentException e) {
      err.println("tollgate import-litellm: " + e.getMessage());
      return USAGE;
    }
    out.println("Importing from LiteLLM at " + options.database().redacted()
        + (options.dryRun() ? " (dry run: nothing is written)" : " into Kafka at " + options.bootstrapServers()));
    Snapshot snapshot;
    long started = System.nanoTime();
    try (Connection c = DriverManager.getConnection(options.database().jdbcUrl(), options.database().properties())) {
      snapshot = new LitellmReader(c).read();
    } catch (SQLException | RuntimeException e) {
      err.println("tollgate import-litellm: cannot read the LiteLLM database " + options.database().redacted() + ": "
          + e.getMessage());
      return ERROR;
    }
    long readMs = (System.nanoTime() - started) / 1_000_000;
    Instant now = clock.instant();
    long mapping = System.nanoTime();
    ImportPlan plan = LitellmMapping.plan(snapshot, now);
    long mapMs = (System.nanoTime() - mapping) / 1_000_000;
    report(snapshot, plan, now, out);
    if (options.dryRun()) {
      out.println("Dry run: would write " + plan.records() + " records; nothing written.");
      return plan.skipped().isEmpty() ? OK : SKIPPED_ROWS;
    }
    try {
      long writing = System.nanoTime();
      int written = new TopicWriter(options.bootstrapServers(), kafka).write(plan);
      out.println("Wrote " + written + " records (acks=all). Running the import again writes the same records."
          + " (read " + readMs + " ms, map " + mapMs + " ms, write " + (System.nanoTime() - writing) / 1_000_000 + " ms)");
    } catch (RuntimeException e) {
      err.println("tollgate import-litellm: writing to Kafka at " + options.bootstrapServers() + " failed: "
          + e.getMessage());
      return ERROR;
    }
    return plan.skipped().isEmpty() ? OK : SKIPPED_ROWS;
  }

  static Options parse(String[] args, Map<String, String> env) {
    String url = env.get("DATABASE_URL");
    String bootstrap = env.get("TOLLGATE_KAFKA");
    boolean dryRun = false;
    boolean help = false;
    List<String> problems = new ArrayList<>();
    for (int i = 0; i < args.length; i++) {
      String a = args[i];
      String name = a.contains("=") && a.startsWith("--") ? a.substring(0, a.indexOf('=')) : a;
      String inline = a.contains("=") && a.startsWith("--") ? a.substring(a.indexOf('=') + 1) : null;
      switch (name) {
        case "--dry-run" -> dryRun = true;
        case "--help", "-h" -> help = true;
        case "--database-url", "--bootstrap-servers" -> {
          String value = inline;
          if (value == null) {
            if (i + 1 >= args.length) {
              problems.add(name + " needs a value");
              continue;
            }
            value = args[++i];
          }
          if (name.equals("--database-url")) {
            url = value;
          } else {
            bootstrap = value;
          }
        }
        default -> problems.add("unknown option '" + (name.length() > 40 ? name.substring(0, 40) + "…" : name) + "'");
      }
    }
    if (help) {
      return new Options(null, null, false, true);
    }
    DatabaseUrl database = null;
    if (url == null || url.isBlank()) {
      problems.add("--database-url is required (or set DATABASE_URL, as for LiteLLM)");
    } else {
      try {
        database = DatabaseUrl.parse(url);
      } catch (IllegalArgumentException e) {
        problems.add(e.getMessage());
      }
    }
    if (!problems.isEmpty()) {
      throw new IllegalArgumentException(String.join("; ", problems));
    }
    return new Options(database, bootstrap == null || bootstrap.isBlank() ? IngressConfig.DEFAULT_KAFKA : bootstrap.strip(),
        dryRun, false);
  }

  private static void report(Snapshot s, ImportPlan plan, Instant now, PrintStream out) {
    out.println("  read      " + s.keys().size() + " keys, " + s.teams().size() + " teams, " + s.endUsers().size()
        + " end users, " + s.budgets().size() + " budgets");
    long expired = plan.keys().stream().filter(k -> k.getExpiresAt() != null && !k.getExpiresAt().isAfter(now)).count();
    long blocked = plan.keys().stream().filter(VirtualKey::getBlocked).count();
    long carried = 0;
    for (VirtualKey k : plan.keys()) {
      long sum = carried + k.getCarriedSpendNanos();
      carried = sum < carried ? Long.MAX_VALUE : sum; // both non-negative: overflow only saturates
    }
    out.println("  budgets   " + plan.budgets().size() + " → " + Topics.BUDGETS.name());
    out.println("  teams     " + plan.teams().size() + " → " + Topics.TEAMS.name());
    out.println("  customers " + plan.customers().size() + " → " + Topics.CUSTOMERS.name());
    out.println("  keys      " + plan.keys().size() + " → " + Topics.KEYS.name() + " (" + expired + " expired, "
        + blocked + " blocked; spend so far carried " + Usd.format(carried) + ")");
    // Every row left out is listed: each is a key, team or customer that will not work in Tollgate.
    list(out, "left out", plan.skipped().stream().map(Object::toString).toList(), Integer.MAX_VALUE);
    list(out, "adjusted", plan.notes(), MAX_LISTED);
    list(out, "warnings", plan.warnings(), MAX_LISTED);
  }

  private static void list(PrintStream out, String title, List<String> lines, int max) {
    if (lines.isEmpty()) {
      return;
    }
    out.println("  " + title + " (" + lines.size() + "):");
    lines.stream().limit(max).forEach(l -> out.println("    - " + l));
    if (lines.size() > max) {
      out.println("    … and " + (lines.size() - max) + " more");
    }
  }

  /** A key hash as logs may show it: the first 8 hex digits. */
  static String shortHash(String hash) {
    if (hash == null || hash.isEmpty()) {
      return "(none)";
    }
    return hash.length() <= 8 ? "…" : hash.substring(0, 8) + "…";
  }
}
