package io.tollgate.ingress.admin;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.tollgate.schemas.VirtualKey;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.function.Supplier;

/**
 * Management writes one at a time per record: a {@code /key/update} and a {@code /key/block} of
 * the same key each read the record, change a field and write it back, so run side by side the
 * later write would drop the earlier one's change (and an update racing a delete would bring the
 * key back). A write waits for the writes before it on any of its records to be acknowledged and
 * applied, then reads; nothing blocks a thread: the waiting write runs as a continuation (on the
 * common pool, so a long queue is no deep stack), and one with no write ahead of it runs at once
 * on the caller's thread. Records in one call are claimed together, in one step, so two
 * multi-record writes cannot wait on each other. Within one gateway; across gateways the last
 * acknowledged write of a record wins (docs/management-api.md).
 */
final class SerialWrites {
  private final Map<String, CompletableFuture<?>> tails = new HashMap<>();

  /**
   * Runs {@code step} after every earlier step on any of {@code ids} has completed (either way);
   * its outcome is the returned future's. A step that throws fails that future.
   */
  <T> CompletableFuture<T> run(Set<String> ids, Supplier<? extends CompletionStage<T>> step) {
    CompletableFuture<T> mine = new CompletableFuture<>();
    List<CompletableFuture<?>> before = new ArrayList<>();
    synchronized (tails) {
      for (String id : ids) {
        CompletableFuture<?> prev = tails.put(id, mine);
        if (prev != null) {
          before.add(prev);
        }
      }
    }
    mine.whenComplete((v, e) -> {
      synchronized (tails) {
        ids.forEach(id -> tails.remove(id, mine));
      }
    });
    if (before.isEmpty()) {
      start(step, mine);
    } else {
      CompletableFuture.allOf(before.stream().map(f -> f.handle((v, e) -> null)).toArray(CompletableFuture[]::new))
          .whenCompleteAsync((v, e) -> start(step, mine));
    }
    return mine;
  }

  /** How many records have a write in progress (for tests: 0 once everything completed). */
  int pending() {
    synchronized (tails) {
      return tails.size();
    }
  }

  private static <T> void start(Supplier<? extends CompletionStage<T>> step, CompletableFuture<T> into) {
    try {
      step.get().whenComplete((v, e) -> {
        if (e != null) {
          into.completeExceptionally(e);
        } else {
          into.complete(v);
        }
      });
    } catch (RuntimeException | Error e) {
      into.completeExceptionally(e);
    }
  }

  /**
   * The records a management write reads and writes, as {@code topic|id}: the named key, team,
   * customer or budget (also for the create routes, so two creates of one id cannot both pass the
   * "already exists" check), a key alias being set, and the keys a team delete removes. An id the body gets wrong is left
   * out: the endpoint refuses it.
   */
  static Set<String> records(String route, ObjectNode body, String pathKey, DirectoryStore store) {
    Set<String> out = new LinkedHashSet<>();
    switch (route) {
      case "/key/generate", "/key/update" -> {
        key(out, body.get("key"));
        // Aliases are unique across keys: two writes giving one alias must not both pass the check.
        text(out, "key-alias|", body.get("key_alias"));
      }
      case "/key/block", "/key/unblock" -> key(out, body.get("key"));
      case "/key/regenerate" -> {
        key(out, pathKey == null ? null : body.textNode(pathKey));
        key(out, body.get("new_key"));
        text(out, "key-alias|", body.get("key_alias"));
      }
      case "/key/delete" -> {
        each(body.get("keys"), k -> key(out, k));
        each(body.get("key_aliases"), a -> store.keys().stream().filter(k -> a.asText().equals(k.getKeyAlias()))
            .forEach(k -> out.add("key|" + k.getKeyHash())));
      }
      case "/team/new", "/team/update", "/team/block", "/team/unblock" -> text(out, "team|", body.get("team_id"));
      case "/team/delete" -> each(body.get("team_ids"), t -> {
        text(out, "team|", t);
        for (VirtualKey k : store.keys()) {
          if (t.asText().equals(k.getTeamId())) {
            out.add("key|" + k.getKeyHash());
          }
        }
      });
      case "/customer/new", "/customer/update" -> text(out, "customer|", body.get("user_id"));
      case "/customer/delete", "/customer/block", "/customer/unblock" ->
          each(body.get("user_ids"), c -> text(out, "customer|", c));
      case "/budget/new", "/budget/update" -> text(out, "budget|", body.get("budget_id"));
      case "/budget/delete" -> text(out, "budget|", body.get("id"));
      default -> { }
    }
    return out;
  }

  private static void key(Set<String> out, JsonNode k) {
    if (k != null && k.isTextual()) {
      try {
        out.add("key|" + KeyEndpoints.hashOf(k.asText()));
      } catch (ApiError notAKey) {
        // the endpoint answers 400 for it
      }
    }
  }

  private static void text(Set<String> out, String prefix, JsonNode id) {
    if (id != null && id.isTextual() && !id.asText().isBlank()) {
      out.add(prefix + id.asText());
    }
  }

  private static void each(JsonNode list, java.util.function.Consumer<JsonNode> f) {
    if (list != null && list.isArray()) {
      int n = 0;
      for (JsonNode item : list) {
        if (n++ >= Fields.MAX_LIST) {
          return; // the endpoint refuses a longer list
        }
        if (item.isTextual()) {
          f.accept(item);
        }
      }
    }
  }
}
