package io.tollgate.aggregator.sink;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.IntStream;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** Permanent errors cost only the rows that cause them; everything else is retried or waited for. */
@Timeout(value = 10, unit = TimeUnit.SECONDS)
class TableInsertsTest {
  private final List<Integer> written = new ArrayList<>();
  private int inserts;

  /** A table that refuses any insert containing a negative number, like a UInt64 column. */
  private void refuseNegatives(String table, List<Integer> rows) {
    inserts++;
    if (rows.stream().anyMatch(v -> v < 0)) {
      throw new IllegalArgumentException("UInt64 column given a negative value");
    }
    written.addAll(rows);
  }

  private static List<TableInserts.Row<Integer>> rows(int... values) {
    return IntStream.of(values).mapToObj(v -> new TableInserts.Row<>(v,
        new ConsumerRecord<String, byte[]>("tollgate.usage.v1", 0, 100 + v, "k" + v, new byte[] {(byte) v}))).toList();
  }

  @Test
  void aGoodBatchIsOneInsert() {
    assertThat(TableInserts.write("t", rows(1, 2, 3), this::refuseNegatives)).isEmpty();
    assertThat(written).containsExactly(1, 2, 3);
    assertThat(inserts).isEqualTo(1);
  }

  @Test
  void refusedRowsAreFoundAndEveryOtherRowIsWritten() {
    int[] values = IntStream.range(0, 1000).map(i -> i == 17 || i == 800 ? -i : i).toArray();
    List<DeadLetters.DeadLetter> dead = TableInserts.write("usage_events", rows(values), this::refuseNegatives);
    assertThat(dead).extracting(d -> d.source().offset()).containsExactlyInAnyOrder(100L - 17, 100L - 800);
    assertThat(dead).allSatisfy(d -> {
      assertThat(d.table()).isEqualTo("usage_events");
      assertThat(d.error()).contains("IllegalArgumentException").contains("negative");
    });
    assertThat(written).hasSize(998).doesNotContain(-17, -800);
    assertThat(inserts).as("about 2 k log2 n, not n").isLessThan(50);
  }

  @Test
  void aBatchOfRefusedRowsCostsABoundedNumberOfInsertsAndLosesNothing() {
    int[] values = IntStream.range(0, 20_000).map(i -> i % 3 == 0 ? -i - 1 : i).toArray();
    List<DeadLetters.DeadLetter> dead = TableInserts.write("t", rows(values), this::refuseNegatives);
    assertThat(inserts).as("the budget, plus one try for each half still waiting (log2 n)")
        .isLessThanOrEqualTo(TableInserts.MAX_SPLIT_INSERTS + 2 + 16);
    assertThat(written.size() + dead.size()).as("every row written or dead-lettered").isEqualTo(20_000);
    assertThat(written).allMatch(v -> v >= 0);
  }

  @Test
  void aSingleRefusedRowIsADeadLetterWhenTheTableTakesOthers() {
    assertThat(TableInserts.write("t", rows(-1), this::refuseNegatives)).singleElement()
        .satisfies(d -> assertThat(d.source().key()).isEqualTo("k-1"));
  }

  @Test
  void aTableThatTakesNothingIsWaitedForNotDeadLettered() {
    assertThatThrownBy(() -> TableInserts.write("t", rows(1, 2), (table, r) -> {
      throw new IllegalStateException("Code: 516, wrong password");
    })).isInstanceOf(TableInserts.TableRefused.class).hasMessageContaining("takes no rows at all");
  }
}
