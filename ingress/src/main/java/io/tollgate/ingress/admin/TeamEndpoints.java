package io.tollgate.ingress.admin;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.tollgate.schemas.Team;
import io.tollgate.schemas.VirtualKey;
import io.tollgate.schemas.topics.Topics;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

/**
 * LiteLLM's {@code /team/*}: new, update, delete (with the team's keys, as LiteLLM), info, list,
 * block, unblock. A key's {@code team_id} puts it under the team's models, budget and limits.
 */
final class TeamEndpoints {
  private static final JsonNodeFactory F = JsonNodeFactory.instance;
  static final int MAX_LISTED = 1000;
  private final DirectoryStore store;
  private final Views views;
  private final Clock clock;

  TeamEndpoints(DirectoryStore store, Views views, Clock clock) {
    this.store = store;
    this.views = views;
    this.clock = clock;
  }

  CompletionStage<JsonNode> create(Call call) {
    call.requireMaster("/team/new");
    Fields f = call.fields();
    String id = f.string("team_id", Fields.MAX_ID);
    if (id != null && id.isBlank()) {
      throw ApiError.badRequest("team_id", "team_id must not be blank");
    }
    String teamId = id != null ? id : UUID.randomUUID().toString();
    if (store.team(teamId) != null) {
      throw ApiError.badRequest("team_id", "Team id = " + teamId + " already exists. Please use a different team id.");
    }
    Instant now = clock.instant();
    Team.Builder b = Team.newBuilder().setTeamId(teamId).setCreatedAt(now).setUpdatedAt(now);
    apply(f, b);
    Team team = b.build();
    return store.write(Topics.TEAMS, teamId, team).thenApply(v -> views.team(team));
  }

  CompletionStage<JsonNode> update(Call call) {
    call.requireMaster("/team/update");
    Fields f = call.fields();
    Team.Builder b = Team.newBuilder(existing(f.required("team_id", Fields.MAX_ID))).setUpdatedAt(clock.instant());
    apply(f, b);
    Team team = b.build();
    return store.write(Topics.TEAMS, team.getTeamId(), team).thenApply(v -> views.team(team));
  }

  CompletionStage<JsonNode> setBlocked(Call call, boolean blocked) {
    call.requireMaster(blocked ? "/team/block" : "/team/unblock");
    Team team = Team.newBuilder(existing(call.fields().required("team_id", Fields.MAX_ID))).setBlocked(blocked)
        .setUpdatedAt(clock.instant()).build();
    return store.write(Topics.TEAMS, team.getTeamId(), team).thenApply(v -> views.team(team));
  }

  CompletionStage<JsonNode> delete(Call call) {
    call.requireMaster("/team/delete");
    List<String> ids = call.fields().strings("team_ids", Fields.MAX_LIST, Fields.MAX_ID);
    if (ids == null || ids.isEmpty()) {
      throw ApiError.badRequest("team_ids", "team_ids is required");
    }
    Set<String> teams = new LinkedHashSet<>();
    ids.forEach(id -> teams.add(existing(id).getTeamId()));
    List<CompletableFuture<Void>> writes = new ArrayList<>();
    for (VirtualKey k : List.copyOf(store.keys())) {
      if (k.getTeamId() != null && teams.contains(k.getTeamId())) {
        writes.add(store.write(Topics.KEYS, k.getKeyHash(), null));
      }
    }
    // The keys first: a team deleted before its keys would leave keys without the team's limits.
    return CompletableFuture.allOf(writes.toArray(CompletableFuture[]::new)).thenCompose(v -> {
      List<CompletableFuture<Void>> deletes = new ArrayList<>();
      teams.forEach(t -> deletes.add(store.write(Topics.TEAMS, t, null)));
      return CompletableFuture.allOf(deletes.toArray(CompletableFuture[]::new));
    }).thenApply(v -> {
      ArrayNode deleted = F.arrayNode();
      teams.forEach(deleted::add);
      return F.objectNode().put("deleted_keys", writes.size()).set("deleted_teams", deleted);
    });
  }

  CompletionStage<JsonNode> info(Call call) {
    call.requireMaster("/team/info");
    String id = call.query().get("team_id");
    if (id == null || id.isBlank()) {
      throw ApiError.badRequest("team_id", "team_id is required");
    }
    Team team = existing(id);
    ObjectNode out = F.objectNode().put("team_id", team.getTeamId());
    out.set("team_info", views.team(team));
    ArrayNode keys = out.putArray("keys");
    store.keys().stream().filter(k -> team.getTeamId().equals(k.getTeamId()))
        .sorted(Comparator.comparing(VirtualKey::getCreatedAt)).limit(MAX_LISTED).forEach(k -> keys.add(views.key(k)));
    out.putArray("team_memberships");
    return CompletableFuture.completedFuture(out);
  }

  CompletionStage<JsonNode> list(Call call) {
    call.requireMaster("/team/list");
    int page = KeyEndpoints.intParam(call, "page", 1, 1, 1_000_000);
    int size = KeyEndpoints.intParam(call, "size", MAX_LISTED, 1, MAX_LISTED);
    ArrayNode out = F.arrayNode();
    store.teams().stream().sorted(Comparator.comparing(Team::getCreatedAt).thenComparing(Team::getTeamId))
        .skip((long) (page - 1) * size).limit(size).forEach(t -> out.add(views.team(t)));
    return CompletableFuture.completedFuture(out);
  }

  private void apply(Fields f, Team.Builder b) {
    if (f.has("team_alias")) {
      b.setTeamAlias(f.string("team_alias", Fields.MAX_ID));
    }
    if (f.has("models")) {
      List<String> models = f.strings("models", Fields.MAX_LIST, Fields.MAX_ID);
      b.setModels(models == null ? List.of() : models);
    }
    if (f.has("metadata")) {
      var metadata = f.metadata("metadata");
      b.setMetadata(metadata == null ? java.util.Map.of() : metadata);
    }
    f.limits(b::setMaxBudgetNanos, b::setSoftBudgetNanos, b::setBudgetDuration, b::setRpmLimit,
        b::setTpmLimit, b::setMaxParallelRequests);
    if (f.has("blocked")) {
      Boolean blocked = f.bool("blocked");
      b.setBlocked(blocked != null && blocked);
    }
  }

  private Team existing(String id) {
    Team team = store.team(id);
    if (team == null) {
      throw ApiError.notFound("team_id", "Team not found, passed team_id=" + cap(id));
    }
    return team;
  }

  static String cap(String s) {
    return s.length() <= 200 ? s : s.substring(0, 200) + "…";
  }
}
