package io.tollgate.aggregator.retention;

import io.prometheus.metrics.core.metrics.Counter;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import io.tollgate.schemas.clickhouse.ClickHouseClient;
import io.tollgate.schemas.clickhouse.ClickHouseException;
import java.time.Clock;
import java.time.YearMonth;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeSet;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Keeps {@code usage_events} to the last N calendar months (UTC, the current one included) by
 * dropping whole monthly partitions ({@code PARTITION BY toYYYYMM(ts)}): {@code ALTER TABLE …
 * DROP PARTITION 202611} is valid on ClickHouse 18.16, which has no TTL, and on current servers,
 * and costs nothing per row. Partitions are listed from {@code system.parts}; only names of the
 * form YYYYMM are ever dropped. A failure is logged and counted and tried again next time: it
 * never stops the aggregator. The spend windows are not touched (they are small and what
 * dashboards read).
 */
public final class UsageRetention {
  private static final Logger LOG = LoggerFactory.getLogger(UsageRetention.class);
  static final String TABLE = "usage_events";
  private static final Pattern MONTH = Pattern.compile("[0-9]{6}");
  private final ClickHouseClient clickhouse;
  private final int months;
  private final Clock clock;
  private final Counter dropped;
  private final Counter failures;

  /**
   * @param months calendar months kept, at least 1 (the current month is never dropped)
   */
  public UsageRetention(ClickHouseClient clickhouse, int months, Clock clock, PrometheusRegistry registry) {
    if (months < 1) {
      throw new IllegalArgumentException("usage retention must keep at least 1 month");
    }
    this.clickhouse = Objects.requireNonNull(clickhouse, "clickhouse");
    this.months = months;
    this.clock = Objects.requireNonNull(clock, "clock");
    this.dropped = Counter.builder().name("tollgate_usage_retention_dropped_partitions_total")
        .help("Monthly partitions of usage_events dropped by the retention").register(registry);
    this.failures = Counter.builder().name("tollgate_usage_retention_failures_total")
        .help("Retention runs that failed (tried again at the next run)").register(registry);
  }

  /** The oldest month kept at {@code clock}'s now. */
  YearMonth oldestKept() {
    return YearMonth.now(clock.withZone(ZoneOffset.UTC)).minusMonths(months - 1L);
  }

  /** Which of {@code partitions} (YYYYMM names) lie before {@code oldestKept}; pure. */
  static List<String> toDrop(Iterable<String> partitions, YearMonth oldestKept) {
    int bound = oldestKept.getYear() * 100 + oldestKept.getMonthValue();
    List<String> out = new ArrayList<>();
    for (String p : new TreeSet<>(toList(partitions))) {
      if (p != null && MONTH.matcher(p).matches() && Integer.parseInt(p) < bound) {
        out.add(p);
      }
    }
    return out;
  }

  private static List<String> toList(Iterable<String> values) {
    List<String> out = new ArrayList<>();
    values.forEach(out::add);
    return out;
  }

  /** One run: drops the partitions before the kept months; returns them (empty when it failed). */
  public List<String> run() {
    String database = clickhouse.settings().database();
    try {
      List<String> partitions = new ArrayList<>();
      for (Map<String, Object> row : clickhouse.query("SELECT DISTINCT partition FROM system.parts WHERE database = '"
          + literal(database) + "' AND table = '" + TABLE + "' AND active")) {
        partitions.add(String.valueOf(row.get("partition")));
      }
      List<String> drop = toDrop(partitions, oldestKept());
      for (String p : drop) {
        clickhouse.execute("ALTER TABLE " + database + "." + TABLE + " DROP PARTITION " + p);
        dropped.inc();
        LOG.info("usage retention ({} months): dropped partition {} of {}.{}", months, p, database, TABLE);
      }
      return drop;
    } catch (ClickHouseException | IllegalArgumentException e) {
      failures.inc();
      LOG.warn("usage retention run failed, trying again later: {}", e.getMessage());
      return List.of();
    }
  }

  /** A string literal's body: the database name is configuration, still escaped. */
  private static String literal(String s) {
    return s.replace("\\", "\\\\").replace("'", "\\'");
  }
}
