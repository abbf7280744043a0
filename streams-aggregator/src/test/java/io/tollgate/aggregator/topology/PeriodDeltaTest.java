package io.tollgate.aggregator.topology;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/** The budget-period delta and totals formats: version 2 round-trips, version 1 (an older aggregator's) still reads. */
class PeriodDeltaTest {
  @Test
  void deltaRoundTripsWithCacheTokensAndReadsVersionOne() {
    PeriodDelta d = new PeriodDelta(3, 1_112, 10, 42, 1_764_583_200_000L, "gw-é", 1_000, 12);
    byte[] bytes = PeriodDelta.serde().serializer().serialize("t", d);
    assertThat(PeriodDelta.serde().deserializer().deserialize("t", bytes)).isEqualTo(d);

    byte[] gateway = "gw".getBytes(StandardCharsets.UTF_8);
    byte[] v1 = ByteBuffer.allocate(1 + 5 * 8 + gateway.length).put((byte) 1).putLong(1).putLong(1_112).putLong(10)
        .putLong(42).putLong(7).put(gateway).array();
    assertThat(PeriodDelta.serde().deserializer().deserialize("t", v1))
        .isEqualTo(new PeriodDelta(1, 1_112, 10, 42, 7, "gw", 0, 0));
  }

  @Test
  void totalsRoundTripWithCacheTokensAndReadVersionOne() {
    PeriodTotals t = new PeriodTotals(99);
    t.add(new PeriodDelta(1, 1_112, 10, 42, 7, "gw", 1_000, 12));
    PeriodTotals back = PeriodTotals.serde().deserializer().deserialize("t",
        PeriodTotals.serde().serializer().serialize("t", t));
    assertThat(back.cacheReadTokens).isEqualTo(1_000);
    assertThat(back.cacheWriteTokens).isEqualTo(12);
    assertThat(back.byGateway).containsEntry("gw", 42L);
    assertThat(back.toSpendTotal(new String[] {"key", "k", "1h", "0"}).getCacheWriteTokens()).isEqualTo(12);

    byte[] gateway = "gw".getBytes(StandardCharsets.UTF_8);
    byte[] v1 = ByteBuffer.allocate(1 + 7 * 8 + 4 + 4 + gateway.length + 8).put((byte) 1).putLong(99).putLong(1)
        .putLong(1_112).putLong(10).putLong(42).putLong(1).putLong(7).putInt(1).putInt(gateway.length).put(gateway)
        .putLong(42).array();
    PeriodTotals old = PeriodTotals.serde().deserializer().deserialize("t", v1);
    assertThat(old.costNanos).isEqualTo(42);
    assertThat(old.cacheReadTokens).isZero();
    assertThat(old.byGateway).containsEntry("gw", 42L);
  }
}
