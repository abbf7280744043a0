package io.tollgate.ingress.publish;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SpillLogTest {

  private static byte[] bytes(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }

  private static List<String> strings(List<byte[]> records) {
    return records.stream().map(b -> new String(b, StandardCharsets.UTF_8)).toList();
  }

  @Test
  void drainsInOrderAndEmptiesOnlyAfterSuccess(@TempDir Path dir) throws Exception {
    try (SpillLog log = new SpillLog(dir)) {
      log.append(bytes("a"));
      log.append(bytes("b"));
      log.sync();
      assertThat(log.isEmpty()).isFalse();

      assertThatThrownBy(() -> log.drain(records -> {
        throw new IllegalStateException("kafka still down");
      })).hasMessageContaining("kafka still down");
      assertThat(log.pendingRecords()).as("nothing lost by a failed drain").isEqualTo(2);

      log.append(bytes("c")); // arrives while the first batch waits
      List<String> delivered = new ArrayList<>();
      assertThat(log.drain(records -> delivered.addAll(strings(records)))).isEqualTo(2);
      assertThat(log.drain(records -> delivered.addAll(strings(records)))).isEqualTo(1);
      assertThat(delivered).containsExactly("a", "b", "c");
      assertThat(log.pendingRecords()).isZero();
      assertThat(log.drain(records -> delivered.add("never"))).isZero();
    }
  }

  @Test
  void survivesARestartAndIgnoresATornTail(@TempDir Path dir) throws Exception {
    try (SpillLog log = new SpillLog(dir)) {
      log.append(bytes("kept"));
    }
    // A crash mid-append leaves a length prefix without its record.
    Files.write(dir.resolve("usage-spill.log"), new byte[] {0, 0, 0, 9, 'x'}, StandardOpenOption.APPEND);
    try (SpillLog reopened = new SpillLog(dir)) {
      List<String> delivered = new ArrayList<>();
      reopened.drain(records -> delivered.addAll(strings(records)));
      assertThat(delivered).containsExactly("kept");
    }
  }

  @Test
  void aSecondLogOnTheSameDirectoryIsRefusedUntilTheFirstCloses(@TempDir Path dir) {
    SpillLog first = new SpillLog(dir);
    assertThatThrownBy(() -> new SpillLog(dir)).isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("in use by another gateway instance");
    first.append(bytes("kept"));
    first.close();
    try (SpillLog second = new SpillLog(dir)) {
      assertThat(second.pendingRecords()).as("the first instance's records are still there").isEqualTo(1);
    }
  }
}
