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
 * The cells of one target of {@code ./tollgate bench peers}, run by {@code infra/bench/peers.sh}
 * while that target's proxy is up: for each payload, maximum throughput (wrk, after optional
 * warm-up rounds), then the fixed rate. One JVM per target, so the generator's own JIT is warm by
 * the later cells.
 * <pre>
 * PeerCell --target T --payloads json,sse --pid P --out FILE
 *          --url-json U --body-json FILE [--header-json 'k: v']...   (likewise -sse)
 *          [--header 'k: v']... --max-seconds S --fixed-seconds S --rate R
 *          [--warmup-rounds K --warmup-seconds W] [--warmup-rounds-after K2] [--fixed-warmup S] [--grace G]
 *          [--self-warmup S --self-warmup-reply FILE] [--connections 64] [--pin 'taskset -c 1'] [--clk-tck 100]
 *          [--work DIR]
 * </pre>
 * Appends its result lines ({@link CellRecord}) to {@code --out} and prints them. {@code --pid}
 * is the proxy process whose CPU and RSS are charged to the cells (0 = none: the direct path).
 * {@code --warmup-rounds-after} (default: {@code --warmup-rounds}) is the warm-up of every payload
 * after the first: the proxy's code shared by both payloads is warm by then.
 */
public final class PeerCell {
  private PeerCell() {
  }

  public static void main(String[] args) throws Exception {
    Map<String, String> opt = new HashMap<>();
    Map<String, Map<String, String>> headers = Map.of("", new LinkedHashMap<>(), "json", new LinkedHashMap<>(),
        "sse", new LinkedHashMap<>());
    for (int i = 0; i < args.length; i++) {
      if (!args[i].startsWith("--") || i + 1 >= args.length) {
        usage("expected --name value pairs at '" + args[i] + "'");
      }
      String name = args[i].substring(2);
      String value = args[++i];
      if (name.startsWith("header")) {
        int colon = value.indexOf(':');
        Map<String, String> into = headers.get(name.replaceFirst("^header-?", ""));
        if (colon <= 0 || into == null) {
          usage("--header[-json|-sse] wants 'name: value', got --" + name + " '" + value + "'");
        }
        into.put(value.substring(0, colon).trim(), value.substring(colon + 1).trim());
      } else {
        opt.put(name, value);
      }
    }
    for (String required : List.of("target", "payloads", "out", "max-seconds", "fixed-seconds")) {
      if (!opt.containsKey(required)) {
        usage("--" + required + " is required");
      }
    }
    ProcStat proc = new ProcStat(Path.of("/proc"), Long.parseLong(opt.getOrDefault("clk-tck", "100")));
    long pid = Long.parseLong(opt.getOrDefault("pid", "0"));
    int connections = Integer.parseInt(opt.getOrDefault("connections", "64"));
    Path out = Path.of(opt.get("out"));
    Path work = Path.of(opt.getOrDefault("work", System.getProperty("java.io.tmpdir")));
    List<String> pin = opt.getOrDefault("pin", "").isBlank() ? List.of() : Arrays.asList(opt.get("pin").trim().split(" +"));
    WrkRun wrk = new WrkRun(pin, proc);
    int rounds = Integer.parseInt(opt.getOrDefault("warmup-rounds", "0"));
    int roundsAfter = Integer.parseInt(opt.getOrDefault("warmup-rounds-after", String.valueOf(rounds)));
    int roundSeconds = Integer.parseInt(opt.getOrDefault("warmup-seconds", "5"));
    int rate = Integer.parseInt(opt.getOrDefault("rate", "5000"));
    try (FixedRateRun fixed = new FixedRateRun(connections, proc)) {
      if (opt.containsKey("self-warmup-reply")) {
        progress("generator warm-up");
        fixed.warmSelf(new LoadSpec("http://unused", Files.readString(Path.of(opt.get("body-json"))), headers.get("")),
            rate, Integer.parseInt(opt.getOrDefault("self-warmup", "3")),
            Files.readString(Path.of(opt.get("self-warmup-reply")), StandardCharsets.UTF_8));
      }
      int warmups = rounds;
      for (String payload : opt.get("payloads").split(",")) {
        if (!opt.containsKey("url-" + payload) || !opt.containsKey("body-" + payload)) {
          usage("--url-" + payload + " and --body-" + payload + " are required");
        }
        Map<String, String> h = new LinkedHashMap<>(headers.get(""));
        h.putAll(headers.get(payload));
        LoadSpec spec = new LoadSpec(opt.get("url-" + payload),
            Files.readString(Path.of(opt.get("body-" + payload)), StandardCharsets.UTF_8).strip(), h);
        CellRecord labels = CellRecord.of(CellRecord.CELL).with("target", opt.get("target")).with("payload", payload);
        progress(opt.get("target") + " " + payload + " max");
        for (int r = 1; r <= warmups; r++) {
          CellRecord w = wrk.run(labels.with("mode", "max"), spec, connections, roundSeconds, pid, work);
          emit(out, new CellRecord(CellRecord.WARMUP, w.fields()).with("round", r));
        }
        warmups = roundsAfter;
        emit(out, wrk.run(labels.with("mode", "max"), spec, connections,
            Integer.parseInt(opt.get("max-seconds")), pid, work));
        progress(opt.get("target") + " " + payload + " fixed");
        emit(out, fixed.run(labels.with("mode", "fixed"), spec, rate,
            Integer.parseInt(opt.getOrDefault("fixed-warmup", "2")), Integer.parseInt(opt.get("fixed-seconds")),
            Integer.parseInt(opt.getOrDefault("grace", "10")), pid));
      }
    }
    System.exit(0); // no lingering non-daemon threads (Vert.x, process pumps) may keep the cells alive
  }

  private static void progress(String what) {
    System.err.println("bench peers: " + java.time.LocalTime.now().withNano(0) + " " + what);
  }

  private static void emit(Path out, CellRecord r) throws IOException {
    String line = r.format();
    System.out.println(line);
    Files.writeString(out, line + "\n", StandardCharsets.UTF_8, StandardOpenOption.CREATE, StandardOpenOption.APPEND);
  }

  private static void usage(String problem) {
    System.err.println("PeerCell: " + problem);
    System.err.println("usage: PeerCell --target T --payloads json,sse --out FILE --max-seconds S --fixed-seconds S"
        + " --url-json U --body-json FILE [--url-sse U --body-sse FILE] [--header[-json|-sse] 'k: v']... [--pid P]"
        + " [--rate R] [--fixed-warmup S] [--grace G] [--warmup-rounds K --warmup-seconds W] [--warmup-rounds-after K2] [--pin 'taskset -c 1']");
    System.exit(2);
  }
}
