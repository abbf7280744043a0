package io.tollgate.ingress.admin;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.tollgate.ingress.identity.KeyAuth;
import io.tollgate.schemas.VirtualKey;
import io.tollgate.schemas.topics.Topics;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Comparator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

/**
 * LiteLLM's {@code /key/*}: generate, update, delete, info, list, regenerate, block, unblock. A new
 * key is {@code sk-} and 144 random bits (SecureRandom), returned once by generate/regenerate and
 * stored only as its SHA-256; every later answer shows the hash ({@code token}) and {@code key_name}
 * ({@code sk-...} and the last four characters), as LiteLLM does.
 */
final class KeyEndpoints {
  private static final JsonNodeFactory F = JsonNodeFactory.instance;
  private static final int KEY_BYTES = 18;
  private static final int MAX_PAGE_SIZE = 100;
  private final DirectoryStore store;
  private final Views views;
  private final Clock clock;
  private final SecureRandom random = new SecureRandom();

  KeyEndpoints(DirectoryStore store, Views views, Clock clock) {
    this.store = store;
    this.views = views;
    this.clock = clock;
  }

  CompletionStage<JsonNode> generate(Call call) {
    call.requireMaster("/key/generate");
    Fields f = call.fields();
    String custom = f.string("key", 256);
    if (custom != null && (!custom.startsWith("sk-") || custom.length() < 20)) {
      throw ApiError.badRequest("key", "key must start with 'sk-' and be at least 20 characters long");
    }
    String value = custom != null ? custom : newKey();
    String hash = KeyAuth.sha256(value);
    if (store.key(hash) != null) {
      throw ApiError.badRequest("key", "this key already exists");
    }
    Instant now = clock.instant();
    VirtualKey.Builder b = VirtualKey.newBuilder().setKeyHash(hash).setKeyName(abbreviate(value)).setCreatedAt(now)
        .setUpdatedAt(now);
    apply(f, b, now, null);
    VirtualKey key = b.build();
    return store.write(Topics.KEYS, hash, key).thenApply(v -> generated(value, key));
  }

  CompletionStage<JsonNode> update(Call call) {
    call.requireMaster("/key/update");
    Fields f = call.fields();
    VirtualKey existing = existing(f.required("key", 256));
    VirtualKey.Builder b = VirtualKey.newBuilder(existing).setUpdatedAt(clock.instant());
    apply(f, b, clock.instant(), existing.getKeyHash());
    VirtualKey key = b.build();
    return store.write(Topics.KEYS, key.getKeyHash(), key).thenApply(v -> withKey(key));
  }

  CompletionStage<JsonNode> setBlocked(Call call, boolean blocked) {
    call.requireMaster(blocked ? "/key/block" : "/key/unblock");
    VirtualKey existing = existing(call.fields().required("key", 256));
    VirtualKey key = VirtualKey.newBuilder(existing).setBlocked(blocked).setUpdatedAt(clock.instant()).build();
    return store.write(Topics.KEYS, key.getKeyHash(), key).thenApply(v -> withKey(key));
  }

  CompletionStage<JsonNode> delete(Call call) {
    call.requireMaster("/key/delete");
    Fields f = call.fields();
    List<String> keys = f.strings("keys", Fields.MAX_LIST, 256);
    List<String> aliases = f.strings("key_aliases", Fields.MAX_LIST, 256);
    if ((keys == null || keys.isEmpty()) && (aliases == null || aliases.isEmpty())) {
      throw ApiError.badRequest("keys", "keys or key_aliases is required");
    }
    Set<String> hashes = new LinkedHashSet<>();
    if (keys != null) {
      keys.forEach(k -> hashes.add(existing(k).getKeyHash()));
    }
    if (aliases != null) {
      for (String alias : aliases) {
        VirtualKey k = store.keys().stream().filter(x -> alias.equals(x.getKeyAlias())).findFirst()
            .orElseThrow(() -> ApiError.notFound("key_aliases", "no key has the alias '" + alias + "'"));
        hashes.add(k.getKeyHash());
      }
    }
    List<CompletableFuture<Void>> writes = new ArrayList<>();
    hashes.forEach(h -> writes.add(store.write(Topics.KEYS, h, null)));
    ArrayNode deleted = F.arrayNode();
    hashes.forEach(deleted::add);
    return CompletableFuture.allOf(writes.toArray(CompletableFuture[]::new))
        .thenApply(v -> F.objectNode().set("deleted_keys", deleted));
  }

  /** {@code GET /key/info[?key=]}: without {@code key}, the caller's own key; a virtual key sees only itself. */
  CompletionStage<JsonNode> info(Call call) {
    String asked = call.query().get("key");
    String hash = asked == null || asked.isBlank() ? call.caller().hash() : hashOf(asked);
    if (!call.master() && !hash.equals(call.caller().hash())) {
      throw new ApiError(403, "auth_error", "key", "forbidden",
          "Authentication Error, a virtual key may only read its own /key/info");
    }
    VirtualKey key = store.key(hash);
    ObjectNode out = F.objectNode().put("key", hash);
    if (key != null) {
      out.set("info", views.key(key));
    } else if (hash.equals(call.caller().hash())) {
      // The master key or a key of the config: no stored record, only what the gateway knows.
      out.putObject("info").put("token", hash).put("key_alias", call.caller().alias()).put("spend", 0.0);
    } else {
      throw ApiError.notFound("key", "key not found");
    }
    return CompletableFuture.completedFuture(out);
  }

  CompletionStage<JsonNode> list(Call call) {
    call.requireMaster("/key/list");
    int page = intParam(call, "page", 1, 1, 1_000_000);
    int size = intParam(call, "size", 10, 1, MAX_PAGE_SIZE);
    String alias = call.query().get("key_alias");
    String team = call.query().get("team_id");
    String user = call.query().get("user_id");
    boolean full = "true".equalsIgnoreCase(call.query().get("return_full_object"));
    List<VirtualKey> matching = store.keys().stream()
        .filter(k -> alias == null || alias.equals(k.getKeyAlias()))
        .filter(k -> team == null || team.equals(k.getTeamId()))
        .filter(k -> user == null || user.equals(k.getUserId()))
        .sorted(Comparator.comparing(VirtualKey::getCreatedAt).thenComparing(VirtualKey::getKeyHash)).toList();
    ArrayNode keys = F.arrayNode();
    matching.stream().skip((long) (page - 1) * size).limit(size)
        .forEach(k -> keys.add(full ? views.key(k) : F.textNode(k.getKeyHash())));
    ObjectNode out = F.objectNode();
    out.set("keys", keys);
    out.put("total_count", matching.size()).put("current_page", page)
        .put("total_pages", (matching.size() + size - 1) / size);
    return CompletableFuture.completedFuture(out);
  }

  /** {@code POST /key/{key}/regenerate}: a new value for the same key (settings kept, the body's changes applied). */
  CompletionStage<JsonNode> regenerate(Call call) {
    call.requireMaster("/key/regenerate");
    VirtualKey old = existing(call.pathKey());
    Fields f = call.fields();
    String custom = f.string("new_key", 256);
    if (custom != null && (!custom.startsWith("sk-") || custom.length() < 20)) {
      throw ApiError.badRequest("new_key", "new_key must start with 'sk-' and be at least 20 characters long");
    }
    String value = custom != null ? custom : newKey();
    String hash = KeyAuth.sha256(value);
    Instant now = clock.instant();
    VirtualKey.Builder b = VirtualKey.newBuilder(old).setKeyHash(hash).setKeyName(abbreviate(value)).setUpdatedAt(now);
    apply(f, b, now, old.getKeyHash());
    VirtualKey key = b.build();
    // The new key first: a crash between the two writes leaves both keys, never neither.
    return store.write(Topics.KEYS, hash, key).thenCompose(v -> store.write(Topics.KEYS, old.getKeyHash(), null))
        .thenApply(v -> generated(value, key));
  }

  /** The settable fields of generate/update/regenerate; only those present change. */
  private void apply(Fields f, VirtualKey.Builder b, Instant now, String self) {
    if (f.has("key_alias")) {
      String alias = f.string("key_alias", Fields.MAX_ID);
      if (alias != null && store.keys().stream().anyMatch(k -> alias.equals(k.getKeyAlias())
          && !k.getKeyHash().equals(self))) {
        throw ApiError.badRequest("key_alias", "Unique key aliases across all keys are required, duplicate alias: "
            + alias);
      }
      b.setKeyAlias(alias);
    }
    if (f.has("models")) {
      List<String> models = f.strings("models", Fields.MAX_LIST, Fields.MAX_ID);
      b.setModels(models == null ? List.of() : models);
    }
    if (f.has("tags")) {
      List<String> tags = f.strings("tags", 32, 128);
      b.setTags(tags == null ? List.of() : tags);
    }
    if (f.has("metadata")) {
      var metadata = f.metadata("metadata");
      b.setMetadata(metadata == null ? java.util.Map.of() : metadata);
    }
    f.limits(b::setMaxBudgetNanos, b::setSoftBudgetNanos, b::setBudgetDuration, b::setRpmLimit,
        b::setTpmLimit, b::setMaxParallelRequests);
    if (f.has("team_id")) {
      String team = f.string("team_id", Fields.MAX_ID);
      if (team != null && store.team(team) == null) {
        throw ApiError.badRequest("team_id", "team_id '" + team + "' does not exist; create it with /team/new");
      }
      b.setTeamId(team);
    }
    if (f.has("user_id")) {
      b.setUserId(f.string("user_id", Fields.MAX_ID));
    }
    if (f.has("default_customer_id")) {
      b.setDefaultCustomerId(f.string("default_customer_id", Fields.MAX_ID));
    }
    if (f.has("duration")) {
      String duration = f.duration("duration");
      b.setExpiresAt(duration == null ? null : Durations.add(now, duration));
    }
    if (f.has("blocked")) {
      Boolean blocked = f.bool("blocked");
      b.setBlocked(blocked != null && blocked);
    }
  }

  private ObjectNode generated(String value, VirtualKey key) {
    ObjectNode out = views.key(key);
    out.put("key", value).put("expires", key.getExpiresAt() == null ? null : key.getExpiresAt().toString());
    return out;
  }

  private ObjectNode withKey(VirtualKey key) {
    ObjectNode out = F.objectNode().put("key", key.getKeyHash());
    out.setAll(views.key(key));
    return out;
  }

  private VirtualKey existing(String keyOrHash) {
    VirtualKey key = store.key(hashOf(keyOrHash));
    if (key == null) {
      throw ApiError.notFound("key", "key not found");
    }
    return key;
  }

  /** A key ({@code sk-…}) or its hex SHA-256, as LiteLLM accepts both. */
  static String hashOf(String keyOrHash) {
    String k = keyOrHash == null ? "" : keyOrHash.strip();
    if (k.regionMatches(true, 0, "bearer ", 0, 7)) {
      k = k.substring(7).strip();
    }
    if (k.startsWith("sk-")) {
      return KeyAuth.sha256(k);
    }
    if (k.length() == 64 && k.chars().allMatch(c -> Character.digit(c, 16) >= 0)) {
      return k.toLowerCase(java.util.Locale.ROOT);
    }
    throw ApiError.badRequest("key", "key must be a key (sk-…) or its SHA-256 hash");
  }

  private String newKey() {
    byte[] bytes = new byte[KEY_BYTES];
    random.nextBytes(bytes);
    return "sk-" + Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
  }

  static String abbreviate(String key) {
    return "sk-..." + key.substring(key.length() - 4);
  }

  static int intParam(Call call, String name, int fallback, int min, int max) {
    String v = call.query().get(name);
    if (v == null || v.isBlank()) {
      return fallback;
    }
    try {
      int n = Integer.parseInt(v.strip());
      if (n < min || n > max) {
        throw ApiError.badRequest(name, name + " must be between " + min + " and " + max);
      }
      return n;
    } catch (NumberFormatException e) {
      throw ApiError.badRequest(name, name + " must be a whole number");
    }
  }
}
