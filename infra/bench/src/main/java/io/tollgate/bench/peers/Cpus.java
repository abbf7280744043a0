package io.tollgate.bench.peers;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** The CPUs this process may run on (a container's cpuset need not start at 0) and a one-line machine description. */
final class Cpus {
  private Cpus() {
  }

  static List<Integer> allowed() throws IOException {
    for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
      if (line.startsWith("Cpus_allowed_list:")) {
        return parse(line.substring(line.indexOf(':') + 1));
      }
    }
    return List.of();
  }

  /** {@code "0-2,5"} → 0, 1, 2, 5. */
  static List<Integer> parse(String list) {
    List<Integer> out = new ArrayList<>();
    for (String range : list.trim().split(",")) {
      if (range.isBlank()) {
        continue;
      }
      String[] ends = range.trim().split("-");
      int from = Integer.parseInt(ends[0]);
      int to = ends.length > 1 ? Integer.parseInt(ends[1]) : from;
      for (int c = from; c <= to; c++) {
        out.add(c);
      }
    }
    return out;
  }

  static String machine(String upstream) {
    String model = "?";
    long memKb = 0;
    int vcpus = 0; // all of the machine's, not just this process's (it may have pinned itself already)
    try {
      for (String line : Files.readAllLines(Path.of("/proc/cpuinfo"))) {
        if (line.startsWith("processor")) {
          vcpus++;
        } else if (line.startsWith("model name") && model.equals("?")) {
          model = line.substring(line.indexOf(':') + 1).trim();
        }
      }
      for (String line : Files.readAllLines(Path.of("/proc/meminfo"))) {
        if (line.startsWith("MemTotal:")) {
          memKb = Long.parseLong(line.replaceAll("[^0-9]", ""));
        }
      }
    } catch (IOException e) {
      // described as far as known
    }
    return String.format("%d vCPU (%s), %.0f GB RAM, Linux %s, Java %s, %s", vcpus,
        model, memKb / 1048576.0, System.getProperty("os.version"), Runtime.version(), upstream);
  }

  /** The 1-minute load average, or "?" when it cannot be read. */
  static String loadAverage() {
    try {
      return Files.readString(Path.of("/proc/loadavg")).split(" ")[0];
    } catch (IOException e) {
      return "?";
    }
  }
}
