package io.tollgate.ingress.identity;

import io.tollgate.schemas.Customer;
import io.tollgate.schemas.Team;
import io.tollgate.schemas.VirtualKey;
import java.time.Clock;
import java.time.Instant;
import java.util.Collection;
import java.util.List;
import java.util.Objects;

/**
 * What the management state forbids a call, in LiteLLM's words and order: an expired key, a
 * blocked key, a blocked team, a model outside the key's or the team's {@code models}, a blocked
 * customer. Pure and in memory (directory lookups), so admission runs it on the event loop.
 */
public final class AccessChecks {
  /**
   * A refused call.
   *
   * @param status  HTTP status
   * @param message LiteLLM's message (never a key)
   * @param reason  the metric label and LiteLLM error type ({@code expired_key}, {@code key_model_access_denied} …)
   */
  public record Refusal(int status, String message, String reason) {
  }

  /** LiteLLM's "every model" entries of a {@code models} list. */
  private static final List<String> ALL_MODELS = List.of("*", "all-proxy-models");
  private final Directory directory;
  private final Clock clock;

  public AccessChecks(Directory directory, Clock clock) {
    this.directory = Objects.requireNonNull(directory, "directory");
    this.clock = Objects.requireNonNull(clock, "clock");
  }

  /**
   * @param keyHash    the authenticated key's hash (null on an open gateway)
   * @param model      the model the client asked for
   * @param customerId the resolved customer, or null
   * @return the refusal, or null when the call may go on
   */
  public Refusal check(String keyHash, String model, String customerId) {
    VirtualKey key = keyHash == null ? null : directory.key(keyHash);
    if (key != null) {
      Instant now = clock.instant();
      if (key.getExpiresAt() != null && key.getExpiresAt().isBefore(now)) {
        return new Refusal(401, "Authentication Error - Expired Key. Key Expiry time " + key.getExpiresAt()
            + " and current time " + now, "expired_key");
      }
      if (key.getBlocked()) {
        return new Refusal(401, "Authentication Error, Key is blocked. Update via `/key/unblock` if you're an admin.",
            "key_blocked");
      }
      Team team = key.getTeamId() == null ? null : directory.team(key.getTeamId());
      if (team != null && team.getBlocked()) {
        return new Refusal(401, "Authentication Error, Team=" + team.getTeamId()
            + " is blocked. Update via `/team/unblock` if you're an admin.", "team_blocked");
      }
      if (model != null && !allowed(key.getModels(), model)) {
        return new Refusal(401, "key not allowed to access model. This key can only access models="
            + pyList(key.getModels()) + ". Tried to access " + cap(model), "key_model_access_denied");
      }
      if (team != null && model != null && !allowed(team.getModels(), model)) {
        return new Refusal(401, "Team not allowed to access model. Team=" + team.getTeamId() + ", Model=" + cap(model)
            + ". Allowed team models = " + pyList(team.getModels()), "team_model_access_denied");
      }
    }
    if (customerId != null) {
      Customer customer = directory.customer(customerId);
      if (customer != null && customer.getBlocked()) {
        return new Refusal(403, "User blocked from making LLM API Calls. User=" + cap(customerId), "customer_blocked");
      }
    }
    return null;
  }

  /**
   * The models of {@code all} that {@code keyHash} may call, for {@code /v1/models}: those its
   * {@code models} and its team's {@code models} both allow (the check a call gets). LiteLLM lists
   * the key's models, else the team's, else all: the same list whenever a key's models lie within
   * its team's, which LiteLLM's {@code /key/generate} requires of a team key.
   */
  public List<String> visibleModels(String keyHash, Collection<String> all) {
    VirtualKey key = keyHash == null ? null : directory.key(keyHash);
    if (key == null) {
      return List.copyOf(all);
    }
    Team team = key.getTeamId() == null ? null : directory.team(key.getTeamId());
    return all.stream().filter(m -> allowed(key.getModels(), m) && (team == null || allowed(team.getModels(), m)))
        .toList();
  }

  /** An empty list allows every model (as in LiteLLM); entries may end in {@code *}. */
  static boolean allowed(List<String> models, String model) {
    if (models == null || models.isEmpty()) {
      return true;
    }
    for (String m : models) {
      if (ALL_MODELS.contains(m) || m.equals(model)
          || (m.endsWith("*") && model.startsWith(m.substring(0, m.length() - 1)))) {
        return true;
      }
    }
    return false;
  }

  /** Python's list repr, as LiteLLM's messages print it. */
  private static String pyList(List<String> models) {
    StringBuilder b = new StringBuilder("[");
    for (int i = 0; i < models.size(); i++) {
      b.append(i == 0 ? "" : ", ").append('\'').append(models.get(i)).append('\'');
    }
    return b.append(']').toString();
  }

  private static String cap(String s) {
    return s.length() <= 200 ? s : s.substring(0, 200) + "…";
  }
}
