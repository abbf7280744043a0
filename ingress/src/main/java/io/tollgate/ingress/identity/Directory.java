package io.tollgate.ingress.identity;

import io.tollgate.schemas.Budget;
import io.tollgate.schemas.Customer;
import io.tollgate.schemas.Team;
import io.tollgate.schemas.VirtualKey;

/**
 * The management state the request path reads: virtual keys, teams, customers and budgets as the
 * compacted topics {@code tollgate.keys.v1}, {@code tollgate.teams.v1}, {@code tollgate.customers.v1}
 * and {@code tollgate.budgets.v1} hold them (DESIGN.md, "Management state"). Lookups are in memory,
 * thread-safe and never block, so admission can call them on an event loop.
 */
public interface Directory {
  /** No management state: keys come only from config. */
  Directory EMPTY = new Directory() {
    @Override
    public VirtualKey key(String keyHash) {
      return null;
    }

    @Override
    public Team team(String teamId) {
      return null;
    }

    @Override
    public Customer customer(String customerId) {
      return null;
    }

    @Override
    public Budget budget(String budgetId) {
      return null;
    }
  };

  /** The key with this hex SHA-256, or null when unknown or deleted. */
  VirtualKey key(String keyHash);

  /** The team, or null when unknown or deleted. */
  Team team(String teamId);

  /** The customer, or null when unknown or deleted. */
  Customer customer(String customerId);

  /** The budget, or null when unknown or deleted. */
  Budget budget(String budgetId);
}
