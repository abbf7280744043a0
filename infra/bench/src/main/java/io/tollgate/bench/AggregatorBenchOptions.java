package io.tollgate.bench;

import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/** The flags of {@code ./tollgate bench aggregator} ({@link AggregatorBench}), parsed and checked. */
public record AggregatorBenchOptions(int events, List<Integer> rates, int seconds, List<String> variants, int scalePartitions,
               boolean scale, boolean jfr, int maxMinutes, Map<String, String> streams, String command) {
static AggregatorBenchOptions parse(String[] args) {
    int events = 1_000_000;
    List<Integer> rates = List.of(5_000, 20_000);
    int seconds = 20;
    List<String> variants = List.of("per-event", "pre-aggregated");
    int partitions = 6;
    boolean scale = true;
    boolean jfr = true;
    int maxMinutes = 12;
    boolean quick = false;
    boolean eventsSet = false;
    boolean secondsSet = false;
    Map<String, String> streams = new TreeMap<>();
    for (int i = 0; i < args.length; i++) {
      String a = args[i];
      switch (a) {
        case "--quick" -> quick = true;
        case "--no-scale" -> scale = false;
        case "--no-jfr" -> jfr = false;
        case "--events" -> {
          events = Integer.parseInt(value(args, ++i, a));
          eventsSet = true;
        }
        case "--seconds" -> {
          seconds = Integer.parseInt(value(args, ++i, a));
          secondsSet = true;
        }
        case "--rates" -> rates = java.util.Arrays.stream(value(args, ++i, a).split(",")).map(Integer::parseInt)
            .toList();
        case "--variants" -> variants = List.of(value(args, ++i, a).split(","));
        case "--scale-partitions" -> partitions = Integer.parseInt(value(args, ++i, a));
        case "--max-minutes" -> maxMinutes = Integer.parseInt(value(args, ++i, a));
        case "--streams" -> {
          for (String kv : value(args, ++i, a).split(",")) {
            int eq = kv.indexOf('=');
            if (eq < 1) {
              throw new IllegalArgumentException("--streams wants name=value[,name=value]: '" + kv + "'");
            }
            streams.put(kv.substring(0, eq), kv.substring(eq + 1));
          }
        }
        default -> throw new IllegalArgumentException("unknown option '" + a + "' (--events N, --rates R1,R2, "
            + "--seconds S, --variants per-event,pre-aggregated-200ms,pre-aggregated-write-through,pre-aggregated-1s,pre-aggregated, --scale-partitions P, --no-scale, --no-jfr, "
            + "--max-minutes M, --streams name=value,..., --quick)");
      }
    }
    if (quick) {
      events = eventsSet ? events : 200_000;
      seconds = secondsSet ? seconds : 10;
    }
    if (new java.util.HashSet<>(variants).size() != variants.size()) {
      // each variant has its own broker directory and ClickHouse database: a second run of one would
      // find the first one's rows and never see its exact totals
      throw new IllegalArgumentException("--variants names each variant once: " + variants);
    }
    for (String v : variants) {
      if (!AggregatorBench.VARIANTS.containsKey(v)) {
        throw new IllegalArgumentException("unknown variant '" + v + "' (per-event, pre-aggregated-200ms, pre-aggregated-write-through, pre-aggregated-1s, pre-aggregated)");
      }
    }
    if (events < 1 || seconds < 1 || partitions < 1 || maxMinutes < 1 || rates.stream().anyMatch(r -> r < 1)) {
      throw new IllegalArgumentException("events, seconds, rates, partitions and minutes must be positive");
    }
    return new AggregatorBenchOptions(events, rates, seconds, variants, partitions, scale, jfr, maxMinutes, Map.copyOf(streams),
        "./tollgate bench aggregator" + (args.length == 0 ? "" : " " + String.join(" ", args)));
  }

  /**
   * A tenth of the backlog (at least 20,000 events), no freshness, no profile: run once per variant
   * before the measured runs so that none of them pays this JVM's JIT warm-up of its code alone.
   */
  AggregatorBenchOptions warmUp() {
    return new AggregatorBenchOptions(Math.max(20_000, events / 10), List.of(), seconds, variants, scalePartitions, false, false,
        maxMinutes, streams, command);
  }

  private static String value(String[] args, int i, String flag) {
    if (i >= args.length) {
      throw new IllegalArgumentException(flag + " needs a value");
    }
    return args[i];
  }
}
