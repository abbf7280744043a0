package io.tollgate.bench.peers;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
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

  /**
   * What one reading saw: summed user+system CPU in microseconds, summed RSS in kB, and the CPU
   * of the threads by {@link #threadGroup} (microseconds; empty when {@code /proc/<pid>/task} is not there).
   */
  public record Sample(long cpuMicros, long rssKb, Map<String, Long> threadMicros) {
    public Sample {
      threadMicros = Map.copyOf(threadMicros);
    }

    public Sample(long cpuMicros, long rssKb) {
      this(cpuMicros, rssKb, Map.of());
    }
  }

  /** The thread groups a Tollgate gateway's CPU is reported by, in table order; the rest is {@code other}. */
  public static final List<String> THREAD_GROUPS = List.of("event_loop", "handoff_writer", "handoff_sender",
      "kafka_producer", "jit", "gc_vm", "other");

  /**
   * The group of a thread by its name as {@code /proc/.../comm} has it (15 characters at most):
   * Vert.x event loops, the hand-off log's writer (with its segment preallocation), its sender
   * (and the {@code interval_ms} syncer), the Kafka producer's I/O thread, the JIT compilers, and
   * the VM thread with the GC threads (the Serial GC a one-core JVM picks collects in the VM thread).
   */
  static String threadGroup(String comm) {
    if (comm.startsWith("vert.x-eventloo")) {
      return "event_loop";
    } else if (comm.startsWith("usage-handoff-w") || comm.startsWith("usage-handoff-p")) {
      return "handoff_writer";
    } else if (comm.startsWith("usage-handoff-s")) {
      return "handoff_sender";
    } else if (comm.startsWith("kafka-producer-")) {
      return "kafka_producer";
    } else if (comm.startsWith("C1 CompilerThre") || comm.startsWith("C2 CompilerThre")) {
      return "jit";
    } else if (comm.equals("VM Thread") || comm.startsWith("GC Thread") || comm.startsWith("G1 ")) {
      return "gc_vm";
    }
    return "other";
  }

  /** Sums over {@code pid} and every live descendant; a pid of 0 or less reads as zeros. */
  public Sample read(long pid) throws IOException {
    if (pid <= 0) {
      return new Sample(0, 0);
    }
    long ticks = 0;
    long rss = 0;
    Map<String, Long> threads = new TreeMap<>();
    for (long p : tree(pid)) {
      Path dir = proc.resolve(Long.toString(p));
      String stat = readOrNull(dir.resolve("stat"));
      if (stat != null) {
        ticks += cpuTicks(stat);
      }
      String status = readOrNull(dir.resolve("status"));
      if (status != null) {
        rss += rssKb(status);
      }
      threadTicks(dir.resolve("task"), threads);
    }
    threads.replaceAll((group, t) -> t * 1_000_000L / ticksPerSecond);
    return new Sample(ticks * 1_000_000L / ticksPerSecond, rss, threads);
  }

  /** Adds each thread's ticks under {@code task} to its group. */
  private static void threadTicks(Path task, Map<String, Long> into) {
    if (!Files.isDirectory(task)) {
      return;
    }
    try (Stream<Path> tids = Files.list(task)) {
      for (Path t : (Iterable<Path>) tids::iterator) {
        String stat = readOrNull(t.resolve("stat"));
        String comm = readOrNull(t.resolve("comm"));
        if (stat != null && comm != null) {
          into.merge(threadGroup(comm.strip()), cpuTicks(stat), Long::sum);
        }
      }
    } catch (IOException | RuntimeException e) {
      // the process ended while its threads were listed: what was read stands
    }
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
