package io.tollgate.ingress.budget;

import static org.assertj.core.api.Assertions.assertThat;

import io.tollgate.ingress.identity.Directory;
import io.tollgate.schemas.Budget;
import io.tollgate.schemas.Customer;
import io.tollgate.schemas.Team;
import io.tollgate.schemas.VirtualKey;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class CallScopesTest {
  private static final Instant T0 = Instant.parse("2026-12-01T00:00:00Z");

  private static final Directory DIRECTORY = new Directory() {
    final Map<String, VirtualKey> keys = Map.of("h1", VirtualKey.newBuilder().setKeyHash("h1").setKeyAlias("dev-1")
        .setTeamId("t1").setMaxBudgetNanos(5L).setBudgetDuration("1d").setCreatedAt(T0).build());
    final Map<String, Team> teams = Map.of("t1", Team.newBuilder().setTeamId("t1").setTeamAlias("platform")
        .setRpmLimit(60L).setCreatedAt(T0).build());
    final Map<String, Customer> customers = Map.of(
        "acme", Customer.newBuilder().setCustomerId("acme").setBudgetId("gold").setRpmLimit(7L).setCreatedAt(T0).build());
    final Map<String, Budget> budgets = Map.of(
        "gold", Budget.newBuilder().setBudgetId("gold").setMaxBudgetNanos(100L).setRpmLimit(99L).setBudgetDuration("1mo")
            .setCreatedAt(T0).build(),
        "free", Budget.newBuilder().setBudgetId("free").setMaxBudgetNanos(1L).setBudgetDuration("1d").setCreatedAt(T0)
            .build());

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
  };

  @Test
  void aCallCountsAgainstItsKeyTheKeysTeamAndItsCustomerInThatOrder() {
    List<ScopeLimits> scopes = new CallScopes(DIRECTORY, null).of("h1", "acme");
    assertThat(scopes).extracting(ScopeLimits::scope).containsExactly(Scope.KEY, Scope.TEAM, Scope.CUSTOMER);
    assertThat(scopes.get(0).label()).isEqualTo("dev-1");
    assertThat(scopes.get(0).maxBudgetNanos()).isEqualTo(5L);
    assertThat(scopes.get(1).label()).isEqualTo("platform");
    assertThat(scopes.get(1).rpmLimit()).isEqualTo(60L);
  }

  @Test
  void aCustomersOwnLimitsWinOverItsBudgetsAndTheBudgetFillsTheRest() {
    ScopeLimits acme = new CallScopes(DIRECTORY, null).of(null, "acme").get(0);
    assertThat(acme.rpmLimit()).isEqualTo(7L);
    assertThat(acme.maxBudgetNanos()).isEqualTo(100L);
    assertThat(acme.budgetDuration()).isEqualTo("1mo");
  }

  @Test
  void anUnknownCustomerGetsTheDefaultEndUserBudgetOnlyWhenOneIsConfiguredAndExists() {
    assertThat(new CallScopes(DIRECTORY, null).of(null, "stranger")).isEmpty();
    assertThat(new CallScopes(DIRECTORY, "no-such-budget").of(null, "stranger")).isEmpty();
    List<ScopeLimits> scopes = new CallScopes(DIRECTORY, "free").of("unknown-key-hash", "stranger");
    assertThat(scopes).hasSize(1);
    assertThat(scopes.get(0).scope()).isEqualTo(Scope.CUSTOMER);
    assertThat(scopes.get(0).id()).isEqualTo("stranger");
    assertThat(scopes.get(0).maxBudgetNanos()).isEqualTo(1L);
  }
}
