package io.tollgate.bench.chaos;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.buffer.Buffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The harness's own arithmetic: matching answered calls with rows, completeness, the report's markers. */
class LedgerTest {
  private static Ledger.Answer answer(String id, long input, long output, long at) {
    return new Ledger.Answer(id, Ledger.cost(input, output), at, 1_000);
  }

  @Test
  void pricesACallAtTheListPriceInNanoUsd() {
    // 1,000 input tokens at $3/M and 100 output tokens at $15/M: $0.003 + $0.0015.
    assertThat(Ledger.cost(1_000, 100)).isEqualTo(4_500_000L);
  }

  @Test
  void countsSeenLostDuplicatedAndCostPerUpstreamId() {
    List<Ledger.Answer> answered = List.of(answer("a", 100, 10, 1), answer("b", 200, 20, 2), answer("c", 300, 30, 3),
        answer("d", 400, 40, 4));
    List<Ledger.Row> rows = List.of(
        new Ledger.Row("a", Ledger.cost(100, 10), 200),
        new Ledger.Row("b", Ledger.cost(200, 20), 200), new Ledger.Row("b", Ledger.cost(200, 20), 200), // billed twice
        new Ledger.Row("c", 0, 500), // recorded, but as a failure with no cost
        new Ledger.Row("zzz", 999, 200)); // a call the client never counted (not part of the account)
    Ledger.Account a = Ledger.account(answered, rows);
    assertThat(a.expected()).isEqualTo(4);
    assertThat(a.seen()).isEqualTo(3);
    assertThat(a.lost()).isEqualTo(1);
    assertThat(a.lostSample()).containsExactly("d");
    assertThat(a.duplicated()).isEqualTo(1);
    assertThat(a.costExpectedNanos()).isEqualTo(Ledger.cost(1_000, 100));
    assertThat(a.costSeenNanos()).isEqualTo(Ledger.cost(100, 10) + 2 * Ledger.cost(200, 20));
    assertThat(a.wrongCost()).isEqualTo(1);
    assertThat(a.notOk()).isEqualTo(1);
  }

  @Test
  void exactWhenEveryCallHasOneRightRow() {
    List<Ledger.Answer> answered = List.of(answer("a", 100, 10, 1), answer("b", 200, 20, 2));
    Ledger.Account a = Ledger.account(answered, List.of(new Ledger.Row("b", Ledger.cost(200, 20), 200),
        new Ledger.Row("a", Ledger.cost(100, 10), 201)));
    assertThat(a.lost()).isZero();
    assertThat(a.duplicated()).isZero();
    assertThat(a.wrongCost()).isZero();
    assertThat(a.notOk()).isZero();
    assertThat(a.costSeenNanos()).isEqualTo(a.costExpectedNanos());
  }

  @Test
  void aRepeatedUpstreamIdIsAFailureNotASecondAnswer() {
    Ledger ledger = new Ledger();
    ledger.answered(answer("a", 1, 1, 10));
    ledger.answered(answer("a", 1, 1, 20));
    ledger.answered(answer("b", 1, 1, 30));
    assertThat(ledger.answeredCount()).isEqualTo(2);
    assertThat(ledger.failures()).containsEntry("same upstream id twice", 1L);
    assertThat(ledger.answeredBefore(15)).extracting(Ledger.Answer::upstreamId).containsExactly("a");
  }

  @Test
  void aBodyCountsOnlyWhenComplete() {
    assertThat(LoadGen.complete(Buffer.buffer("{\"type\":\"message\",\"usage\":{\"input_tokens\":1}}"), false)).isTrue();
    assertThat(LoadGen.complete(Buffer.buffer("{\"type\":\"message\",\"usage\":{\"input_tok"), false)).isFalse();
    assertThat(LoadGen.complete(Buffer.buffer("{\"type\":\"error\"}"), false)).isFalse();
    assertThat(LoadGen.complete(Buffer.buffer("event: message_start\ndata: {}\n\nevent: message_stop\ndata: {}\n\n"), true))
        .isTrue();
    assertThat(LoadGen.complete(Buffer.buffer("event: message_start\ndata: {}\n\nevent: content_block_delta\n"), true))
        .isFalse();
  }

  @Test
  void rewritesOnlyBetweenTheMarkers(@TempDir Path dir) throws Exception {
    Path file = dir.resolve("RELIABILITY.md");
    Files.writeString(file, "# Reliability\n\nintro kept\n\n" + ReliabilityReport.BEGIN + "\nold\n" + ReliabilityReport.END
        + "\n\noutro kept\n");
    Ledger.Account a = Ledger.account(List.of(answer("a", 100, 10, 1)), List.of(new Ledger.Row("a", Ledger.cost(100, 10), 200)));
    Result r = new Result("kafka-stop", "Kafka stopped 5 s", "./tollgate chaos --quick --only kafka-stop", 1, Map.of(),
        a, new long[] {1, Ledger.cost(100, 10)}, 1, Ledger.cost(100, 10), 2.5, 7.25, List.of("a note"), true, null);
    ReliabilityReport.write(file, ReliabilityReport.Meta.now("./tollgate chaos --quick", true, Instant.EPOCH), List.of(r));
    String text = Files.readString(file);
    assertThat(text).startsWith("# Reliability\n\nintro kept\n\n").endsWith("\n\noutro kept\n").doesNotContain("\nold\n")
        .contains("| Kafka stopped 5 s | 1 | 1 | 1 | 0 | 0 | $0.000450 | $0.000450 | 2.5 s | 7.3 s | pass |")
        .contains("`./tollgate chaos --quick --only kafka-stop`").contains("quick");
  }

  @Test
  void sumsTheCostAndCountOfOneCustomersAnswers() {
    Ledger ledger = new Ledger();
    ledger.answered(new Ledger.Answer("a", "before", Ledger.cost(100, 10), 1, 1));
    ledger.answered(new Ledger.Answer("b", "after", Ledger.cost(200, 20), 2, 1));
    ledger.answered(new Ledger.Answer("c", "before", Ledger.cost(300, 30), 3, 1));
    assertThat(ledger.costOf("before")).isEqualTo(Ledger.cost(400, 40));
    assertThat(ledger.countOf("before")).isEqualTo(2);
    assertThat(ledger.costOf("nobody")).isZero();
  }
}
