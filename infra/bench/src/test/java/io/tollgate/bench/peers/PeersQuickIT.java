package io.tollgate.bench.peers;

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
import org.junit.jupiter.api.io.TempDir;

/**
 * Smoke test of the peers harness: {@code peers.sh --quick} (tiny durations, every target) must
 * start and stop nginx, Portkey (when it installs), Kafka and both gateways, and produce numbers
 * for every cell, in a bounded time. No timing assertions: this proves the harness, not the speed.
 * Skipped, with the reason printed, only when nginx or wrk are missing and cannot be installed
 * (not root); the script says the exact install command.
 */
class PeersQuickIT {
  private static final int NOT_INSTALLABLE = 3;
  private static final long TIMEOUT_SECONDS = 300; // the run itself takes ~1-2 min; first installs add to it

  @TempDir
  Path tmp;

  @Test
  void quickRunMeasuresEveryCell() throws Exception {
    Path root = Path.of("").toAbsolutePath().resolve("../..").normalize();
    Path script = root.resolve("infra/bench/peers.sh");
    Path cp = root.resolve("infra/bench/target/classpath.txt");
    Path jar;
    try (var jars = Files.list(root.resolve("infra/bench/target"))) {
      jar = jars.filter(p -> p.getFileName().toString().matches("tollgate-bench-.*\\.jar")).findFirst()
          .orElseThrow(() -> new IllegalStateException("the bench jar is built in the package phase, before this IT"));
    }
    Path out = tmp.resolve("peers-quick.md");
    ProcessBuilder pb = new ProcessBuilder("bash", script.toString(), "--quick", "--out", out.toString())
        .directory(root.toFile()).redirectErrorStream(true);
    pb.environment().put("TOLLGATE_BENCH_CP", jar + ":" + Files.readString(cp).strip());
    pb.environment().put("JAVA_HOME", System.getProperty("java.home"));
    long started = System.nanoTime();
    Process p = pb.start();
    List<String> lines = Collections.synchronizedList(new ArrayList<>());
    Thread pump = new Thread(() -> {
      try (BufferedReader in = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
        for (String line; (line = in.readLine()) != null; ) {
          lines.add(line);
          System.out.println("[peers --quick] " + line);
        }
      } catch (IOException e) {
        // the script ended
      }
    }, "peers-output");
    pump.start();
    if (!p.waitFor(TIMEOUT_SECONDS, TimeUnit.SECONDS)) {
      p.destroy(); // the script's trap stops every server it started
      if (!p.waitFor(30, TimeUnit.SECONDS)) {
        p.descendants().forEach(ProcessHandle::destroyForcibly);
        p.destroyForcibly();
      }
      fail("peers.sh --quick did not finish within " + TIMEOUT_SECONDS + " s");
    }
    pump.join(5000);
    System.out.printf("peers.sh --quick took %.0f s%n", (System.nanoTime() - started) / 1e9);
    if (p.exitValue() == NOT_INSTALLABLE) {
      Assumptions.abort("peers harness not run: " + String.join(" ", lines));
    }
    assertThat(p.exitValue()).as("peers.sh --quick exit code; output:%n%s", String.join("\n", lines)).isZero();
    String md = Files.readString(out);
    assertThat(md).contains("### Maximum throughput", "### Fixed rate", "| JSON | direct → upstream |",
        "| SSE | nginx proxy_pass |", "| JSON | Tollgate (Kafka) |", "| SSE | Tollgate (broker down, spill) |",
        "usage events published to Kafka").doesNotContain("MISSING");
  }
}
