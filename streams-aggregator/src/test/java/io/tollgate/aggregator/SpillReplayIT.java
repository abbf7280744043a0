package io.tollgate.aggregator;

import static org.assertj.core.api.Assertions.assertThat;

import io.tollgate.local.junit.ClickHouseExtension;
import io.tollgate.local.junit.ClickHouseTestDatabase;
import io.tollgate.local.junit.KafkaExtension;
import io.tollgate.local.kafka.FreePorts;
import io.tollgate.local.kafka.KafkaCluster;
import io.tollgate.local.process.ChildJvm;
import io.tollgate.schemas.topics.Topics;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 14's replay test: a gateway that spilled through a long Kafka outage replays its whole
 * spill, so every event arrives a second time, hours later in event time (newer traffic came in
 * between), and the aggregator was killed with SIGKILL between the two copies. No total may change:
 * the dedupe must be durable (its changelog), not in memory, and keep ids long enough (24 h).
 */
@ExtendWith({KafkaExtension.class, ClickHouseExtension.class})
@Timeout(value = 10, unit = TimeUnit.MINUTES)
class SpillReplayIT {

  @Test
  void replayingTheWholeSpillHoursLaterAfterASigkillChangesNoTotal(KafkaCluster kafka, ClickHouseTestDatabase db,
                                                                   @TempDir Path state) throws Exception {
    String bootstrap = kafka.bootstrapServers();
    // The spill: 6 hours of calls with budget periods (key lifetime + hour) and request tags.
    UsageLoad spill = new UsageLoad(61, 3_000, 6 * 3_600_000L, "spill", 2, Instant.parse("2026-11-24T02:00:00Z"), true);
    // What arrives after it: an hour of calls 12 hours later in event time (other customers).
    UsageLoad later = new UsageLoad(62, 600, 3_600_000L, "later", 2, Instant.parse("2026-11-24T20:00:00Z"), true);
    String appId = "replay-" + UUID.randomUUID();
    List<String> cmd = new ArrayList<>(ChildJvm.javaCommand("768m"));
    cmd.addAll(List.of("-cp", System.getProperty("java.class.path"), Main.class.getName(),
        "--bootstrap", bootstrap, "--clickhouse", db.settings().url(), "--database", db.database(),
        "--application-id", appId, "--state-dir", state.toString(),
        "--metrics-port", Integer.toString(FreePorts.pick())));

    spill.produce(bootstrap, 0, spill.events.size());
    Process first = ChildJvm.start(cmd, Main.READY, Duration.ofSeconds(60), line -> { }).process();
    try {
      assertAllExact(bootstrap, db, spill, "spill");
    } finally {
      first.destroyForcibly().waitFor(30, TimeUnit.SECONDS); // kill -9: whatever is in memory is gone
    }

    later.produce(bootstrap, 0, later.events.size());
    spill.replayAll(bootstrap); // every event of the spill once more, 12-18 h behind the newest
    Process second = ChildJvm.start(cmd, Main.READY, Duration.ofSeconds(60), line -> { }).process();
    try {
      // Everything the aggregator was sent has gone through every stage before the totals are read,
      // so a double count cannot hide behind "not there yet".
      Drain.await(bootstrap, appId, List.of(Topics.USAGE.name()), Duration.ofMinutes(4));
      Set<String> repartition = new TreeSet<>(Drain.repartitionTopics(bootstrap, appId));
      assertThat(repartition).as("the topology's repartition topics").isNotEmpty();
      Drain.await(bootstrap, appId, repartition, Duration.ofMinutes(3));
      Drain.await(bootstrap, appId + "-clickhouse-sink", List.of(Topics.USAGE.name(), Topics.SPEND_WINDOWS.name()),
          Duration.ofMinutes(3));
      assertAllExact(bootstrap, db, later, "later");
      assertAllExact(bootstrap, db, spill, "spill");
    } finally {
      second.toHandle().destroy();
      second.waitFor(60, TimeUnit.SECONDS);
    }
  }

  private static void assertAllExact(String bootstrap, ClickHouseTestDatabase db, UsageLoad load, String tag)
      throws InterruptedException {
    AggregatorIT.assertExact(db.client(), load, tag);
    PeriodTotalsCheck.assertExact(bootstrap, load);
    PeriodTotalsCheck.assertTotals(bootstrap, load.costByTagDay, load.requestsByTagDay);
  }
}
