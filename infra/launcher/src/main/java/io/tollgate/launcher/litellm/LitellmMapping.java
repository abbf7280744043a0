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
  private static final Pattern HEX64 = Pattern.compile("[0-9a-fA-F]{64}");

  private final List<Skipped> skipped = new ArrayList<>();
  private final List<String> notes = new ArrayList<>();
  private final ColumnValues values;

  private LitellmMapping(Instant now) {
    this.values = new ColumnValues(Objects.requireNonNull(now, "now"), notes);
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
        .setMaxBudgetNanos(values.amount(r.maxBudget(), label, "max_budget"))
        .setBudgetDuration(duration(r.budgetDuration()))
        .setCreatedAt(created)
        .setSoftBudgetNanos(values.amount(r.softBudget(), label, "soft_budget"))
        .setRpmLimit(values.limit(r.rpmLimit(), label, "rpm_limit"))
        .setTpmLimit(values.limit(r.tpmLimit(), label, "tpm_limit"))
        .setMaxParallelRequests(values.parallel(r.maxParallelRequests(), label))
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
    ColumnValues.Carried carried = values.carried(r.spend(), r.budgetDuration(), r.budgetResetAt(), label);
    Instant created = first(r.createdAt(), r.updatedAt(), Instant.EPOCH);
    return Team.newBuilder()
        .setTeamId(id)
        .setTeamAlias(values.label(r.teamAlias(), label, "team_alias"))
        .setModels(values.models(r.models(), label, false))
        .setMaxBudgetNanos(values.amount(r.maxBudget(), label, "max_budget"))
        .setBudgetDuration(duration(r.budgetDuration()))
        .setBlocked(Boolean.TRUE.equals(r.blocked()))
        .setCreatedAt(created)
        .setMetadata(metadata.entries())
        .setSoftBudgetNanos(values.amount(r.softBudget(), label, "soft_budget"))
        .setRpmLimit(values.limit(r.rpmLimit(), label, "rpm_limit"))
        .setTpmLimit(values.limit(r.tpmLimit(), label, "tpm_limit"))
        .setMaxParallelRequests(values.parallel(r.maxParallelRequests(), label))
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
    ColumnValues.Carried carried = values.carried(r.spend(), budget == null ? null : budget.budgetDuration(),
        budget == null ? null : budget.budgetResetAt(), label);
    return Customer.newBuilder()
        .setCustomerId(id)
        .setAlias(values.label(r.alias(), label, "alias"))
        .setBlocked(Boolean.TRUE.equals(r.blocked()))
        .setCreatedAt(Instant.EPOCH) // LiteLLM_EndUserTable keeps no creation time
        .setBudgetId(r.budgetId())
        .setDefaultModel(values.label(r.defaultModel(), label, "default_model"))
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
    ColumnValues.Carried carried = values.carried(r.spend(), durationText, resetAt, label);
    Instant created = first(r.createdAt(), r.updatedAt(), Instant.EPOCH);
    return VirtualKey.newBuilder()
        .setKeyHash(hash)
        .setKeyAlias(values.label(r.keyAlias(), label, "key_alias"))
        .setDefaultCustomerId(null)
        .setTeamId(r.teamId() == null || r.teamId().isBlank() ? null : r.teamId())
        .setModels(values.models(r.models(), label, true))
        .setMaxBudgetNanos(values.amount(r.maxBudget() != null ? r.maxBudget() : budget == null ? null : budget.maxBudget(),
            label, "max_budget"))
        .setBudgetDuration(duration(durationText))
        .setBlocked(Boolean.TRUE.equals(r.blocked()))
        .setCreatedAt(created)
        .setExpiresAt(r.expires())
        .setMetadata(metadata.entries())
        .setKeyName(values.label(r.keyName(), label, "key_name"))
        .setUserId(values.label(r.userId(), label, "user_id"))
        .setTags(metadata.tags())
        .setSoftBudgetNanos(values.amount(budget == null ? null : budget.softBudget(), label, "soft_budget"))
        .setRpmLimit(values.limit(r.rpmLimit() != null ? r.rpmLimit() : budget == null ? null : budget.rpmLimit(), label,
            "rpm_limit"))
        .setTpmLimit(values.limit(r.tpmLimit() != null ? r.tpmLimit() : budget == null ? null : budget.tpmLimit(), label,
            "tpm_limit"))
        .setMaxParallelRequests(values.parallel(r.maxParallelRequests() != null ? r.maxParallelRequests()
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
