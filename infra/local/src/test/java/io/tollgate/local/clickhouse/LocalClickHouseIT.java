package io.tollgate.local.clickhouse;

import static org.assertj.core.api.Assertions.assertThat;

import io.tollgate.local.kafka.FreePorts;
import io.tollgate.schemas.clickhouse.ClickHouseClient;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A private server: starts on free loopback ports, keeps its data across restarts, frees its port on close. */
class LocalClickHouseIT {

  @Test
  void dataSurvivesARestartAndThePortIsFreedOnClose(@TempDir Path dir) {
    int port;
    try (LocalClickHouse server = LocalClickHouse.start(LocalClickHouse.Options.in(dir))) {
      port = server.httpPort();
      assertThat(server.owned()).isTrue();
      ClickHouseClient ch = new ClickHouseClient(server.settings("keep"));
      ch.createDatabaseIfNotExists();
      ch.execute("CREATE TABLE kept (n UInt32) ENGINE = MergeTree ORDER BY n");
      ch.insertRowBinary("kept", List.of("n"), out -> {
        for (int i = 1; i <= 10; i++) {
          out.writeUInt32(i);
        }
        return 10;
      });
    }
    assertThat(FreePorts.inUse(port)).as("port free after close").isFalse();

    try (LocalClickHouse again = LocalClickHouse.start(new LocalClickHouse.Options(dir, port, 0))) {
      assertThat(new ClickHouseClient(again.settings("keep")).queryLong("SELECT sum(n) FROM kept")).isEqualTo(55);
    }
    assertThat(FreePorts.inUse(port)).isFalse();
  }
}
