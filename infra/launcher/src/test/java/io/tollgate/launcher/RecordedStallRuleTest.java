package io.tollgate.launcher;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The stall rule ({@code TollgateSpendStalled}) over series recorded from a real stall of the
 * aggregator (AggregatorStallIT, a long run, wrote them): promtool must find it silent while
 * healthy, firing at the end of the stall, silent after recovery — and must reject the same
 * recording with the claim that it fires while healthy, so this test can fail.
 */
@Timeout(value = 2, unit = TimeUnit.MINUTES)
class RecordedStallRuleTest {
  private static final Path TESTS = Path.of("..", "prometheus", "tests").toAbsolutePath().normalize();
  private static final Path RECORDING = TESTS.resolve("recorded-stall.test.yml");

  @Test
  void theStallRuleFiresOnTheRecordedStallAndOnlyThere() throws Exception {
    Assumptions.assumeTrue(onPath("promtool"),
        "promtool is missing (./tollgate test installs it as root: apt-get install -y prometheus)");
    assertThat(promtool(RECORDING)).as("promtool test rules on the recording").isZero();

    String recording = Files.readString(RECORDING, StandardCharsets.UTF_8);
    String wrong = recording.replaceFirst("(?s)(eval_time: 89s\\s+alertname: TollgateSpendStalled\\s+)exp_alerts: \\[\\]",
        "$1exp_alerts:\n          - exp_labels: {severity: critical, job: tollgate-aggregator, instance: \"aggregator:4001\"}");
    assertThat(wrong).isNotEqualTo(recording);
    Path copy = TESTS.resolve("claims-firing-while-healthy.tmp.yml");
    try {
      Files.writeString(copy, wrong, StandardCharsets.UTF_8);
      assertThat(promtool(copy)).as("a claim that it fires while healthy must fail").isNotZero();
    } finally {
      Files.deleteIfExists(copy);
    }
  }

  private static int promtool(Path file) throws IOException, InterruptedException {
    Process p = new ProcessBuilder("promtool", "test", "rules", file.getFileName().toString())
        .directory(file.getParent().toFile()).redirectErrorStream(true).start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    if (!p.waitFor(60, TimeUnit.SECONDS)) {
      p.destroyForcibly();
      throw new AssertionError("promtool did not finish in 60 s");
    }
    System.out.println(out);
    return p.exitValue();
  }

  private static boolean onPath(String command) {
    for (String dir : System.getenv().getOrDefault("PATH", "").split(":")) {
      if (Files.isExecutable(Path.of(dir, command))) {
        return true;
      }
    }
    return false;
  }
}
