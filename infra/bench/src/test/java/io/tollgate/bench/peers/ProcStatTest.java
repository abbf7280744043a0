package io.tollgate.bench.peers;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ProcStatTest {
  @TempDir
  Path proc;

  private void process(long pid, long ppid, String comm, long utime, long stime, long rssKb) throws IOException {
    Path dir = Files.createDirectories(proc.resolve(Long.toString(pid)));
    // Fields from 3 on: state ppid pgrp session tty tpgid flags minflt cminflt majflt cmajflt utime stime ...
    Files.writeString(dir.resolve("stat"), pid + " (" + comm + ") S " + ppid + " 1 1 0 -1 4194560 10 0 0 0 "
        + utime + " " + stime + " 0 0 20 0 1 0 100 1000 250\n");
    Files.writeString(dir.resolve("status"), "Name:\t" + comm + "\nVmRSS:\t  " + rssKb + " kB\nThreads:\t1\n");
  }

  @Test
  void sumsAProcessAndItsDescendantsOnly() throws IOException {
    process(100, 1, "nginx", 5, 5, 2000);
    process(101, 100, "nginx: worker (a) b", 200, 100, 6000);
    process(102, 101, "helper", 1, 0, 100);
    process(200, 1, "unrelated", 999, 999, 99999);
    Files.createDirectories(proc.resolve("self"));
    ProcStat.Sample s = new ProcStat(proc, 100).read(100);
    assertThat(s.cpuMicros()).isEqualTo((10 + 300 + 1) * 10_000L);
    assertThat(s.rssKb()).isEqualTo(8100);
  }

  private void thread(long pid, long tid, String comm, long utime, long stime) throws IOException {
    Path dir = Files.createDirectories(proc.resolve(Long.toString(pid)).resolve("task").resolve(Long.toString(tid)));
    Files.writeString(dir.resolve("stat"), tid + " (" + comm + ") S 1 1 1 0 -1 4194560 10 0 0 0 "
        + utime + " " + stime + " 0 0 20 0 1 0 100 1000 250\n");
    Files.writeString(dir.resolve("comm"), comm + "\n");
  }

  @Test
  void threadsAreSummedByGroup() throws IOException {
    process(300, 1, "java", 100, 50, 1000);
    thread(300, 301, "vert.x-eventloo", 40, 10);
    thread(300, 302, "vert.x-eventloo", 5, 0);
    thread(300, 303, "usage-handoff-w", 2, 20);
    thread(300, 304, "usage-handoff-p", 1, 1);
    thread(300, 305, "C2 CompilerThre", 30, 0);
    thread(300, 306, "VM Thread", 3, 0);
    thread(300, 307, "main", 1, 0);
    ProcStat.Sample s = new ProcStat(proc, 100).read(300);
    assertThat(s.threadMicros()).containsEntry("event_loop", 550_000L).containsEntry("handoff_writer", 240_000L)
        .containsEntry("jit", 300_000L).containsEntry("gc_vm", 30_000L).containsEntry("other", 10_000L)
        .doesNotContainKey("kafka_producer");
    assertThat(ProcStat.THREAD_GROUPS).containsAll(s.threadMicros().keySet());
  }

  @Test
  void noPidReadsAsZero() throws IOException {
    assertThat(new ProcStat(proc, 100).read(0)).isEqualTo(new ProcStat.Sample(0, 0));
  }

  @Test
  void readsThisJvm() throws IOException {
    ProcStat.Sample s = new ProcStat(Path.of("/proc"), 100).read(ProcessHandle.current().pid());
    assertThat(s.rssKb()).isPositive();
  }
}
