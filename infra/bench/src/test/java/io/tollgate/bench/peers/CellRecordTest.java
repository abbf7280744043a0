package io.tollgate.bench.peers;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class CellRecordTest {
  @Test
  void roundTripsWithSortedKeys() {
    CellRecord r = CellRecord.of(CellRecord.CELL).with("target", "nginx").with("rps", 123).with("mode", "max");
    assertThat(r.format()).isEqualTo("CELL mode=max rps=123 target=nginx");
    assertThat(CellRecord.parse(r.format())).contains(r);
  }

  @Test
  void otherLinesAreNotRecords() {
    assertThat(CellRecord.parse("12:00:01 WARN something happened")).isEmpty();
    assertThat(CellRecord.parse("CELL broken")).isEmpty();
    assertThat(CellRecord.parse("")).isEmpty();
  }

  @Test
  void rejectsValuesThatWouldBreakTheLine() {
    assertThatThrownBy(() -> CellRecord.of("CELL").with("note", "two words")).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> CellRecord.of("CELL").with("k", "a=b")).isInstanceOf(IllegalArgumentException.class);
  }
}
