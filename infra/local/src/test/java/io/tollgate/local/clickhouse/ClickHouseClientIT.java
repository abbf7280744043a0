package io.tollgate.local.clickhouse;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.tollgate.local.junit.ClickHouseExtension;
import io.tollgate.local.junit.ClickHouseTestDatabase;
import io.tollgate.local.kafka.FreePorts;
import io.tollgate.schemas.clickhouse.ClickHouseClient;
import io.tollgate.schemas.clickhouse.ClickHouseException;
import io.tollgate.schemas.clickhouse.ClickHouseSettings;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

@ExtendWith(ClickHouseExtension.class)
class ClickHouseClientIT {
  private static final int ROWS = 1_000_000;

  @Test
  void oneStreamingInsertOfAMillionRowsReadsBackExactly(ClickHouseTestDatabase db) {
    ClickHouseClient ch = db.client();
    ch.execute("CREATE TABLE narrow (id UInt64, customer String, cost Int64, ts DateTime) "
        + "ENGINE = MergeTree ORDER BY id");
    Instant base = Instant.parse("2026-11-24T00:00:00Z");

    long started = System.nanoTime();
    long written = ch.insertRowBinary("narrow", List.of("id", "customer", "cost", "ts"), out -> {
      for (int i = 0; i < ROWS; i++) {
        out.writeUInt64(i);
        out.writeString("customer-" + (i % 100));
        out.writeInt64(i % 2 == 0 ? i * 7L : -i);
        out.writeDateTime(base.plusSeconds(i % 86_400));
      }
      return ROWS;
    });
    double seconds = (System.nanoTime() - started) / 1e9;
    System.out.printf("BENCH clickhouse-insert rows=%d seconds=%.2f rows_per_s=%.0f%n", ROWS, seconds, ROWS / seconds);

    long expectedCost = 0;
    long expectedIdXor = 0;
    for (long i = 0; i < ROWS; i++) {
      expectedCost += i % 2 == 0 ? i * 7L : -i;
      expectedIdXor ^= i * 31 + 7;
    }
    assertThat(written).isEqualTo(ROWS);
    assertThat(ch.queryLong("SELECT count() FROM narrow")).isEqualTo(ROWS);
    assertThat(ch.queryLong("SELECT sum(cost) FROM narrow")).isEqualTo(expectedCost);
    assertThat(ch.queryLong("SELECT groupBitXor(id * 31 + 7) FROM narrow")).isEqualTo(expectedIdXor);
    assertThat(ch.queryLong("SELECT uniqExact(customer) FROM narrow")).isEqualTo(100);
    assertThat(ch.queryLong("SELECT toInt64(max(ts)) FROM narrow")).isEqualTo(base.getEpochSecond() + 86_399);
    List<Map<String, Object>> row = ch.query("SELECT id, customer, cost FROM narrow WHERE id = 999999");
    assertThat(row).hasSize(1);
    assertThat(row.get(0)).containsEntry("customer", "customer-99");
    assertThat(((Number) row.get(0).get("cost")).longValue()).isEqualTo(-999_999L);
  }

  @Test
  void aWrongQueryIsNotRetryable(ClickHouseTestDatabase db) {
    assertThatThrownBy(() -> db.client().query("SELECT nope FROM no_such_table"))
        .isInstanceOfSatisfying(ClickHouseException.class, e -> {
          assertThat(e.isRetryable()).isFalse();
          assertThat(e.code()).isEqualTo(60);
        })
        .hasMessageContaining("retry will not help")
        .hasMessageContaining("no_such_table");
  }

  @Test
  void anUnreachableServerIsRetryableAndNoSecretLeaks() {
    int closedPort = FreePorts.pick();
    ClickHouseSettings settings = new ClickHouseSettings("http://127.0.0.1:" + closedPort, "tollgate",
        "writer", "s3cr3t-pass", null);
    ClickHouseClient client = new ClickHouseClient(settings);
    assertThatThrownBy(() -> client.queryLong("SELECT 1"))
        .isInstanceOfSatisfying(ClickHouseException.class, e -> assertThat(e.isRetryable()).isTrue())
        .hasMessageContaining("retry may help")
        .hasMessageNotContaining("s3cr3t-pass");
    assertThat(client.toString()).doesNotContain("s3cr3t-pass");
  }
}
