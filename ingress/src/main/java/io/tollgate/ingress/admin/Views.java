package io.tollgate.ingress.admin;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.tollgate.ingress.budget.CallScopes;
import io.tollgate.ingress.budget.Scope;
import io.tollgate.ingress.budget.ScopeLimits;
import io.tollgate.ingress.budget.SpendView;
import io.tollgate.ingress.identity.Directory;
import io.tollgate.schemas.Budget;
import io.tollgate.schemas.Customer;
import io.tollgate.schemas.Team;
import io.tollgate.schemas.VirtualKey;
import java.time.Clock;
import java.time.Instant;
import java.util.List;
import java.util.Map;

/**
 * The JSON LiteLLM's management API answers for a key, team, customer or budget (its field names;
 * money as float USD, times as ISO-8601 UTC), with spend read through {@link SpendView}. A key is
 * shown by its hash ({@code token}) and its abbreviation ({@code key_name}), never by its value.
 */
final class Views {
  private static final JsonNodeFactory F = JsonNodeFactory.instance;
  private final Directory directory;
  private final SpendView spend;
  private final CallScopes scopes;
  private final Clock clock;

  Views(Directory directory, SpendView spend, Clock clock) {
    this.directory = directory;
    this.spend = spend;
    this.scopes = new CallScopes(directory, null);
    this.clock = clock;
  }

  ObjectNode key(VirtualKey k) {
    Instant now = clock.instant();
    ObjectNode o = F.objectNode().put("token", k.getKeyHash()).put("key_name", k.getKeyName())
        .put("key_alias", k.getKeyAlias());
    List<ScopeLimits> limits = scopes.of(k.getKeyHash(), null);
    o.put("spend", limits.isEmpty() ? 0.0 : Money.usd(spend.spendNanos(limits.get(0), now)));
    money(o, "max_budget", k.getMaxBudgetNanos());
    money(o, "soft_budget", k.getSoftBudgetNanos());
    o.put("budget_duration", k.getBudgetDuration());
    time(o, "budget_reset_at", k.getBudgetDuration() == null ? null : spend.budgetResetAt(k.getBudgetDuration(), now));
    time(o, "expires", k.getExpiresAt());
    strings(o, "models", k.getModels());
    strings(o, "tags", k.getTags());
    o.put("team_id", k.getTeamId()).put("user_id", k.getUserId()).put("default_customer_id", k.getDefaultCustomerId());
    metadata(o, k.getMetadata());
    o.put("blocked", k.getBlocked());
    limits(o, k.getRpmLimit(), k.getTpmLimit(), k.getMaxParallelRequests());
    time(o, "created_at", k.getCreatedAt());
    time(o, "updated_at", k.getUpdatedAt());
    return o;
  }

  ObjectNode team(Team t) {
    Instant now = clock.instant();
    ObjectNode o = F.objectNode().put("team_id", t.getTeamId()).put("team_alias", t.getTeamAlias());
    ScopeLimits limits = new ScopeLimits(Scope.TEAM, t.getTeamId(), t.getTeamAlias(), t.getMaxBudgetNanos(),
        t.getSoftBudgetNanos(), t.getBudgetDuration(), t.getRpmLimit(), t.getTpmLimit(), t.getMaxParallelRequests(),
        t.getCarriedSpendNanos(), t.getCarriedPeriodStart() == null ? null : t.getCarriedPeriodStart().toEpochMilli());
    o.put("spend", Money.usd(spend.spendNanos(limits, now)));
    money(o, "max_budget", t.getMaxBudgetNanos());
    money(o, "soft_budget", t.getSoftBudgetNanos());
    o.put("budget_duration", t.getBudgetDuration());
    time(o, "budget_reset_at", t.getBudgetDuration() == null ? null : spend.budgetResetAt(t.getBudgetDuration(), now));
    strings(o, "models", t.getModels());
    metadata(o, t.getMetadata());
    o.put("blocked", t.getBlocked());
    limits(o, t.getRpmLimit(), t.getTpmLimit(), t.getMaxParallelRequests());
    time(o, "created_at", t.getCreatedAt());
    time(o, "updated_at", t.getUpdatedAt());
    return o;
  }

  ObjectNode customer(Customer c) {
    Instant now = clock.instant();
    ObjectNode o = F.objectNode().put("user_id", c.getCustomerId()).put("alias", c.getAlias());
    List<ScopeLimits> limits = scopes.of(null, c.getCustomerId());
    o.put("spend", limits.isEmpty() ? 0.0 : Money.usd(spend.spendNanos(limits.get(0), now)));
    o.put("blocked", c.getBlocked()).putNull("allowed_model_region").put("default_model", c.getDefaultModel())
        .put("budget_id", c.getBudgetId());
    metadata(o, c.getMetadata());
    Budget b = c.getBudgetId() == null ? null : directory.budget(c.getBudgetId());
    boolean own = c.getMaxBudgetNanos() != null || c.getSoftBudgetNanos() != null || c.getBudgetDuration() != null
        || c.getRpmLimit() != null || c.getTpmLimit() != null || c.getMaxParallelRequests() != null;
    if (own || b != null) {
      ObjectNode t = o.putObject("litellm_budget_table").put("budget_id", c.getBudgetId());
      money(t, "max_budget", first(c.getMaxBudgetNanos(), b == null ? null : b.getMaxBudgetNanos()));
      money(t, "soft_budget", first(c.getSoftBudgetNanos(), b == null ? null : b.getSoftBudgetNanos()));
      String duration = first(c.getBudgetDuration(), b == null ? null : b.getBudgetDuration());
      t.put("budget_duration", duration);
      time(t, "budget_reset_at", duration == null ? null : spend.budgetResetAt(duration, now));
      limits(t, first(c.getRpmLimit(), b == null ? null : b.getRpmLimit()),
          first(c.getTpmLimit(), b == null ? null : b.getTpmLimit()),
          first(c.getMaxParallelRequests(), b == null ? null : b.getMaxParallelRequests()));
    } else {
      o.putNull("litellm_budget_table");
    }
    time(o, "created_at", c.getCreatedAt());
    time(o, "updated_at", c.getUpdatedAt());
    return o;
  }

  ObjectNode budget(Budget b) {
    ObjectNode o = F.objectNode().put("budget_id", b.getBudgetId());
    money(o, "max_budget", b.getMaxBudgetNanos());
    money(o, "soft_budget", b.getSoftBudgetNanos());
    o.put("budget_duration", b.getBudgetDuration());
    time(o, "budget_reset_at", b.getBudgetDuration() == null ? null
        : spend.budgetResetAt(b.getBudgetDuration(), clock.instant()));
    limits(o, b.getRpmLimit(), b.getTpmLimit(), b.getMaxParallelRequests());
    time(o, "created_at", b.getCreatedAt());
    time(o, "updated_at", b.getUpdatedAt());
    return o;
  }

  private static void money(ObjectNode o, String name, Long nanos) {
    if (nanos == null) {
      o.putNull(name);
    } else {
      o.put(name, Money.usd(nanos));
    }
  }

  private static void time(ObjectNode o, String name, Instant t) {
    o.put(name, t == null ? null : t.toString());
  }

  private static void strings(ObjectNode o, String name, List<String> values) {
    ArrayNode a = o.putArray(name);
    values.forEach(a::add);
  }

  private static void metadata(ObjectNode o, Map<String, String> metadata) {
    ObjectNode m = o.putObject("metadata");
    metadata.forEach(m::put);
  }

  private static void limits(ObjectNode o, Long rpm, Long tpm, Integer parallel) {
    o.put("rpm_limit", rpm).put("tpm_limit", tpm).put("max_parallel_requests", parallel);
  }

  private static <T> T first(T a, T b) {
    return a != null ? a : b;
  }
}
