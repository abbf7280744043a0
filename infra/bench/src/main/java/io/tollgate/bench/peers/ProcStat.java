package io.tollgate.bench.peers;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

/**
 * CPU time and resident memory of a process and its descendants, from Linux {@code /proc}
 * (nginx does its work in a worker child of the pid the script knows; a JVM or Node is one
 * process). CPU is read in clock ticks ({@code getconf CLK_TCK}, 100 on Linux), which is
 * coarse, so a run should last seconds, not milliseconds.
 */
public final class ProcStat {
  private final Path proc;
  private final long ticksPerSecond;

  public ProcStat(Path proc, long ticksPerSecond) {
    this.proc = proc;
    this.ticksPerSecond = ticksPerSecond;
  }

  /** What one reading saw: summed user+system CPU in microseconds, summed RSS in kB. */
  public record Sample(long cpuMicros, long rssKb) {
  }

  /** Sums over {@code pid} and every live descendant; a pid of 0 or less reads as zeros. */
  public Sample read(long pid) throws IOException {
    if (pid <= 0) {
      return new Sample(0, 0);
    }
    long ticks = 0;
    long rss = 0;
    for (long p : tree(pid)) {
      String stat = readOrNull(proc.resolve(Long.toString(p)).resolve("stat"));
      if (stat != null) {
        ticks += cpuTicks(stat);
      }
      String status = readOrNull(proc.resolve(Long.toString(p)).resolve("status"));
      if (status != null) {
        rss += rssKb(status);
      }
    }
    return new Sample(ticks * 1_000_000L / ticksPerSecond, rss);
  }

  /** {@code utime + stime} (fields 14 and 15) of a stat line; the command name may hold spaces. */
  public static long cpuTicks(String stat) {
    String[] f = stat.substring(stat.lastIndexOf(')') + 2).trim().split(" ");
    // f[0] is field 3 (state), so field n is f[n - 3].
    return Long.parseLong(f[11]) + Long.parseLong(f[12]);
  }

  static long parentPid(String stat) {
    String[] f = stat.substring(stat.lastIndexOf(')') + 2).trim().split(" ");
    return Long.parseLong(f[1]);
  }

  static long rssKb(String status) {
    for (String line : status.split("\n")) {
      if (line.startsWith("VmRSS:")) {
        return Long.parseLong(line.substring(6).trim().split("\\s+")[0]);
      }
    }
    return 0;
  }

  private List<Long> tree(long root) throws IOException {
    List<long[]> parents = new ArrayList<>();
    try (Stream<Path> entries = Files.list(proc)) {
      for (Path e : (Iterable<Path>) entries::iterator) {
        String name = e.getFileName().toString();
        if (!name.chars().allMatch(Character::isDigit)) {
          continue;
        }
        String stat = readOrNull(e.resolve("stat"));
        if (stat != null) {
          parents.add(new long[] {Long.parseLong(name), parentPid(stat)});
        }
      }
    }
    List<Long> out = new ArrayList<>(List.of(root));
    for (int i = 0; i < out.size(); i++) {
      long p = out.get(i);
      for (long[] pp : parents) {
        if (pp[1] == p) {
          out.add(pp[0]);
        }
      }
    }
    return out;
  }

  private static String readOrNull(Path file) {
    try {
      return Files.readString(file);
    } catch (IOException | RuntimeException e) {
      return null; // the process ended between listing and reading
    }
  }
}
