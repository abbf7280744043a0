package io.tollgate.aggregator.topology;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.apache.kafka.common.errors.SerializationException;
import org.apache.kafka.common.serialization.Serde;
import org.junit.jupiter.api.Test;

class UsageDeltaTest {
  private final Serde<UsageDelta> serde = UsageDelta.serde();

  @Test
  void roundTripsEveryFieldExactly() {
    UsageDelta d = new UsageDelta(1_764_000_000_123L, true, false, true, 1, 2, 3, 4, 5, 6, Long.MAX_VALUE - 7);
    byte[] bytes = serde.serializer().serialize("t", d);
    assertThat(bytes).hasSize(UsageDelta.SIZE);
    assertThat(serde.deserializer().deserialize("t", bytes)).isEqualTo(d);
    UsageDelta flags = new UsageDelta(0, false, true, false, 0, 0, 0, 0, 0, 0, -1);
    assertThat(serde.deserializer().deserialize("t", serde.serializer().serialize("t", flags))).isEqualTo(flags);
    assertThat(d.promptTokens()).isEqualTo(1 + 3 + 4 + 5);
  }

  @Test
  void otherBytesAreRejectedClearly() {
    assertThatThrownBy(() -> serde.deserializer().deserialize("by-group", new byte[] {2, 0, 0}))
        .isInstanceOf(SerializationException.class).hasMessageContaining("by-group").hasMessageContaining("version 2");
    assertThat(serde.deserializer().deserialize("t", null)).isNull();
  }
}
