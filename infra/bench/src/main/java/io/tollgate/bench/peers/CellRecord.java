package io.tollgate.bench.peers;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/**
 * One measured cell (or one warm-up round) as a single line of {@code key=value} words after a
 * tag, so the script can append lines from separate processes to one results file and the report
 * reads them back: {@code CELL mode=max payload=json target=nginx requests=... p99_us=...}.
 * Values never contain spaces or '='; a value that would is rejected.
 */
public record CellRecord(String tag, Map<String, String> fields) {
  public static final String CELL = "CELL";
  public static final String WARMUP = "WARMUP";
  /** The gateway's own count of usage events after a target's cells (published, spilled). */
  public static final String EVENTS = "EVENTS";
  /** The usage tap alone, per build ({@link TapBench}). */
  public static final String TAP = "TAP";

  public CellRecord {
    fields = Map.copyOf(fields);
  }

  /** Builder-style: a copy with one more field. */
  public CellRecord with(String key, Object value) {
    String v = String.valueOf(value);
    if (v.isEmpty() || v.contains(" ") || v.contains("=") || key.contains(" ") || key.contains("=")) {
      throw new IllegalArgumentException("bad field " + key + "=" + v);
    }
    Map<String, String> next = new LinkedHashMap<>(fields);
    next.put(key, v);
    return new CellRecord(tag, next);
  }

  public static CellRecord of(String tag) {
    return new CellRecord(tag, Map.of());
  }

  public String get(String key) {
    String v = fields.get(key);
    if (v == null) {
      throw new IllegalArgumentException(tag + " line has no " + key + ": " + fields);
    }
    return v;
  }

  public Optional<String> find(String key) {
    return Optional.ofNullable(fields.get(key));
  }

  public long getLong(String key) {
    return Long.parseLong(get(key));
  }

  public double getDouble(String key) {
    return Double.parseDouble(get(key));
  }

  /** The line, keys in a stable order (sorted) so files diff well. */
  public String format() {
    StringBuilder out = new StringBuilder(tag);
    fields.entrySet().stream().sorted(Map.Entry.comparingByKey())
        .forEach(e -> out.append(' ').append(e.getKey()).append('=').append(e.getValue()));
    return out.toString();
  }

  /** Parses a line written by {@link #format()}; other lines (log output) give empty. */
  public static Optional<CellRecord> parse(String line) {
    String[] words = line.trim().split(" +");
    if (words.length == 0 || !(words[0].equals(CELL) || words[0].equals(WARMUP) || words[0].equals(EVENTS)
        || words[0].equals(TAP))) {
      return Optional.empty();
    }
    Map<String, String> fields = new LinkedHashMap<>();
    for (int i = 1; i < words.length; i++) {
      int eq = words[i].indexOf('=');
      if (eq <= 0) {
        return Optional.empty();
      }
      fields.put(words[i].substring(0, eq), words[i].substring(eq + 1));
    }
    return Optional.of(new CellRecord(words[0], fields));
  }
}
