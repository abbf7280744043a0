package io.tollgate.ingress.admin;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import io.tollgate.schemas.Customer;
import io.tollgate.schemas.topics.Topics;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

/**
 * LiteLLM's {@code /customer/*} (and its {@code /end_user/*} aliases): new, update, delete, info,
 * list, block, unblock. A customer's budget is its own ({@code max_budget} …) or a budget's
 * ({@code budget_id}), never both, as in LiteLLM.
 */
final class CustomerEndpoints {
  private static final JsonNodeFactory F = JsonNodeFactory.instance;
  private final DirectoryStore store;
  private final Views views;
  private final Clock clock;

  CustomerEndpoints(DirectoryStore store, Views views, Clock clock) {
    this.store = store;
    this.views = views;
    this.clock = clock;
  }

  CompletionStage<JsonNode> create(Call call) {
    call.requireMaster("/customer/new");
    Fields f = call.fields();
    String id = f.required("user_id", Fields.MAX_ID);
    if (store.customer(id) != null) {
      throw ApiError.badRequest("user_id", "Customer already exists, passed user_id=" + TeamEndpoints.cap(id)
          + ". Use /customer/update to change it.");
    }
    Instant now = clock.instant();
    Customer.Builder b = Customer.newBuilder().setCustomerId(id).setCreatedAt(now).setUpdatedAt(now);
    apply(f, b);
    Customer customer = b.build();
    return store.write(Topics.CUSTOMERS, id, customer).thenApply(v -> views.customer(customer));
  }

  CompletionStage<JsonNode> update(Call call) {
    call.requireMaster("/customer/update");
    Fields f = call.fields();
    Customer.Builder b = Customer.newBuilder(existing(f.required("user_id", Fields.MAX_ID)))
        .setUpdatedAt(clock.instant());
    apply(f, b);
    Customer customer = b.build();
    return store.write(Topics.CUSTOMERS, customer.getCustomerId(), customer).thenApply(v -> views.customer(customer));
  }

  CompletionStage<JsonNode> delete(Call call) {
    call.requireMaster("/customer/delete");
    Set<String> ids = ids(call);
    ids.forEach(this::existing);
    return writeAll(ids, id -> null).thenApply(v -> F.objectNode().set("deleted_customers", array(ids)));
  }

  CompletionStage<JsonNode> setBlocked(Call call, boolean blocked) {
    call.requireMaster(blocked ? "/customer/block" : "/customer/unblock");
    Set<String> ids = ids(call);
    Instant now = clock.instant();
    // As LiteLLM: blocking a customer the gateway has not seen yet creates it, blocked.
    return writeAll(ids, id -> {
      Customer c = store.customer(id);
      Customer.Builder b = c == null ? Customer.newBuilder().setCustomerId(id).setCreatedAt(now) : Customer.newBuilder(c);
      return b.setBlocked(blocked).setUpdatedAt(now).build();
    }).thenApply(v -> F.objectNode().set("blocked_users", array(ids)));
  }

  CompletionStage<JsonNode> info(Call call) {
    call.requireMaster("/customer/info");
    String id = call.query().get("end_user_id");
    if (id == null || id.isBlank()) {
      throw ApiError.badRequest("end_user_id", "end_user_id is required");
    }
    return CompletableFuture.completedFuture(views.customer(existing(id)));
  }

  CompletionStage<JsonNode> list(Call call) {
    call.requireMaster("/customer/list");
    int page = KeyEndpoints.intParam(call, "page", 1, 1, 1_000_000);
    int size = KeyEndpoints.intParam(call, "size", TeamEndpoints.MAX_LISTED, 1, TeamEndpoints.MAX_LISTED);
    ArrayNode out = F.arrayNode();
    store.customers().stream()
        .sorted(Comparator.comparing(Customer::getCreatedAt).thenComparing(Customer::getCustomerId))
        .skip((long) (page - 1) * size).limit(size).forEach(c -> out.add(views.customer(c)));
    return CompletableFuture.completedFuture(out);
  }

  private Set<String> ids(Call call) {
    List<String> ids = call.fields().strings("user_ids", Fields.MAX_LIST, Fields.MAX_ID);
    if (ids == null || ids.isEmpty()) {
      throw ApiError.badRequest("user_ids", "user_ids is required");
    }
    return new LinkedHashSet<>(ids);
  }

  private CompletableFuture<Void> writeAll(Set<String> ids, java.util.function.Function<String, Customer> record) {
    List<CompletableFuture<Void>> writes = new ArrayList<>();
    ids.forEach(id -> writes.add(store.write(Topics.CUSTOMERS, id, record.apply(id))));
    return CompletableFuture.allOf(writes.toArray(CompletableFuture[]::new));
  }

  private static ArrayNode array(Set<String> ids) {
    ArrayNode a = F.arrayNode();
    ids.forEach(a::add);
    return a;
  }

  private void apply(Fields f, Customer.Builder b) {
    if (f.has("alias")) {
      b.setAlias(f.string("alias", Fields.MAX_ID));
    }
    if (f.has("blocked")) {
      Boolean blocked = f.bool("blocked");
      b.setBlocked(blocked != null && blocked);
    }
    if (f.has("default_model")) {
      b.setDefaultModel(f.string("default_model", Fields.MAX_ID));
    }
    if (f.has("metadata")) {
      var metadata = f.metadata("metadata");
      b.setMetadata(metadata == null ? java.util.Map.of() : metadata);
    }
    if (f.has("budget_id")) {
      String budget = f.string("budget_id", Fields.MAX_ID);
      if (budget != null && store.budget(budget) == null) {
        throw ApiError.badRequest("budget_id", "budget_id '" + TeamEndpoints.cap(budget) + "' does not exist; create "
            + "it with /budget/new");
      }
      b.setBudgetId(budget);
    }
    f.limits(b::setMaxBudgetNanos, b::setSoftBudgetNanos, b::setBudgetDuration, b::setRpmLimit,
        b::setTpmLimit, b::setMaxParallelRequests);
    if (b.getBudgetId() != null && b.getMaxBudgetNanos() != null) {
      throw ApiError.badRequest("max_budget", "Cannot set both max_budget and budget_id: give the customer its own "
          + "budget or a budget's");
    }
  }

  private Customer existing(String id) {
    Customer c = store.customer(id);
    if (c == null) {
      throw ApiError.notFound("end_user_id", "End User Id=" + TeamEndpoints.cap(id) + " does not exist");
    }
    return c;
  }
}
