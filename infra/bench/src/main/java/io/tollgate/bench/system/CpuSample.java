package io.tollgate.bench.system;

import io.tollgate.bench.peers.ProcStat;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

/**
 * One reading of where the CPU went, from Linux {@code /proc}: the launcher JVM per thread group
 * (thread names with their numbers folded, e.g. {@code vert.x-eventloo}, {@code kafka-producer-},
 * {@code C2 CompilerThre}: the kernel keeps 15 characters), the ClickHouse server, this JVM (the
 * load generator and the pollers) and the whole machine. Differences of two readings give the
 * cores each used in between.
 *
 * @param atNanos     System.nanoTime of the reading
 * @param threads     launcher JVM: thread group → CPU µs so far (threads that ended are gone)
 * @param launcherUs  launcher JVM process CPU µs (its own stat: ended threads included)
 * @param clickhouseUs ClickHouse server processes, CPU µs
 * @param selfUs      this JVM, CPU µs
 * @param machineBusyUs all CPUs busy (not idle, not iowait), µs
 * @param machineAllUs all CPUs, µs
 */
record CpuSample(long atNanos, Map<String, Long> threads, long launcherUs, long clickhouseUs, long selfUs,
                 long machineBusyUs, long machineAllUs) {
  private static final long TICK_US = 10_000; // CLK_TCK 100 on Linux

  static CpuSample read(long launcherPid, List<Long> clickhousePids) {
    long now = System.nanoTime();
    Map<String, Long> threads = new HashMap<>();
    Path tasks = Path.of("/proc", Long.toString(launcherPid), "task");
    try (Stream<Path> list = Files.list(tasks)) {
      for (Path t : (Iterable<Path>) list::iterator) {
        String stat = read(t.resolve("stat"));
        if (stat != null) {
          threads.merge(group(stat.substring(stat.indexOf('(') + 1, stat.lastIndexOf(')'))),
              ProcStat.cpuTicks(stat) * TICK_US, Long::sum);
        }
      }
    } catch (IOException | RuntimeException e) {
      // the launcher is gone: an empty reading
    }
    long ch = 0;
    for (long pid : clickhousePids) {
      ch += ticks(pid) * TICK_US;
    }
    long[] machine = machine();
    return new CpuSample(now, threads, ticks(launcherPid) * TICK_US, ch, ticks(ProcessHandle.current().pid()) * TICK_US,
        machine[0], machine[1]);
  }

  /**
   * A thread name with its numbers folded into '#', so the threads of one pool add up; the JIT's
   * {@code C1 CompilerThre} and {@code C2 CompilerThre} keep theirs.
   */
  static String group(String comm) {
    if (isJit(comm)) {
      return comm.substring(0, 2) + comm.substring(2).replaceAll("[0-9]+", "#").strip();
    }
    return comm.replaceAll("[0-9]+", "#").strip();
  }

  /** A JIT compiler thread: {@code C2 CompilerThre} before JDK 25, {@code C2CompilerThre} since. */
  static boolean isJit(String comm) {
    return comm.startsWith("C1 Compiler") || comm.startsWith("C2 Compiler") || comm.startsWith("C1Compiler")
        || comm.startsWith("C2Compiler");
  }

  private static long ticks(long pid) {
    String stat = read(Path.of("/proc", Long.toString(pid), "stat"));
    return stat == null ? 0 : ProcStat.cpuTicks(stat);
  }

  /** [busy, all] µs of every CPU from the first line of /proc/stat. */
  private static long[] machine() {
    String stat = read(Path.of("/proc/stat"));
    if (stat == null) {
      return new long[] {0, 0};
    }
    String[] f = stat.substring(0, stat.indexOf('\n')).trim().split("\\s+");
    long all = 0;
    for (int i = 1; i < Math.min(f.length, 9); i++) { // user nice system idle iowait irq softirq steal
      all += Long.parseLong(f[i]);
    }
    long idle = Long.parseLong(f[4]) + Long.parseLong(f[5]);
    return new long[] {(all - idle) * TICK_US, all * TICK_US};
  }

  private static String read(Path file) {
    try {
      return Files.readString(file);
    } catch (IOException | RuntimeException e) {
      return null;
    }
  }
}
