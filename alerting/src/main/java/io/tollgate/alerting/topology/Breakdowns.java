package io.tollgate.alerting.topology;

import io.tollgate.alerting.rules.Period;
import java.math.BigDecimal;
import java.math.RoundingMode;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Collectors;
import org.apache.kafka.streams.state.KeyValueStore;

/**
 * Spend of a scope id in a period by model and by tool, so an alert can say what is behind it
 * ("top models", "top tools"). Kept in a state store as lines {@code m<TAB>name<TAB>nanos}; at most
 * {@link #MAX_NAMES} names per kind, the rest summed under {@code (other)}.
 */
final class Breakdowns {
  static final int MAX_NAMES = 50;
  private static final String OTHER = "(other)";
  private final KeyValueStore<String, String> store;

  Breakdowns(KeyValueStore<String, String> store) {
    this.store = store;
  }

  void add(Period period, SpendUpdate u, long deltaNanos) {
    if (u.model().isEmpty() && u.tool().isEmpty()) {
      return; // key totals: no model or tool to attribute
    }
    String key = key(period, u.scopeId(), period.start(u.start()));
    Map<String, Long> models = new TreeMap<>();
    Map<String, Long> tools = new TreeMap<>();
    decode(store.get(key), models, tools);
    bump(models, u.model(), deltaNanos);
    bump(tools, u.tool(), deltaNanos);
    StringBuilder out = new StringBuilder();
    models.forEach((name, nanos) -> out.append("m\t").append(name).append('\t').append(nanos).append('\n'));
    tools.forEach((name, nanos) -> out.append("t\t").append(name).append('\t').append(nanos).append('\n'));
    store.put(key, out.toString());
  }

  /** {@code top_models} and {@code top_tools} (three each, with USD), empty when nothing is known. */
  Map<String, String> details(Period period, String scopeId, Instant periodStart) {
    Map<String, Long> models = new TreeMap<>();
    Map<String, Long> tools = new TreeMap<>();
    decode(store.get(key(period, scopeId, periodStart)), models, tools);
    Map<String, String> details = new LinkedHashMap<>();
    if (!models.isEmpty()) {
      details.put("top_models", top(models));
    }
    if (!tools.isEmpty()) {
      details.put("top_tools", top(tools));
    }
    return details;
  }

  void purge(long beforeMs) {
    ScopeProcessor.purge(store, (k, v) -> Long.parseLong(k.substring(k.lastIndexOf('|') + 1)) < beforeMs);
  }

  private static String key(Period period, String scopeId, Instant start) {
    return period.name() + "|" + scopeId + "|" + start.toEpochMilli();
  }

  private static void bump(Map<String, Long> spend, String name, long delta) {
    String n = name.isEmpty() ? "(none)" : name.replace('\t', ' ').replace('\n', ' ');
    if (!spend.containsKey(n) && spend.size() >= MAX_NAMES) {
      n = OTHER;
    }
    spend.merge(n, delta, Long::sum);
  }

  private static void decode(String text, Map<String, Long> models, Map<String, Long> tools) {
    if (text == null) {
      return;
    }
    for (String line : text.split("\n")) {
      String[] p = line.split("\t");
      if (p.length == 3) {
        (p[0].equals("m") ? models : tools).put(p[1], Long.parseLong(p[2]));
      }
    }
  }

  private static String top(Map<String, Long> spend) {
    return spend.entrySet().stream().sorted(Map.Entry.<String, Long>comparingByValue().reversed()).limit(3)
        .map(e -> e.getKey() + " $" + BigDecimal.valueOf(e.getValue(), 9).setScale(2, RoundingMode.HALF_UP).toPlainString())
        .collect(Collectors.joining(", "));
  }
}
