package io.tollgate.ingress.admin;

import static org.assertj.core.api.Assertions.assertThat;

import io.tollgate.ingress.identity.AccessChecks;
import io.tollgate.ingress.identity.Directory;
import io.tollgate.schemas.Budget;
import io.tollgate.schemas.Customer;
import io.tollgate.schemas.Team;
import io.tollgate.schemas.VirtualKey;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The refusals of the management state, with an injected clock and an in-memory directory. */
class AccessChecksTest {
  private static final Instant NOW = Instant.parse("2026-06-01T12:00:00Z");
  private final Map<String, VirtualKey> keys = new HashMap<>();
  private final Map<String, Team> teams = new HashMap<>();
  private final Map<String, Customer> customers = new HashMap<>();
  private final Directory directory = new Directory() {
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
      return null;
    }
  };
  private final AccessChecks checks = new AccessChecks(directory, Clock.fixed(NOW, ZoneOffset.UTC));

  private VirtualKey.Builder key(String hash) {
    return VirtualKey.newBuilder().setKeyHash(hash).setCreatedAt(NOW.minusSeconds(100));
  }

  @Test
  void expiredThenBlockedThenModels() {
    keys.put("k", key("k").setExpiresAt(NOW.minusSeconds(1)).setBlocked(true).build());
    assertThat(checks.check("k", "gpt-5", null).reason()).isEqualTo("expired_key");
    keys.put("k", key("k").setExpiresAt(NOW.plusSeconds(1)).setBlocked(true).build());
    assertThat(checks.check("k", "gpt-5", null).reason()).isEqualTo("key_blocked");
    keys.put("k", key("k").setModels(List.of("claude-*", "gpt-5")).build());
    assertThat(checks.check("k", "gpt-5", null)).isNull();
    assertThat(checks.check("k", "claude-haiku-4-5", null)).isNull();
    AccessChecks.Refusal r = checks.check("k", "o3", null);
    assertThat(r.status()).isEqualTo(401);
    assertThat(r.message()).isEqualTo("key not allowed to access model. This key can only access models=['claude-*', "
        + "'gpt-5']. Tried to access o3");
    keys.put("k", key("k").setModels(List.of("all-proxy-models")).build());
    assertThat(checks.check("k", "o3", null)).isNull();
  }

  @Test
  void teamAndCustomer() {
    teams.put("t", Team.newBuilder().setTeamId("t").setCreatedAt(NOW).setModels(List.of("gpt-5")).build());
    keys.put("k", key("k").setTeamId("t").build());
    assertThat(checks.check("k", "o3", null).reason()).isEqualTo("team_model_access_denied");
    assertThat(checks.check("k", "gpt-5", null)).isNull();
    teams.put("t", Team.newBuilder(teams.get("t")).setBlocked(true).build());
    assertThat(checks.check("k", "gpt-5", null).message()).contains("Team=t is blocked");
    customers.put("c", Customer.newBuilder().setCustomerId("c").setCreatedAt(NOW).setBlocked(true).build());
    assertThat(checks.check(null, "gpt-5", "c").status()).isEqualTo(403);
    assertThat(checks.check(null, "gpt-5", "other")).isNull();
    assertThat(checks.check("unknown", "gpt-5", null)).isNull();
  }
}
