package io.tollgate.launcher.litellm;

import io.tollgate.ingress.identity.KeyAuth;
import io.tollgate.launcher.litellm.ImportPlan.Skipped;
import io.tollgate.launcher.litellm.LitellmRows.BudgetRow;
import io.tollgate.launcher.litellm.LitellmRows.EndUserRow;
import io.tollgate.launcher.litellm.LitellmRows.KeyRow;
import io.tollgate.launcher.litellm.LitellmRows.Snapshot;
import io.tollgate.launcher.litellm.LitellmRows.TeamRow;
import io.tollgate.schemas.Budget;
import io.tollgate.schemas.Customer;
import io.tollgate.schemas.Team;
import io.tollgate.schemas.VirtualKey;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * LiteLLM rows → Tollgate records (docs/import-litellm.md has the table). Pure and deterministic:
 * the same rows and the same {@code now} give the same records, so importing twice writes the same
 * bytes. {@code now} matters only for which budget period the spend so far belongs to.
 */
final class LitellmMapping {
  static final int MAX_ID = 512;
  static final int MAX_LABEL = 256;
  static final int MAX_MODELS = 1000;
  /** LiteLLM's "every model" markers; Tollgate says that with an empty list. */
  private static final Set<String> ALL_MODELS = Set.of("all-proxy-models", "*");
  private static final String ALL_TEAM_MODELS = "all-team-models";
  private static final Pattern HEX64 = Pattern.compile("[0-9a-fA-F]{64}");

  private final Instant now;
  private final List<Skipped> skipped = new ArrayList<>();
  private final List<String> notes = new ArrayList<>();

  private LitellmMapping(Instant now) {
    this.now = Objects.requireNonNull(now, "now");
  }

  static ImportPlan plan(Snapshot snapshot, Instant now) {
    return new LitellmMapping(now).map(snapshot);
  }

  private ImportPlan map(Snapshot s) {
    Map<String, BudgetRow> budgetRows = new HashMap<>();
    List<Budget> budgets = new ArrayList<>();
    for (BudgetRow row : s.budgets()) {
      Budget b = budget(row);
      if (b != null) {
        budgets.add(b);
        budgetRows.put(row.budgetId(), row);
      }
    }
    Set<String> teamIds = new HashSet<>();
    List<Team> teams = new ArrayList<>();
    for (TeamRow row : s.teams()) {
      Team t = team(row);
      if (t != null) {
        teams.add(t);
        teamIds.add(row.teamId());
      }
    }
    List<Customer> customers = new ArrayList<>();
    for (EndUserRow row : s.endUsers()) {
      Customer c = customer(row, budgetRows);
      if (c != null) {
        customers.add(c);
      }
    }
    List<VirtualKey> keys = new ArrayList<>();
    Set<String> hashes = new HashSet<>();
    for (KeyRow row : s.keys()) {
      VirtualKey k = key(row, budgetRows, teamIds);
      if (k == null) {
        continue;
      }
      if (!hashes.add(k.getKeyHash())) {
        skip(LitellmReader.KEYS, LitellmImport.shortHash(k.getKeyHash()), "another row has the same key hash");
        continue;
      }
      keys.add(k);
    }
    return new ImportPlan(budgets, teams, customers, keys, List.copyOf(skipped), List.copyOf(notes),
        List.copyOf(s.warnings()));
  }

  private Budget budget(BudgetRow r) {
    String id = r.budgetId();
    if (!validId(LitellmReader.BUDGETS, "budget_id", id)) {
      return null;
    }
    String label = "budget " + id;
    if (!validDuration(LitellmReader.BUDGETS, id, r.budgetDuration())) {
      return null;
    }
    Instant created = first(r.createdAt(), r.updatedAt(), Instant.EPOCH);
    return Budget.newBuilder()
        .setBudgetId(id)
        .setMaxBudgetNanos(amount(r.maxBudget(), label, "max_budget"))
        .setBudgetDuration(duration(r.budgetDuration()))
        .setCreatedAt(created)
        .setSoftBudgetNanos(amount(r.softBudget(), label, "soft_budget"))
        .setRpmLimit(limit(r.rpmLimit(), label, "rpm_limit"))
        .setTpmLimit(limit(r.tpmLimit(), label, "tpm_limit"))
        .setMaxParallelRequests(parallel(r.maxParallelRequests(), label))
        .setUpdatedAt(first(r.updatedAt(), created, created))
        .build();
  }

  private Team team(TeamRow r) {
    String id = r.teamId();
    if (!validId(LitellmReader.TEAMS, "team_id", id)) {
      return null;
    }
    String label = "team " + id;
    if (!validDuration(LitellmReader.TEAMS, id, r.budgetDuration())) {
      return null;
    }
    MetadataMap.Metadata metadata = MetadataMap.of(r.metadata(), false);
    metadata.notes().forEach(n -> notes.add(label + ": " + n));
    Carried carried = carried(r.spend(), r.budgetDuration(), r.budgetResetAt(), label);
    Instant created = first(r.createdAt(), r.updatedAt(), Instant.EPOCH);
    return Team.newBuilder()
        .setTeamId(id)
        .setTeamAlias(label(r.teamAlias(), label, "team_alias"))
        .setModels(models(r.models(), label, false))
        .setMaxBudgetNanos(amount(r.maxBudget(), label, "max_budget"))
        .setBudgetDuration(duration(r.budgetDuration()))
        .setBlocked(Boolean.TRUE.equals(r.blocked()))
        .setCreatedAt(created)
        .setMetadata(metadata.entries())
        .setSoftBudgetNanos(amount(r.softBudget(), label, "soft_budget"))
        .setRpmLimit(limit(r.rpmLimit(), label, "rpm_limit"))
        .setTpmLimit(limit(r.tpmLimit(), label, "tpm_limit"))
        .setMaxParallelRequests(parallel(r.maxParallelRequests(), label))
        .setCarriedSpendNanos(carried.nanos())
        .setCarriedPeriodStart(carried.periodStart())
        .setUpdatedAt(first(r.updatedAt(), created, created))
        .build();
  }

  private Customer customer(EndUserRow r, Map<String, BudgetRow> budgets) {
    String id = r.userId();
    if (!validId(LitellmReader.END_USERS, "user_id", id)) {
      return null;
    }
    String label = "customer " + id;
    BudgetRow budget = r.budgetId() == null ? null : budgets.get(r.budgetId());
    if (r.budgetId() != null && budget == null) {
      notes.add(label + ": budget_id " + r.budgetId() + " is not an imported budget; the customer has no limits until it exists");
    }
    // End users keep no period of their own: LiteLLM resets their spend with their budget's row.
    Carried carried = carried(r.spend(), budget == null ? null : budget.budgetDuration(),
        budget == null ? null : budget.budgetResetAt(), label);
    return Customer.newBuilder()
        .setCustomerId(id)
        .setAlias(label(r.alias(), label, "alias"))
        .setBlocked(Boolean.TRUE.equals(r.blocked()))
        .setCreatedAt(Instant.EPOCH) // LiteLLM_EndUserTable keeps no creation time
        .setBudgetId(r.budgetId())
        .setDefaultModel(label(r.defaultModel(), label, "default_model"))
        .setCarriedSpendNanos(carried.nanos())
        .setCarriedPeriodStart(carried.periodStart())
        .build();
  }

  private VirtualKey key(KeyRow r, Map<String, BudgetRow> budgets, Set<String> teamIds) {
    String hash = keyHash(r.token());
    if (hash == null) {
      return null;
    }
    String label = "key " + LitellmImport.shortHash(hash);
    BudgetRow budget = r.budgetId() == null ? null : budgets.get(r.budgetId());
    if (r.budgetId() != null && budget == null) {
      notes.add(label + ": budget_id " + r.budgetId() + " is not an imported budget; its limits are not applied");
    }
    // LiteLLM joins a key's budget row for what the key does not set itself (soft_budget lives only there).
    String durationText = r.budgetDuration() != null ? r.budgetDuration() : budget == null ? null : budget.budgetDuration();
    if (!validDuration(LitellmReader.KEYS, LitellmImport.shortHash(hash), durationText)) {
      return null;
    }
    if (r.teamId() != null && !teamIds.contains(r.teamId())) {
      notes.add(label + ": team_id " + r.teamId() + " is not an imported team; only the key's own limits apply");
    }
    MetadataMap.Metadata metadata = MetadataMap.of(r.metadata(), true);
    metadata.notes().forEach(n -> notes.add(label + ": " + n));
    Instant resetAt = r.budgetResetAt() != null || r.budgetDuration() != null ? r.budgetResetAt()
        : budget == null ? null : budget.budgetResetAt();
    Carried carried = carried(r.spend(), durationText, resetAt, label);
    Instant created = first(r.createdAt(), r.updatedAt(), Instant.EPOCH);
    return VirtualKey.newBuilder()
        .setKeyHash(hash)
        .setKeyAlias(label(r.keyAlias(), label, "key_alias"))
        .setDefaultCustomerId(null)
        .setTeamId(r.teamId() == null || r.teamId().isBlank() ? null : r.teamId())
        .setModels(models(r.models(), label, true))
        .setMaxBudgetNanos(amount(r.maxBudget() != null ? r.maxBudget() : budget == null ? null : budget.maxBudget(),
            label, "max_budget"))
        .setBudgetDuration(duration(durationText))
        .setBlocked(Boolean.TRUE.equals(r.blocked()))
        .setCreatedAt(created)
        .setExpiresAt(r.expires())
        .setMetadata(metadata.entries())
        .setKeyName(label(r.keyName(), label, "key_name"))
        .setUserId(label(r.userId(), label, "user_id"))
        .setTags(metadata.tags())
        .setSoftBudgetNanos(amount(budget == null ? null : budget.softBudget(), label, "soft_budget"))
        .setRpmLimit(limit(r.rpmLimit() != null ? r.rpmLimit() : budget == null ? null : budget.rpmLimit(), label, "rpm_limit"))
        .setTpmLimit(limit(r.tpmLimit() != null ? r.tpmLimit() : budget == null ? null : budget.tpmLimit(), label, "tpm_limit"))
        .setMaxParallelRequests(parallel(r.maxParallelRequests() != null ? r.maxParallelRequests()
            : budget == null ? null : budget.maxParallelRequests(), label))
        .setCarriedSpendNanos(carried.nanos())
        .setCarriedPeriodStart(carried.periodStart())
        .setUpdatedAt(first(r.updatedAt(), created, created))
        .build();
  }

  /**
   * The key's hash as Tollgate stores it: LiteLLM's {@code token} column is already the hex SHA-256
   * of the key (its {@code hash_token}), lower-cased here. A very old row holding the key itself
   * ({@code sk-…}) is hashed the same way, so that key keeps working too.
   */
  private String keyHash(String token) {
    if (token == null || token.isBlank()) {
      skip(LitellmReader.KEYS, "(empty)", "token is empty");
      return null;
    }
    String t = token.strip();
    if (HEX64.matcher(t).matches()) {
      return t.toLowerCase(Locale.ROOT);
    }
    if (t.startsWith("sk-") && t.length() <= MAX_ID) {
      String hash = KeyAuth.sha256(t);
      notes.add("key " + LitellmImport.shortHash(hash) + ": the token column held the key itself, not its hash;"
          + " imported by its SHA-256 (remove the plain key from LiteLLM's database)");
      return hash;
    }
    skip(LitellmReader.KEYS, "(token of " + t.length() + " characters)",
        "token is neither a hex SHA-256 hash nor an sk- key");
    return null;
  }

  private boolean validId(String table, String column, String id) {
    if (id == null || id.isBlank()) {
      skip(table, "(empty)", column + " is empty");
      return false;
    }
    if (id.length() > MAX_ID) {
      skip(table, id.substring(0, 32) + "…", column + " is longer than " + MAX_ID + " characters");
      return false;
    }
    return true;
  }

  private boolean validDuration(String table, String id, String duration) {
    if (duration == null || duration.isBlank() || BudgetPeriods.parse(duration) != null) {
      return true;
    }
    String shown = duration.length() > 32 ? duration.substring(0, 32) + "…" : duration;
    skip(table, id, "budget_duration '" + shown + "' is not a duration (30s, 30m, 1h, 1d, 7d, 1w, 30d, 1mo, daily,"
        + " weekly, monthly); LiteLLM cannot reset it either. Fix it in LiteLLM and import again");
    return false;
  }

  private static String duration(String text) {
    return text == null || text.isBlank() ? null : text.strip();
  }

  /** Spend so far and the budget period it belongs to. */
  private record Carried(long nanos, Instant periodStart) {
    static final Carried NONE = new Carried(0, null);
  }

  /**
   * LiteLLM's {@code spend} is what the scope spent since its last reset. Without a budget_duration
   * that is lifetime spend (period start = epoch, as Tollgate's lifetime periods). With one, it is
   * the spend of the period that runs until {@code budget_reset_at}: carried into the period
   * {@code now} falls in, unless that reset time has passed — then LiteLLM's period is over and its
   * next reset run would zero the spend, so nothing is carried.
   */
  private Carried carried(Double spend, String durationText, Instant resetAt, String label) {
    if (spend == null || spend == 0) {
      return Carried.NONE;
    }
    if (spend.isNaN() || spend < 0) {
      notes.add(label + ": spend " + spend + " is not a non-negative amount; carried as 0");
      return Carried.NONE;
    }
    long nanos = Usd.nanos(spend);
    BudgetPeriods.Duration d = BudgetPeriods.parse(durationText);
    if (d == null) {
      return new Carried(nanos, Instant.EPOCH);
    }
    if (resetAt != null && !resetAt.isAfter(now)) {
      notes.add(label + ": spend " + Usd.format(nanos) + " belongs to a budget period that ended at " + resetAt
          + "; not carried (LiteLLM resets it on its next run)");
      return Carried.NONE;
    }
    return new Carried(nanos, BudgetPeriods.periodStart(d, now));
  }

  private Long amount(Double usd, String label, String column) {
    if (usd == null) {
      return null;
    }
    if (usd.isNaN()) {
      notes.add(label + ": " + column + " is NaN; imported as no limit (LiteLLM never trips it either)");
      return null;
    }
    if (usd < 0) {
      notes.add(label + ": " + column + " " + usd + " is negative; imported as 0 (LiteLLM refuses every call too)");
      return 0L;
    }
    return Usd.nanos(usd);
  }

  private Long limit(Long value, String label, String column) {
    if (value != null && value < 0) {
      notes.add(label + ": " + column + " " + value + " is negative; imported as 0");
      return 0L;
    }
    return value;
  }

  private Integer parallel(Integer value, String label) {
    if (value != null && value < 0) {
      notes.add(label + ": max_parallel_requests " + value + " is negative; imported as 0");
      return 0;
    }
    return value;
  }

  private String label(String value, String label, String column) {
    if (value == null || value.isEmpty()) {
      return null;
    }
    if (value.length() > MAX_LABEL) {
      notes.add(label + ": " + column + " cut to " + MAX_LABEL + " characters");
      return value.substring(0, MAX_LABEL);
    }
    return value;
  }

  /**
   * LiteLLM's {@code models}: empty or {@code all-proxy-models} = every model (Tollgate: empty).
   * On a key, {@code all-team-models} means the team's models, which the key's team record
   * enforces, so the key itself lists none.
   */
  private List<String> models(List<String> models, String label, boolean key) {
    List<String> out = new ArrayList<>();
    for (String m : models) {
      String model = m == null ? "" : m.strip();
      if (model.isEmpty()) {
        continue;
      }
      if (ALL_MODELS.contains(model) || key && model.equals(ALL_TEAM_MODELS)) {
        return List.of();
      }
      if (model.length() > MAX_LABEL) {
        notes.add(label + ": a model name longer than " + MAX_LABEL + " characters left out");
      } else if (out.size() >= MAX_MODELS) {
        notes.add(label + ": models beyond " + MAX_MODELS + " left out");
        break;
      } else if (!out.contains(model)) {
        out.add(model);
      }
    }
    return out;
  }

  private void skip(String table, String id, String reason) {
    skipped.add(new Skipped(table, id, reason));
  }

  @SafeVarargs
  private static <T> T first(T... values) {
    for (T v : values) {
      if (v != null) {
        return v;
      }
    }
    return null;
  }
}
