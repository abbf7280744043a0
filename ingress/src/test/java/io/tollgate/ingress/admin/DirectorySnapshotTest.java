package io.tollgate.ingress.admin;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.tollgate.schemas.Budget;
import io.tollgate.schemas.Team;
import io.tollgate.schemas.VirtualKey;
import io.tollgate.schemas.topics.Topics;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The snapshot file: round trip, no file, damage detected (never half a state). */
class DirectorySnapshotTest {
  @TempDir
  Path dir;

  @Test
  void roundTripsEveryKind() throws IOException {
    DirectoryState s = new DirectoryState();
    Instant now = Instant.parse("2026-06-01T00:00:00Z");
    VirtualKey key = VirtualKey.newBuilder().setKeyHash("ab".repeat(32)).setCreatedAt(now).setMaxBudgetNanos(5L).build();
    s.apply(Topics.KEYS.name(), key.getKeyHash(), s.encode(Topics.KEYS.name(), key));
    Team team = Team.newBuilder().setTeamId("t").setCreatedAt(now).build();
    s.apply(Topics.TEAMS.name(), "t", s.encode(Topics.TEAMS.name(), team));
    Budget budget = Budget.newBuilder().setBudgetId("b").setCreatedAt(now).setBudgetDuration("1mo").build();
    s.apply(Topics.BUDGETS.name(), "b", s.encode(Topics.BUDGETS.name(), budget));
    Path file = dir.resolve(DirectorySnapshot.FILE_NAME);
    DirectorySnapshot.write(file, s, 42);
    DirectorySnapshot.Loaded back = DirectorySnapshot.read(file);
    assertThat(back.writtenAtMillis()).isEqualTo(42);
    assertThat(back.state().keys).containsEntry(key.getKeyHash(), key);
    assertThat(back.state().teams).containsEntry("t", team);
    assertThat(back.state().budgets).containsEntry("b", budget);
    assertThat(back.state().customers).isEmpty();
    assertThat(Files.exists(dir.resolve(DirectorySnapshot.FILE_NAME + ".tmp"))).isFalse();
    s.apply(Topics.KEYS.name(), key.getKeyHash(), null);
    assertThat(s.keys).isEmpty();
  }

  @Test
  void missingIsNullAndDamageIsAnError() throws IOException {
    Path file = dir.resolve(DirectorySnapshot.FILE_NAME);
    assertThat(DirectorySnapshot.read(file)).isNull();
    DirectorySnapshot.write(file, new DirectoryState(), 1);
    byte[] bytes = Files.readAllBytes(file);
    bytes[10] ^= 1;
    Files.write(file, bytes);
    assertThatThrownBy(() -> DirectorySnapshot.read(file)).hasMessageContaining("damaged");
    Files.write(file, new byte[] {1, 2, 3});
    assertThatThrownBy(() -> DirectorySnapshot.read(file)).hasMessageContaining("truncated");
  }
}
