package io.tollgate.bench.peers;

import io.tollgate.bench.BenchSections;
import io.tollgate.ingress.publish.HandoffLog;
import io.tollgate.ingress.publish.HandoffOptions;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * {@code ./tollgate bench handoff-log [--quick] [--appends N] [--rounds R] [--out FILE]}: the
 * hand-off log alone (no Kafka, no HTTP), with segment preallocation off and on
 * ({@code tollgate.handoff.preallocate}), policy {@code group}: {@code N} appends of a usage
 * event's size with 1 outstanding (calls ending one at a time, each its own group and fdatasync:
 * a gateway at a steady rate) and with 16 (calls ending together). Rounds alternate off/on, so
 * the drift of a shared machine is not charged to one side; each row is the median round. CPU is
 * this process's (the caller, the writer and the preallocating thread), per append. The log
 * writes under {@code .tollgate/bench/} (the disk a gateway's spill directory would be on, not a
 * tmpfs {@code /tmp}). Writes its section of BENCHMARKS.md; {@code --quick} (a smoke run) writes a
 * temporary file.
 */
public final class HandoffLogBench {
  static final String BEGIN = "<!-- bench-handoff-log:begin (written by ./tollgate bench handoff-log; edit the bench, not the numbers) -->";
  static final String END = "<!-- bench-handoff-log:end -->";
  /** A usage event as the gateway frames it is ~600-800 bytes. */
  static final int VALUE_BYTES = 700;

  private HandoffLogBench() {
  }

  /** One measured round. */
  record Round(int outstanding, boolean preallocate, int appends, double seconds, double cpuMicrosPerAppend,
               double p50Ms, double p99Ms, double fsyncsPerAppend, long preallocatedSegments) {
    double appendsPerSecond() {
      return appends / seconds;
    }
  }

  public static void main(String[] args) throws Exception {
    for (int i = 0; i < args.length; i++) {
      if (args[i].equals("--quick")) {
        continue;
      }
      if (!List.of("--appends", "--rounds", "--out").contains(args[i]) || i + 1 >= args.length) {
        System.err.println("usage: ./tollgate bench handoff-log [--quick] [--appends N] [--rounds R] [--out FILE]");
        System.exit(2);
      }
      i++;
    }
    boolean quick = Arrays.asList(args).contains("--quick");
    int appends = Integer.parseInt(option(args, "--appends", quick ? "3000" : "100000"));
    int rounds = Integer.parseInt(option(args, "--rounds", quick ? "1" : "3"));
    Path root = Path.of("").toAbsolutePath();
    Path work = Files.createDirectories(root.resolve(".tollgate/bench/handoff-log"));
    Path out = Path.of(option(args, "--out", quick ? Files.createTempFile("tollgate-handoff-log", ".md").toString()
        : root.resolve("BENCHMARKS.md").toString()));
    String command = "./tollgate bench handoff-log" + (args.length == 0 ? "" : " " + String.join(" ", args));
    // 64 KB segments for the smoke run, so it preallocates too.
    long segmentBytes = quick ? 64 * 1024 : HandoffOptions.DEFAULT_SEGMENT_BYTES;
    String load = Cpus.loadAverage();
    long started = System.nanoTime();
    List<Round> measured = new ArrayList<>();
    for (int outstanding : new int[] {1, 16}) {
      measure(work, segmentBytes, outstanding, Math.min(appends, 5_000), false); // warm-up: JIT, the disk
      for (int r = 0; r < rounds; r++) {
        for (boolean pre : r % 2 == 0 ? new boolean[] {false, true} : new boolean[] {true, false}) {
          Round round = measure(work, segmentBytes, outstanding, appends, pre);
          System.out.printf(Locale.ROOT, "bench handoff-log: %d outstanding, preallocate %s: %.0f appends/s, %.1f µs CPU"
                  + " per append, p99 %.2f ms%n", outstanding, pre, round.appendsPerSecond(), round.cpuMicrosPerAppend(),
              round.p99Ms());
          measured.add(round);
        }
      }
    }
    String section = BEGIN + "\n" + render(ZonedDateTime.now(ZoneOffset.UTC).format(DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm")),
        command, Cpus.machine(Files.getFileStore(work).type() + " filesystem"), load + " at the start, " + Cpus.loadAverage()
            + " at the end", appends, rounds, segmentBytes, measured, (System.nanoTime() - started) / 1e9) + END + "\n";
    String old = Files.exists(out) ? Files.readString(out, StandardCharsets.UTF_8) : "";
    Files.writeString(out, BenchSections.replace(old, BEGIN, END, section), StandardCharsets.UTF_8);
    System.out.println("bench handoff-log: wrote its section of " + out);
    if (quick && measured.stream().anyMatch(r -> r.preallocate() && r.preallocatedSegments() == 0)) {
      System.err.println("bench handoff-log: a round with preallocation on used no preallocated segment");
      System.exit(1);
    }
  }

  private static Round measure(Path work, long segmentBytes, int outstanding, int appends, boolean preallocate)
      throws Exception {
    Path dir = Files.createTempDirectory(work, "log");
    HandoffOptions options = new HandoffOptions(HandoffOptions.Fsync.GROUP, HandoffOptions.DEFAULT_FSYNC_INTERVAL_MS,
        segmentBytes, HandoffOptions.DEFAULT_MEMORY_BYTES, 0, preallocate);
    com.sun.management.OperatingSystemMXBean os =
        (com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();
    byte[] value = new byte[VALUE_BYTES];
    long[] latency = new long[appends];
    Semaphore window = new Semaphore(outstanding);
    try (HandoffLog log = new HandoffLog(dir, options)) {
      log.startWithoutSender();
      long fsyncs0 = log.fsyncs();
      long cpu0 = os.getProcessCpuTime();
      long t0 = System.nanoTime();
      for (int i = 0; i < appends; i++) {
        window.acquire();
        int n = i;
        long sent = System.nanoTime();
        CompletableFuture<Void> done = log.append("bench-" + i, value);
        done.whenComplete((ok, error) -> {
          latency[n] = System.nanoTime() - sent;
          window.release();
        });
      }
      if (!window.tryAcquire(outstanding, 60, TimeUnit.SECONDS)) {
        throw new IllegalStateException("appends did not complete within 60 s");
      }
      double seconds = (System.nanoTime() - t0) / 1e9;
      double cpu = (os.getProcessCpuTime() - cpu0) / 1e3 / appends;
      Arrays.sort(latency);
      return new Round(outstanding, preallocate, appends, seconds, cpu, quantile(latency, 0.50), quantile(latency, 0.99),
          (double) (log.fsyncs() - fsyncs0) / appends, log.preallocatedSegments());
    } finally {
      deleteTree(dir);
    }
  }

  /** The section's Markdown (pure): per outstanding count, the median round of each side and on ÷ off. */
  static String render(String date, String command, String machine, String load, int appends, int rounds,
                       long segmentBytes, List<Round> measured, double runSeconds) {
    StringBuilder md = new StringBuilder();
    md.append(String.format(Locale.ROOT, "Date: %s UTC. Command: `%s`.%n%nMachine: %s. Load average (1 min): %s."
        + " %,d appends of %d bytes per round, %d round(s) per side alternating, segments of %d MB; each row is the"
        + " median round by CPU per append.%n%n", date, command, machine, load, appends, VALUE_BYTES, rounds,
        segmentBytes >> 20));
    md.append("| outstanding | preallocate | appends/s | CPU µs/append | p50 ms | p99 ms | fsyncs/append"
        + " | preallocated segments |\n|---|---|---|---|---|---|---|---|\n");
    List<String> ratios = new ArrayList<>();
    for (int outstanding : measured.stream().map(Round::outstanding).distinct().toList()) {
      Round off = median(measured, outstanding, false);
      Round on = median(measured, outstanding, true);
      for (Round r : new Round[] {off, on}) {
        if (r != null) {
          md.append(String.format(Locale.ROOT, "| %d | %s | %,.0f | %.1f | %.3f | %.3f | %.3f | %d |%n", r.outstanding(),
              r.preallocate() ? "on" : "off", r.appendsPerSecond(), r.cpuMicrosPerAppend(), r.p50Ms(), r.p99Ms(),
              r.fsyncsPerAppend(), r.preallocatedSegments()));
        }
      }
      if (off != null && on != null) {
        ratios.add(String.format(Locale.ROOT, "%d outstanding: preallocated, %.2f× the appends per second at %.2f× the"
                + " CPU per append (p50 %.2f×)", outstanding, on.appendsPerSecond() / off.appendsPerSecond(),
            on.cpuMicrosPerAppend() / off.cpuMicrosPerAppend(), on.p50Ms() / off.p50Ms()));
      }
    }
    md.append('\n');
    ratios.forEach(r -> md.append("- ").append(r).append(".\n"));
    md.append(String.format(Locale.ROOT, "- Harness run time: %.0f s.%n", runSeconds));
    return md.toString();
  }

  private static Round median(List<Round> measured, int outstanding, boolean preallocate) {
    List<Round> side = measured.stream().filter(r -> r.outstanding() == outstanding && r.preallocate() == preallocate)
        .sorted(Comparator.comparingDouble(Round::cpuMicrosPerAppend)).toList();
    return side.isEmpty() ? null : side.get(side.size() / 2);
  }

  private static double quantile(long[] sorted, double q) {
    return sorted[(int) Math.min(sorted.length - 1, Math.round(q * (sorted.length - 1)))] / 1e6;
  }

  private static String option(String[] args, String name, String fallback) {
    for (int i = 0; i + 1 < args.length; i++) {
      if (args[i].equals(name)) {
        return args[i + 1];
      }
    }
    return fallback;
  }


  private static void deleteTree(Path dir) throws IOException {
    try (Stream<Path> files = Files.walk(dir)) {
      for (Path p : files.sorted(Comparator.reverseOrder()).toList()) {
        Files.deleteIfExists(p);
      }
    }
  }
}
