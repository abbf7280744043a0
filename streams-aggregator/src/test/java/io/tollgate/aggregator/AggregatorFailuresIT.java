package io.tollgate.aggregator;

import static org.assertj.core.api.Assertions.assertThat;

import io.tollgate.local.clickhouse.LocalClickHouse;
import io.tollgate.local.junit.ClickHouseExtension;
import io.tollgate.local.junit.ClickHouseTestDatabase;
import io.tollgate.local.junit.KafkaExtension;
import io.tollgate.local.kafka.FreePorts;
import io.tollgate.local.kafka.KafkaCluster;
import io.tollgate.local.process.ChildJvm;
import io.tollgate.schemas.clickhouse.ClickHouseClient;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * The aggregator killed outright (window, day and budget-period totals), and ClickHouse gone for
 * 30 s: totals stay exact, nothing doubles.
 */
@ExtendWith({KafkaExtension.class, ClickHouseExtension.class})
class AggregatorFailuresIT {

  @Test
  void aKilledAggregatorRestartsAndTheTotalsAreStillExact(KafkaCluster kafka, ClickHouseTestDatabase db,
                                                          @TempDir Path state) throws Exception {
    UsageLoad load = new UsageLoad(21, 20_000, 3 * 3_600_000L, "kill", 2); // key lifetime + hour budget periods
    load.produce(kafka.bootstrapServers(), 0, 10_000);
    List<String> cmd = new ArrayList<>(ChildJvm.javaCommand("768m"));
    cmd.addAll(List.of("-cp", System.getProperty("java.class.path"), Main.class.getName(),
        "--bootstrap", kafka.bootstrapServers(), "--clickhouse", db.settings().url(), "--database", db.database(),
        "--application-id", "kill-" + UUID.randomUUID(), "--state-dir", state.toString(),
        "--metrics-port", Integer.toString(FreePorts.pick())));
    Process first = ChildJvm.start(cmd, Main.READY, Duration.ofSeconds(60), line -> { }).process();
    waitForRows(db.client(), "kill");
    first.destroyForcibly().waitFor(30, TimeUnit.SECONDS); // kill -9: no clean shutdown, open transactions abort

    load.produce(kafka.bootstrapServers(), 10_000, 20_000);
    Process second = ChildJvm.start(cmd, Main.READY, Duration.ofSeconds(60), line -> { }).process();
    try {
      AggregatorIT.assertExact(db.client(), load, "kill");
      PeriodTotalsCheck.assertExact(kafka.bootstrapServers(), load);
    } finally {
      second.toHandle().destroy();
      second.waitFor(60, TimeUnit.SECONDS);
    }
  }

  @Test
  void theSinkWaitsOutAClickHouseOutageAndCatchesUpExactly(KafkaCluster kafka, @TempDir Path dir) throws Exception {
    LocalClickHouse.Options options = new LocalClickHouse.Options(dir.resolve("clickhouse"), FreePorts.pick(), FreePorts.pick());
    LocalClickHouse server = LocalClickHouse.start(options);
    ClickHouseClient ch = new ClickHouseClient(server.settings("outage"));
    UsageLoad load = new UsageLoad(31, 10_000, 3 * 3_600_000L, "outage");
    load.produce(kafka.bootstrapServers(), 0, 5_000);
    try (AggregatorApp app = AggregatorApp.start(kafka.bootstrapServers(), "outage-" + UUID.randomUUID(),
        dir.resolve("state"), ch)) {
      waitForRows(ch, "outage");
      server.close();
      load.produce(kafka.bootstrapServers(), 5_000, 10_000);
      Thread.sleep(30_000);
      server = LocalClickHouse.start(options); // same ports and data: the sink just reconnects
      AggregatorIT.assertExact(ch, load, "outage");
    } finally {
      server.close();
    }
  }

  private static void waitForRows(ClickHouseClient ch, String tag) throws InterruptedException {
    long deadline = System.nanoTime() + 60_000_000_000L;
    while (System.nanoTime() < deadline) {
      if (ch.queryLong("SELECT count() FROM usage_events WHERE customer_id LIKE '" + tag + "-%'") > 0) {
        return;
      }
      Thread.sleep(100);
    }
    throw new AssertionError("no rows reached ClickHouse within 60 s");
  }
}
