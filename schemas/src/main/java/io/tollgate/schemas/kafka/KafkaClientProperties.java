package io.tollgate.schemas.kafka;

import java.io.IOException;
import java.io.Reader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.TreeSet;

/**
 * The Kafka client properties an operator adds to every client Tollgate builds (SSL, SASL_SSL,
 * quotas' {@code client.id}, tuning), and how they meet Tollgate's own settings: Tollgate's
 * defaults first, the operator's properties on top, then the few properties a client owns for
 * correctness (idempotence, {@code acks=all}, {@code read_committed}, manual commits, its group):
 * setting one of those to another value is refused at start, never silently overridden.
 *
 * <p>The values may hold secrets ({@code sasl.jaas.config}, keystore passwords): nothing here puts
 * a value into a message or a log line, only property names ({@link #describe}). Kafka's own
 * {@code ProducerConfig values:} log masks its password-typed settings.
 */
public final class KafkaClientProperties {
  /** Environment variable naming a Java properties file of extra Kafka client properties. */
  public static final String FILE_ENV = "TOLLGATE_KAFKA_PROPERTIES_FILE";

  private KafkaClientProperties() {
  }

  /**
   * One client's configuration.
   *
   * @param client   the client's name for messages, e.g. "the gateway's producer"
   * @param defaults Tollgate's tuning, which {@code extra} may change
   * @param extra    the operator's properties
   * @param owned    what the client needs for correctness; {@code extra} may repeat a value, not change it
   * @throws IllegalArgumentException naming every conflicting property (never its value)
   */
  public static Map<String, Object> merge(String client, Map<String, ?> defaults, Map<String, ?> extra,
                                          Map<String, ?> owned) {
    List<String> conflicts = new ArrayList<>();
    for (var e : owned.entrySet()) {
      Object given = extra.get(e.getKey());
      if (given != null && !same(e.getKey(), given, e.getValue())) {
        conflicts.add(e.getKey() + " (Tollgate needs " + e.getKey() + "=" + e.getValue() + ")");
      }
    }
    if (!conflicts.isEmpty()) {
      throw new IllegalArgumentException("Kafka properties of " + client + " conflict with settings it needs: "
          + String.join(", ", conflicts));
    }
    Map<String, Object> config = new LinkedHashMap<>(defaults);
    config.putAll(extra);
    config.putAll(owned);
    return config;
  }

  private static boolean same(String name, Object given, Object needed) {
    String a = normalize(name, String.valueOf(given));
    String b = normalize(name, String.valueOf(needed));
    return a.equalsIgnoreCase(b);
  }

  private static String normalize(String name, String value) {
    String v = value.trim();
    return name.equals("acks") && v.equals("-1") ? "all" : v;
  }

  /** The properties of {@code extra} that a client with these config names knows (see {@code ConsumerConfig.configNames()}). */
  public static Map<String, String> known(Map<String, String> extra, Set<String> configNames) {
    Map<String, String> known = new LinkedHashMap<>();
    extra.forEach((name, value) -> {
      if (configNames.contains(name)) {
        known.put(name, value);
      }
    });
    return known;
  }

  /**
   * The properties of the file named by {@value #FILE_ENV} (none when unset), with {@code explicit}
   * (command line, YAML) on top.
   *
   * @throws IllegalArgumentException when the file cannot be read
   */
  public static Map<String, String> withFile(Map<String, String> explicit, Map<String, String> env) {
    String file = env.get(FILE_ENV);
    Map<String, String> all = new LinkedHashMap<>();
    if (file != null && !file.isBlank()) {
      all.putAll(fromFile(Path.of(file.trim())));
    }
    all.putAll(explicit);
    return all;
  }

  /** A Java properties file as a map (values trimmed of nothing: the file says what it means). */
  public static Map<String, String> fromFile(Path file) {
    Properties p = new Properties();
    try (Reader in = Files.newBufferedReader(file)) {
      p.load(in);
    } catch (IOException e) {
      // The exception names the file, not its content.
      throw new IllegalArgumentException(FILE_ENV + ": cannot read Kafka properties file " + file + " ("
          + e.getClass().getSimpleName() + ")", e);
    }
    Map<String, String> map = new LinkedHashMap<>();
    p.stringPropertyNames().stream().sorted().forEach(name -> map.put(name, p.getProperty(name)));
    return map;
  }

  /** For logs: the names only, sorted, and the security protocol (not a secret) when set. */
  public static String describe(Map<String, ?> extra) {
    if (extra.isEmpty()) {
      return "none";
    }
    Object protocol = extra.get("security.protocol");
    return new TreeSet<>(extra.keySet())
        + (protocol == null ? "" : " (security.protocol " + String.valueOf(protocol).toUpperCase(Locale.ROOT) + ")");
  }
}
