package io.tollgate.ingress.budget;

import static org.assertj.core.api.Assertions.assertThat;

import io.tollgate.ingress.identity.Directory;
import io.tollgate.schemas.Budget;
import io.tollgate.schemas.Customer;
import io.tollgate.schemas.Team;
import io.tollgate.schemas.VirtualKey;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

class CallScopesTest {
  private static final Instant T0 = Instant.parse("2026-12-01T00:00:00Z");

  private static final Directory DIRECTORY = new MemoryDirectory()
      .put(VirtualKey.newBuilder().setKeyHash("h1").setKeyAlias("dev-1").setTeamId("t1").setMaxBudgetNanos(5L)
          .setBudgetDuration("1d").setCreatedAt(T0).build())
      .put(Team.newBuilder().setTeamId("t1").setTeamAlias("platform").setRpmLimit(60L).setCreatedAt(T0).build())
      .put(Customer.newBuilder().setCustomerId("acme").setBudgetId("gold").setRpmLimit(7L).setCreatedAt(T0).build())
      .put(Budget.newBuilder().setBudgetId("gold").setMaxBudgetNanos(100L).setRpmLimit(99L).setBudgetDuration("1mo")
          .setCreatedAt(T0).build())
      .put(Budget.newBuilder().setBudgetId("free").setMaxBudgetNanos(1L).setBudgetDuration("1d").setCreatedAt(T0)
          .build());

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
