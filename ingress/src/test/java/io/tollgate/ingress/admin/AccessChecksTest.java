package io.tollgate.ingress.admin;

import static org.assertj.core.api.Assertions.assertThat;

import io.tollgate.ingress.identity.AccessChecks;
import io.tollgate.schemas.Customer;
import io.tollgate.schemas.Team;
import io.tollgate.schemas.VirtualKey;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import io.tollgate.ingress.budget.MemoryDirectory;
import org.junit.jupiter.api.Test;

/** The refusals of the management state, with an injected clock and an in-memory directory. */
class AccessChecksTest {
  private static final Instant NOW = Instant.parse("2026-06-01T12:00:00Z");
  private final MemoryDirectory directory = new MemoryDirectory();

  private final AccessChecks checks = new AccessChecks(directory, Clock.fixed(NOW, ZoneOffset.UTC));

  private VirtualKey.Builder key(String hash) {
    return VirtualKey.newBuilder().setKeyHash(hash).setCreatedAt(NOW.minusSeconds(100));
  }

  @Test
  void expiredThenBlockedThenModels() {
    directory.put(key("k").setExpiresAt(NOW.minusSeconds(1)).setBlocked(true).build());
    assertThat(checks.check("k", "gpt-5", null).reason()).isEqualTo("expired_key");
    directory.put(key("k").setExpiresAt(NOW.plusSeconds(1)).setBlocked(true).build());
    assertThat(checks.check("k", "gpt-5", null).reason()).isEqualTo("key_blocked");
    directory.put(key("k").setModels(List.of("claude-*", "gpt-5")).build());
    assertThat(checks.check("k", "gpt-5", null)).isNull();
    assertThat(checks.check("k", "claude-haiku-4-5", null)).isNull();
    AccessChecks.Refusal r = checks.check("k", "o3", null);
    assertThat(r.status()).isEqualTo(401);
    assertThat(r.message()).isEqualTo("key not allowed to access model. This key can only access models=['claude-*', "
        + "'gpt-5']. Tried to access o3");
    directory.put(key("k").setModels(List.of("all-proxy-models")).build());
    assertThat(checks.check("k", "o3", null)).isNull();
  }

  @Test
  void teamAndCustomer() {
    directory.put(Team.newBuilder().setTeamId("t").setCreatedAt(NOW).setModels(List.of("gpt-5")).build());
    directory.put(key("k").setTeamId("t").build());
    assertThat(checks.check("k", "o3", null).reason()).isEqualTo("team_model_access_denied");
    assertThat(checks.check("k", "gpt-5", null)).isNull();
    directory.put(Team.newBuilder(directory.team("t")).setBlocked(true).build());
    assertThat(checks.check("k", "gpt-5", null).message()).contains("Team=t is blocked");
    directory.put(Customer.newBuilder().setCustomerId("c").setCreatedAt(NOW).setBlocked(true).build());
    assertThat(checks.check(null, "gpt-5", "c").status()).isEqualTo(403);
    assertThat(checks.check(null, "gpt-5", "other")).isNull();
    assertThat(checks.check("unknown", "gpt-5", null)).isNull();
  }
}
