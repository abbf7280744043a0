package io.tollgate.schemas.clickhouse;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The report queries, one SQL file each under {@code clickhouse/reports/<name>.sql} in this jar:
 * the spend API, the web UI and the dashboards' tests read the same file, so they cannot disagree.
 *
 * <p>Client values never enter the text: they are bound as {@code ?} parameters through
 * {@link ClickHouseClient#query(String, java.util.List, java.time.Duration, long)}. A file may hold
 * placeholders {@code {{name}}} for fragments the server builds from constants (a WHERE clause of
 * allowlisted columns, an ORDER BY from an allowlist); {@link #render} fills them and fails on a
 * placeholder it was not given, or a fragment the file does not have.
 */
public final class Reports {
  /** Classpath folder of the report files. */
  public static final String ROOT = "clickhouse/reports/";
  private static final Pattern NAME = Pattern.compile("[a-z][a-z0-9_]{0,63}");
  private static final Pattern PLACEHOLDER = Pattern.compile("\\{\\{([a-z_]+)}}");
  private static final Map<String, String> CACHE = new ConcurrentHashMap<>();

  private Reports() {
  }

  /** The text of report {@code name} as in its file (comments included); fails when it is missing. */
  public static String sql(String name) {
    Objects.requireNonNull(name, "name");
    if (!NAME.matcher(name).matches()) {
      throw new IllegalArgumentException("not a report name: " + name);
    }
    return CACHE.computeIfAbsent(name, Reports::read);
  }

  /**
   * Report {@code name} without its leading {@code --} comment lines: a statement that starts with
   * {@code SELECT}, as {@link ClickHouseClient#query(String, java.util.List, java.time.Duration, long)} requires.
   */
  public static String statement(String name) {
    return statement(name, Map.of());
  }

  /** Report {@code name} with its placeholders replaced by {@code fragments} (server constants only). */
  public static String render(String name, Map<String, String> fragments) {
    String text = sql(name);
    Matcher m = PLACEHOLDER.matcher(text);
    StringBuilder out = new StringBuilder(text.length() + 128);
    java.util.Set<String> used = new java.util.HashSet<>();
    while (m.find()) {
      String fragment = fragments.get(m.group(1));
      if (fragment == null) {
        throw new IllegalArgumentException("report " + name + " needs a fragment for {{" + m.group(1) + "}}");
      }
      used.add(m.group(1));
      m.appendReplacement(out, Matcher.quoteReplacement(fragment));
    }
    m.appendTail(out);
    for (String given : fragments.keySet()) {
      if (!used.contains(given)) {
        throw new IllegalArgumentException("report " + name + " has no placeholder {{" + given + "}}");
      }
    }
    return out.toString();
  }

  /**
   * {@link #render} without the file's leading comment lines: what is sent to ClickHouse.
   * {@link ClickHouseClient#query(String, java.util.List, java.time.Duration, long)} takes only text
   * that starts with SELECT, and the driver would count a {@code ?} in a comment as a parameter.
   */
  public static String statement(String name, Map<String, String> fragments) {
    String s = render(name, fragments);
    while (s.startsWith("--")) {
      int nl = s.indexOf('\n');
      s = nl < 0 ? "" : s.substring(nl + 1).strip();
    }
    return s;
  }

  private static String read(String name) {
    String resource = ROOT + name + ".sql";
    try (InputStream in = Reports.class.getClassLoader().getResourceAsStream(resource)) {
      if (in == null) {
        throw new IllegalArgumentException("no report " + resource + " on the classpath");
      }
      return new String(in.readAllBytes(), StandardCharsets.UTF_8).strip();
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read " + resource, e);
    }
  }
}
