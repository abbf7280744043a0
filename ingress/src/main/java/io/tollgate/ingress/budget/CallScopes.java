package io.tollgate.ingress.budget;

import io.tollgate.ingress.identity.Directory;
import io.tollgate.schemas.Budget;
import io.tollgate.schemas.Customer;
import io.tollgate.schemas.Team;
import io.tollgate.schemas.VirtualKey;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/**
 * The scopes a call counts against, in the order errors name them: the key, the key's team, the
 * customer. A customer without limits of its own takes its {@code budget_id}'s; a customer the
 * directory does not know takes the default end-user budget (LiteLLM's
 * {@code max_end_user_budget_id}), when one is configured.
 */
public final class CallScopes {
  private final Directory directory;
  private final String defaultEndUserBudgetId;

  /** @param defaultEndUserBudgetId budget for customers the directory does not know, or null */
  public CallScopes(Directory directory, String defaultEndUserBudgetId) {
    this.directory = directory;
    this.defaultEndUserBudgetId = defaultEndUserBudgetId;
  }

  /**
   * @param keyHash    the authenticated key's hash, or null (open gateway)
   * @param customerId the call's customer, or null
   */
  public List<ScopeLimits> of(String keyHash, String customerId) {
    List<ScopeLimits> out = new ArrayList<>(3);
    VirtualKey key = keyHash == null ? null : directory.key(keyHash);
    if (key != null) {
      out.add(new ScopeLimits(Scope.KEY, keyHash, key.getKeyAlias() != null ? key.getKeyAlias() : key.getKeyName(),
          key.getMaxBudgetNanos(), key.getSoftBudgetNanos(), key.getBudgetDuration(), key.getRpmLimit(),
          key.getTpmLimit(), key.getMaxParallelRequests(), key.getCarriedSpendNanos(),
          millis(key.getCarriedPeriodStart())));
      Team team = key.getTeamId() == null ? null : directory.team(key.getTeamId());
      if (team != null) {
        out.add(new ScopeLimits(Scope.TEAM, team.getTeamId(),
            team.getTeamAlias() != null ? team.getTeamAlias() : team.getTeamId(), team.getMaxBudgetNanos(),
            team.getSoftBudgetNanos(), team.getBudgetDuration(), team.getRpmLimit(), team.getTpmLimit(),
            team.getMaxParallelRequests(), team.getCarriedSpendNanos(), millis(team.getCarriedPeriodStart())));
      }
    }
    if (customerId != null) {
      Customer customer = directory.customer(customerId);
      if (customer != null) {
        Budget b = customer.getBudgetId() == null ? null : directory.budget(customer.getBudgetId());
        out.add(new ScopeLimits(Scope.CUSTOMER, customerId, customerId,
            first(customer.getMaxBudgetNanos(), b == null ? null : b.getMaxBudgetNanos()),
            first(customer.getSoftBudgetNanos(), b == null ? null : b.getSoftBudgetNanos()),
            first(customer.getBudgetDuration(), b == null ? null : b.getBudgetDuration()),
            first(customer.getRpmLimit(), b == null ? null : b.getRpmLimit()),
            first(customer.getTpmLimit(), b == null ? null : b.getTpmLimit()),
            first(customer.getMaxParallelRequests(), b == null ? null : b.getMaxParallelRequests()),
            customer.getCarriedSpendNanos(), millis(customer.getCarriedPeriodStart())));
      } else if (defaultEndUserBudgetId != null) {
        Budget b = directory.budget(defaultEndUserBudgetId);
        if (b != null) {
          out.add(new ScopeLimits(Scope.CUSTOMER, customerId, customerId, b.getMaxBudgetNanos(),
              b.getSoftBudgetNanos(), b.getBudgetDuration(), b.getRpmLimit(), b.getTpmLimit(),
              b.getMaxParallelRequests(), 0, null));
        }
      }
    }
    return out;
  }

  private static <T> T first(T a, T b) {
    return a != null ? a : b;
  }

  private static Long millis(Instant t) {
    return t == null ? null : t.toEpochMilli();
  }
}
