package io.tollgate.bench.keys;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;
import org.junit.jupiter.api.io.TempDir;

/**
 * Smoke test of {@code ./tollgate bench keys --quick}: Kafka, the mock provider and a pinned
 * gateway process start, 2 × 200 keys are made through {@code /key/generate}, a limited key's
 * answer carries rate-limit headers and a plain one's does not, every mode measures calls without
 * an error, and the section is written (to a temporary file). No timing assertions: this proves
 * the harness, not the speed. A long run, out of {@code ./tollgate test}: 45 s on a quiet 2-core
 * machine, three minutes on a loaded one, where 2 s rounds may answer nothing at all. Run it with
 * {@code ./tollgate test -pl infra/bench -am -Dit.test=KeysBenchQuickIT -Dtest=NONE -Dtollgate.long=true
 * -Dsurefire.failIfNoSpecifiedTests=false -Dfailsafe.failIfNoSpecifiedTests=false}. Skipped when
 * wrk is missing.
 */
@EnabledIfSystemProperty(named = "tollgate.long", matches = "true")
class KeysBenchQuickIT {
  private static final long TIMEOUT_SECONDS = 240;

  @TempDir
  Path tmp;

  @Test
  void quickRunMeasuresEveryMode() throws Exception {
    Assumptions.assumeTrue(onPath("wrk") && onPath("taskset"), "wrk or taskset missing: sudo apt-get install -y wrk util-linux");
    Path root = Path.of("").toAbsolutePath().resolve("../..").normalize();
    Path jar;
    try (var jars = Files.list(root.resolve("infra/bench/target"))) {
      jar = jars.filter(p -> p.getFileName().toString().matches("tollgate-bench-.*\\.jar")).findFirst()
          .orElseThrow(() -> new IllegalStateException("the bench jar is built in the package phase, before this IT"));
    }
    String cp = jar + ":" + Files.readString(root.resolve("infra/bench/target/classpath.txt")).strip();
    Path out = tmp.resolve("keys-quick.md");
    Process p = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
        "-Xmx768m", "--enable-native-access=ALL-UNNAMED", "-cp", cp, KeysBench.class.getName(), "--quick",
        "--out", out.toString()).directory(root.toFile()).redirectErrorStream(true).start();
    long started = System.nanoTime();
    List<String> lines = Collections.synchronizedList(new ArrayList<>());
    Thread pump = new Thread(() -> {
      try (BufferedReader in = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
        for (String line; (line = in.readLine()) != null; ) {
          lines.add(line);
          if (line.startsWith("bench keys:")) {
            System.out.println("[keys --quick] " + line);
          }
        }
      } catch (IOException e) {
        // the bench ended
      }
    }, "keys-output");
    pump.start();
    if (!p.waitFor(TIMEOUT_SECONDS, TimeUnit.SECONDS)) {
      p.destroy(); // its shutdown hook stops the gateway process
      if (!p.waitFor(30, TimeUnit.SECONDS)) {
        p.descendants().forEach(ProcessHandle::destroyForcibly);
        p.destroyForcibly();
      }
      fail("bench keys --quick did not finish within " + TIMEOUT_SECONDS + " s");
    }
    pump.join(5000);
    System.out.printf("bench keys --quick took %.0f s%n", (System.nanoTime() - started) / 1e9);
    List<String> tail = lines.subList(Math.max(0, lines.size() - 60), lines.size());
    assertThat(p.exitValue()).as("exit code; output:%n%s", String.join("\n", tail)).isZero();
    assertThat(Files.readString(out)).contains(KeysReport.BEGIN, KeysReport.END,
        "| on: budgets + limits, 200 keys | 1 |", "| off: no limits, 200 keys | 1 |", "| on: every call on one key | 1 |",
        "req/s ÷ off", "load average (1 min)");
  }

  private static boolean onPath(String tool) {
    for (String dir : System.getenv().getOrDefault("PATH", "").split(":")) {
      if (Files.isExecutable(Path.of(dir, tool))) {
        return true;
      }
    }
    return false;
  }
}
