package io.tollgate.bench.keys;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * The process under test alone on the first allowed core: this JVM (every thread, so Kafka,
 * the mock provider and the children it starts, wrk included, inherit it) moves to the other
 * allowed cores, and the gateway is started behind {@code taskset -c <first>}.
 */
final class Pinning {
  private Pinning() {
  }

  /** The CPUs this process may use ({@code Cpus_allowed_list}; a container's set may not start at 0). */
  static List<Integer> allowedCpus() throws IOException {
    List<Integer> cpus = new ArrayList<>();
    for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
      if (line.startsWith("Cpus_allowed_list:")) {
        cpus.addAll(parseList(line.substring(line.indexOf(':') + 1).trim()));
      }
    }
    return cpus;
  }

  /** "0-2,5" → [0, 1, 2, 5]. */
  static List<Integer> parseList(String list) {
    List<Integer> cpus = new ArrayList<>();
    for (String range : list.split(",")) {
      if (range.isBlank()) {
        continue;
      }
      String[] ends = range.trim().split("-");
      int lo = Integer.parseInt(ends[0]);
      int hi = Integer.parseInt(ends[ends.length - 1]);
      for (int c = lo; c <= hi; c++) {
        cpus.add(c);
      }
    }
    return cpus;
  }

  /**
   * With two or more CPUs: moves this JVM to all but the first and returns the command prefix that
   * puts a child on the first; with one, changes nothing and returns an empty prefix.
   */
  static List<String> pinRestAndPrefixFirst(List<Integer> cpus) throws IOException, InterruptedException {
    if (cpus.size() < 2) {
      return List.of();
    }
    String rest = String.join(",", cpus.subList(1, cpus.size()).stream().map(String::valueOf).toList());
    Process p = new ProcessBuilder("taskset", "-a", "-cp", rest, Long.toString(ProcessHandle.current().pid()))
        .redirectErrorStream(true).start();
    String output = new String(p.getInputStream().readAllBytes());
    if (!p.waitFor(10, TimeUnit.SECONDS) || p.exitValue() != 0) {
      throw new IOException("taskset -a -cp " + rest + " failed: " + output);
    }
    return List.of("taskset", "-c", Integer.toString(cpus.get(0)));
  }
}
