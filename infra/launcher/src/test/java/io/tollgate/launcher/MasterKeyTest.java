package io.tollgate.launcher;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The master key of {@code ./tollgate run}: created once (0600), kept, overridden, never in its toString. */
class MasterKeyTest {
  @TempDir
  Path home;

  @Test
  void createdOnceKeptAfterwards() throws Exception {
    MasterKey first = MasterKey.resolve(home, null, Map.of(), false);
    assertThat(first.created()).isTrue();
    assertThat(first.value()).startsWith("sk-").hasSize(3 + 32);
    Path file = home.resolve(MasterKey.FILE);
    assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(file))).isEqualTo("rw-------");
    MasterKey again = MasterKey.resolve(home, null, Map.of(), false);
    assertThat(again.created()).isFalse();
    assertThat(again.value()).isEqualTo(first.value());
    assertThat(again.toString()).doesNotContain(first.value());
  }

  @Test
  void optionThenEnvironmentThenConfigWin() throws Exception {
    assertThat(MasterKey.resolve(home, "sk-option", Map.of("LITELLM_MASTER_KEY", "sk-env"), true).value())
        .isEqualTo("sk-option");
    assertThat(MasterKey.resolve(home, null, Map.of("LITELLM_MASTER_KEY", "sk-env"), true).value()).isEqualTo("sk-env");
    assertThat(MasterKey.resolve(home, null, Map.of(), true)).isNull();
    assertThat(Files.exists(home.resolve(MasterKey.FILE))).isFalse();
  }

  @Test
  void aDamagedFileIsReportedNotReplaced() throws Exception {
    Files.writeString(home.resolve(MasterKey.FILE), "garbage");
    assertThatThrownBy(() -> MasterKey.resolve(home, null, Map.of(), false)).hasMessageContaining("remove it");
  }

  @Test
  void theOptionIsCheckedWithoutEchoingIt() {
    assertThatThrownBy(() -> LauncherOptions.parse(new String[] {"--master-key", "secret-value"}, Map.of()))
        .hasMessageContaining("--master-key must start with 'sk-'").hasMessageNotContaining("secret-value");
    assertThat(LauncherOptions.parse(new String[] {"--master-key", "sk-12345678"}, Map.of()).masterKey())
        .isEqualTo("sk-12345678");
  }
}
