package io.tollgate.local.postgres;

import static org.assertj.core.api.Assertions.assertThat;

import io.tollgate.local.kafka.FreePorts;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

class LocalPostgresIT {
  @Test
  void startsAPasswordProtectedServerOnLoopbackAndStopsIt() throws Exception {
    Path dir = Files.createTempDirectory("tollgate-postgres-it");
    LocalPostgres pg;
    try {
      pg = LocalPostgres.start(new LocalPostgres.Options(dir, 0, "litellm", "s3cret pass"));
    } catch (PostgresInstaller.Missing e) {
      Assumptions.abort(e.getMessage());
      return;
    }
    try (pg) {
      Path psql = PostgresInstaller.find().resolve("psql");
      assertThat(query(psql, pg.port(), "s3cret pass", "SELECT 6 * 7")).isEqualTo("42");
      assertThat(query(psql, pg.port(), "wrong", "SELECT 1")).contains("password authentication failed");
      assertThat(query(psql, pg.port(), "s3cret pass", "SHOW fsync")).isEqualTo("off");
    }
    assertThat(FreePorts.inUse(pg.port())).isFalse();
    try (var paths = Files.walk(dir)) {
      paths.sorted(java.util.Comparator.reverseOrder()).forEach(f -> f.toFile().delete());
    }
  }

  private static String query(Path psql, int port, String password, String sql) throws Exception {
    ProcessBuilder pb = new ProcessBuilder(psql.toString(), "-h", "127.0.0.1", "-p", Integer.toString(port),
        "-U", "litellm", "-d", "postgres", "-tA", "-w", "-c", sql).redirectErrorStream(true);
    pb.environment().put("PGPASSWORD", password);
    Process p = pb.start();
    assertThat(p.waitFor(30, TimeUnit.SECONDS)).isTrue();
    return new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip();
  }
}
