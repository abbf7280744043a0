package io.tollgate.ingress.budget;

import io.tollgate.ingress.identity.Directory;
import io.tollgate.ingress.identity.KeyAuth;
import io.tollgate.schemas.Budget;
import io.tollgate.schemas.Customer;
import io.tollgate.schemas.Team;
import io.tollgate.schemas.VirtualKey;
import java.time.Instant;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/** The management state in memory, for tests (the real one follows the compacted topics). */
public final class MemoryDirectory implements Directory {
  private final Map<String, VirtualKey> keys = new ConcurrentHashMap<>();
  private final Map<String, Team> teams = new ConcurrentHashMap<>();
  private final Map<String, Customer> customers = new ConcurrentHashMap<>();
  private final Map<String, Budget> budgets = new ConcurrentHashMap<>();

  /** A key (by its value, stored by hash) with these budget fields. */
  MemoryDirectory key(String key, String alias, Long maxBudgetNanos, Long softBudgetNanos, String duration) {
    String hash = KeyAuth.sha256(key);
    keys.put(hash, VirtualKey.newBuilder().setKeyHash(hash).setKeyAlias(alias).setMaxBudgetNanos(maxBudgetNanos)
        .setSoftBudgetNanos(softBudgetNanos).setBudgetDuration(duration).setCreatedAt(Instant.EPOCH).build());
    return this;
  }

  MemoryDirectory customer(String id, Long maxBudgetNanos, String duration) {
    customers.put(id, Customer.newBuilder().setCustomerId(id).setMaxBudgetNanos(maxBudgetNanos)
        .setBudgetDuration(duration).setCreatedAt(Instant.EPOCH).build());
    return this;
  }

  public MemoryDirectory put(VirtualKey key) {
    keys.put(key.getKeyHash(), key);
    return this;
  }

  public MemoryDirectory put(Team team) {
    teams.put(team.getTeamId(), team);
    return this;
  }

  public MemoryDirectory put(Customer customer) {
    customers.put(customer.getCustomerId(), customer);
    return this;
  }

  public MemoryDirectory put(Budget budget) {
    budgets.put(budget.getBudgetId(), budget);
    return this;
  }

  @Override
  public VirtualKey key(String keyHash) {
    return keys.get(keyHash);
  }

  @Override
  public Team team(String teamId) {
    return teams.get(teamId);
  }

  @Override
  public Customer customer(String customerId) {
    return customers.get(customerId);
  }

  @Override
  public Budget budget(String budgetId) {
    return budgets.get(budgetId);
  }
}
