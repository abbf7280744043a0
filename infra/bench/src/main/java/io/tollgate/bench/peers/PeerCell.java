package io.tollgate.bench.peers;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * One cell of {@code ./tollgate bench peers}, run by {@code infra/bench/peers.sh}:
 * <pre>
 * PeerCell max   --target T --payload json|sse --url U --body FILE [--header 'k: v']... --pid P
 *                --seconds S [--warmup-rounds K --warmup-seconds W] [--connections 64] [--pin 'taskset -c 1']
 * PeerCell fixed (same) --rate R [--warmup S] [--grace G]
 * </pre>
 * Appends its result line(s) ({@link CellRecord}) to {@code --out} and prints them. {@code --pid}
 * is the proxy process whose CPU and RSS are charged to the cell (0 = none, the direct path).
 */
public final class PeerCell {
  private PeerCell() {
  }

  public static void main(String[] args) throws Exception {
    if (args.length < 1 || !(args[0].equals("max") || args[0].equals("fixed"))) {
      usage("first argument must be max or fixed");
    }
    String mode = args[0];
    Map<String, String> opt = new HashMap<>();
    Map<String, String> headers = new LinkedHashMap<>();
    for (int i = 1; i < args.length; i++) {
      if (!args[i].startsWith("--") || i + 1 >= args.length) {
        usage("expected --name value pairs at '" + args[i] + "'");
      }
      String name = args[i].substring(2);
      String value = args[++i];
      if (name.equals("header")) {
        int colon = value.indexOf(':');
        if (colon <= 0) {
          usage("--header wants 'name: value', got '" + value + "'");
        }
        headers.put(value.substring(0, colon).trim(), value.substring(colon + 1).trim());
      } else {
        opt.put(name, value);
      }
    }
    for (String required : List.of("target", "payload", "url", "body", "seconds", "out")) {
      if (!opt.containsKey(required)) {
        usage("--" + required + " is required");
      }
    }
    LoadSpec spec = new LoadSpec(opt.get("url"),
        Files.readString(Path.of(opt.get("body")), StandardCharsets.UTF_8).strip(), headers);
    CellRecord labels = CellRecord.of(CellRecord.CELL).with("mode", mode)
        .with("target", opt.get("target")).with("payload", opt.get("payload"));
    ProcStat proc = new ProcStat(Path.of("/proc"), Long.parseLong(opt.getOrDefault("clk-tck", "100")));
    long pid = Long.parseLong(opt.getOrDefault("pid", "0"));
    int seconds = Integer.parseInt(opt.get("seconds"));
    int connections = Integer.parseInt(opt.getOrDefault("connections", "64"));
    Path out = Path.of(opt.get("out"));
    if (mode.equals("max")) {
      Path work = Path.of(opt.getOrDefault("work", System.getProperty("java.io.tmpdir")));
      List<String> pin = opt.containsKey("pin") && !opt.get("pin").isBlank()
          ? Arrays.asList(opt.get("pin").trim().split(" +")) : List.of();
      WrkRun wrk = new WrkRun(pin, proc);
      int rounds = Integer.parseInt(opt.getOrDefault("warmup-rounds", "0"));
      int warmSeconds = Integer.parseInt(opt.getOrDefault("warmup-seconds", "5"));
      for (int r = 1; r <= rounds; r++) {
        CellRecord w = wrk.run(labels, spec, connections, warmSeconds, pid, work);
        emit(out, new CellRecord(CellRecord.WARMUP, w.fields()).with("round", r));
      }
      emit(out, wrk.run(labels, spec, connections, seconds, pid, work));
    } else {
      int rate = Integer.parseInt(opt.getOrDefault("rate", "5000"));
      try (FixedRateRun run = new FixedRateRun(connections, proc)) {
        emit(out, run.run(labels, spec, rate, Integer.parseInt(opt.getOrDefault("warmup", "2")), seconds,
            Integer.parseInt(opt.getOrDefault("grace", "10")), pid));
      }
    }
    System.exit(0); // no lingering non-daemon threads (Vert.x, process pumps) may keep the cell alive
  }

  private static void emit(Path out, CellRecord r) throws IOException {
    String line = r.format();
    System.out.println(line);
    Files.writeString(out, line + "\n", StandardCharsets.UTF_8, StandardOpenOption.CREATE, StandardOpenOption.APPEND);
  }

  private static void usage(String problem) {
    System.err.println("PeerCell: " + problem);
    System.err.println("usage: PeerCell max|fixed --target T --payload P --url U --body FILE --seconds S --out FILE"
        + " [--header 'k: v']... [--pid P] [--rate R] [--warmup S] [--warmup-rounds K] [--pin 'taskset -c 1']");
    System.exit(2);
  }
}
