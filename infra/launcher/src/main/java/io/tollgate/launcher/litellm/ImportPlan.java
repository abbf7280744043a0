package io.tollgate.launcher.litellm;

import io.tollgate.schemas.Budget;
import io.tollgate.schemas.Customer;
import io.tollgate.schemas.Team;
import io.tollgate.schemas.VirtualKey;
import java.util.List;

/**
 * What an import writes — budgets, teams, customers, keys, in that order, so a gateway following
 * the topics meets a key's team and a customer's budget before the key or customer — and every row
 * it leaves out or changes, with the reason. Rows are named by id, keys by a short hash prefix.
 */
record ImportPlan(List<Budget> budgets, List<Team> teams, List<Customer> customers, List<VirtualKey> keys,
                  List<Skipped> skipped, List<String> notes, List<String> warnings) {
  /** A row not imported. */
  record Skipped(String table, String id, String reason) {
    @Override
    public String toString() {
      return table + " " + id + ": " + reason;
    }
  }

  int records() {
    return budgets.size() + teams.size() + customers.size() + keys.size();
  }
}
