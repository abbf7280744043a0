package io.tollgate.ingress.admin;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import io.tollgate.schemas.Budget;
import io.tollgate.schemas.topics.Topics;
import java.time.Clock;
import java.time.Instant;
import java.util.Comparator;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

/**
 * LiteLLM's {@code /budget/*}: new, update, delete, info, list. Customers refer to a budget by
 * {@code budget_id}; a deleted budget leaves them without one (no limit), as a missing row does in LiteLLM.
 */
final class BudgetEndpoints {
  private static final JsonNodeFactory F = JsonNodeFactory.instance;
  private final DirectoryStore store;
  private final Views views;
  private final Clock clock;

  BudgetEndpoints(DirectoryStore store, Views views, Clock clock) {
    this.store = store;
    this.views = views;
    this.clock = clock;
  }

  CompletionStage<JsonNode> create(Call call) {
    call.requireMaster("/budget/new");
    Fields f = call.fields();
    String id = f.string("budget_id", Fields.MAX_ID);
    String budgetId = id != null && !id.isBlank() ? id : UUID.randomUUID().toString();
    if (store.budget(budgetId) != null) {
      throw ApiError.badRequest("budget_id", "Budget id = " + TeamEndpoints.cap(budgetId) + " already exists");
    }
    Instant now = clock.instant();
    Budget.Builder b = Budget.newBuilder().setBudgetId(budgetId).setCreatedAt(now).setUpdatedAt(now);
    apply(f, b);
    Budget budget = b.build();
    return store.write(Topics.BUDGETS, budgetId, budget).thenApply(v -> views.budget(budget));
  }

  CompletionStage<JsonNode> update(Call call) {
    call.requireMaster("/budget/update");
    Fields f = call.fields();
    Budget.Builder b = Budget.newBuilder(existing(f.required("budget_id", Fields.MAX_ID))).setUpdatedAt(clock.instant());
    apply(f, b);
    Budget budget = b.build();
    return store.write(Topics.BUDGETS, budget.getBudgetId(), budget).thenApply(v -> views.budget(budget));
  }

  CompletionStage<JsonNode> delete(Call call) {
    call.requireMaster("/budget/delete");
    Budget budget = existing(call.fields().required("id", Fields.MAX_ID));
    return store.write(Topics.BUDGETS, budget.getBudgetId(), null).thenApply(v -> views.budget(budget));
  }

  /** {@code POST /budget/info {"budgets": [ids]}}. */
  CompletionStage<JsonNode> info(Call call) {
    call.requireMaster("/budget/info");
    List<String> ids = call.fields().strings("budgets", Fields.MAX_LIST, Fields.MAX_ID);
    if (ids == null || ids.isEmpty()) {
      throw ApiError.badRequest("budgets", "budgets is required");
    }
    ArrayNode out = F.arrayNode();
    ids.forEach(id -> out.add(views.budget(existing(id))));
    return CompletableFuture.completedFuture(out);
  }

  CompletionStage<JsonNode> list(Call call) {
    call.requireMaster("/budget/list");
    ArrayNode out = F.arrayNode();
    store.budgets().stream().sorted(Comparator.comparing(Budget::getCreatedAt).thenComparing(Budget::getBudgetId))
        .limit(TeamEndpoints.MAX_LISTED).forEach(b -> out.add(views.budget(b)));
    return CompletableFuture.completedFuture(out);
  }

  private void apply(Fields f, Budget.Builder b) {
    f.limits(b::setMaxBudgetNanos, b::setSoftBudgetNanos, b::setBudgetDuration, b::setRpmLimit,
        b::setTpmLimit, b::setMaxParallelRequests);
  }

  private Budget existing(String id) {
    Budget b = store.budget(id);
    if (b == null) {
      throw ApiError.notFound("budget_id", "Budget not found, budget_id=" + TeamEndpoints.cap(id));
    }
    return b;
  }
}
