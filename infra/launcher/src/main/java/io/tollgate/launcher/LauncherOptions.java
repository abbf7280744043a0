package io.tollgate.launcher;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Options of {@code ./tollgate run}, parsed from the command line and the environment. Every
 * problem is collected, so a user sees all of them at once.
 *
 * @param home            data directory (Kafka logs, ClickHouse data)
 * @param kafkaBootstrap  an existing Kafka to use, or null to start the embedded one
 * @param clickhouseUrl   an existing ClickHouse to use, or null to start a local one
 * @param kafkaPort       client port of the embedded broker
 * @param clickhousePort  HTTP port of the local ClickHouse
 * @param clickhouseTcpPort native port of the local ClickHouse
 * @param mockPort        port of the mock provider
 * @param partitions      partitions of the Tollgate topics on the embedded broker
 * @param gatewayPort     port of the gateway (LiteLLM's 4000)
 * @param config          the gateway's config file (LiteLLM config.yaml + tollgate section), or null
 * @param mockProvider    whether to start the mock provider
 * @param help            print usage and exit
 * @param demoMinutes     minutes of synthetic demo traffic to send once up (0 = none)
 * @param masterKey       {@code --master-key}, or null (then LITELLM_MASTER_KEY, the config's, or the one kept in home)
 */
public record LauncherOptions(Path home, String kafkaBootstrap, String clickhouseUrl, int kafkaPort,
                              int clickhousePort, int clickhouseTcpPort, int mockPort,
                              int partitions, boolean mockProvider, boolean help, int gatewayPort,
                              String config, int demoMinutes, String masterKey) {

  static final String USAGE = """
      Usage: ./tollgate run [options]
        --home DIR              data directory (default $TOLLGATE_HOME or ./.tollgate)
        --kafka BOOTSTRAP       use an existing Kafka instead of the embedded broker
        --clickhouse URL        use an existing ClickHouse (default $CLICKHOUSE_URL, else a local server)
        --kafka-port N          port of the embedded broker (default 9092)
        --clickhouse-port N     HTTP port of the local ClickHouse (default 8123)
        --clickhouse-tcp-port N native port of the local ClickHouse (default 9000)
        --mock-port N           port of the mock provider (default 4010)
        --port N                port of the gateway (default 4000)
        --config FILE           gateway config (LiteLLM config.yaml format + a tollgate: section)
        --partitions N          partitions of the Tollgate topics (default 3)
        --no-mock               do not start the mock provider
        --demo                  send 3 minutes of synthetic traffic (several customers, models and tools,
                                one spending spike) through the gateway to the mock provider
        --demo-minutes N        the same for N minutes
        --master-key KEY        the gateway's master key (default $LITELLM_MASTER_KEY, the config's
                                general_settings.master_key, else one created on first start and kept
                                in DIR/master-key)
        --help                  this text
      """;

  /** Thrown with every problem found; the message lists them one per line. */
  public static final class InvalidOptions extends IllegalArgumentException {
    private static final long serialVersionUID = 1L;

    InvalidOptions(List<String> problems) {
      super("invalid options:\n  - " + String.join("\n  - ", problems));
    }
  }

  /** Parses {@code args} with {@code env} for defaults; throws {@link InvalidOptions} listing all problems. */
  public static LauncherOptions parse(String[] args, Map<String, String> env) {
    List<String> problems = new ArrayList<>();
    Path home = Path.of(env.getOrDefault("TOLLGATE_HOME", ".tollgate"));
    String kafka = blankToNull(env.get("TOLLGATE_KAFKA"));
    String clickhouse = blankToNull(env.get("CLICKHOUSE_URL"));
    int kafkaPort = 9092;
    int chPort = 8123;
    int chTcpPort = 9000;
    int mockPort = 4010;
    int partitions = 3;
    int gatewayPort = 4000;
    String config = blankToNull(env.get("TOLLGATE_CONFIG"));
    boolean providerKeys = blankToNull(env.get("ANTHROPIC_API_KEY")) != null
        || blankToNull(env.get("OPENAI_API_KEY")) != null;
    boolean mock = !providerKeys;
    boolean help = false;
    int demoMinutes = 0;
    String masterKey = null;
    for (int i = 0; i < args.length; i++) {
      String arg = args[i];
      if (arg.equals("--help") || arg.equals("-h")) {
        help = true;
        continue;
      }
      if (arg.equals("--no-mock")) {
        mock = false;
        continue;
      }
      if (arg.equals("--demo")) {
        demoMinutes = Math.max(demoMinutes, 3);
        continue;
      }
      if (arg.equals("--api-port")) {
        problems.add("--api-port is gone: the spend API (/spend/logs, /spend/logs/v2, /global/spend/report) is served "
            + "on the gateway port (--port), behind the master key");
        if (i + 1 < args.length && !args[i + 1].startsWith("--")) {
          i++;
        }
        continue;
      }
      if (!List.of("--home", "--kafka", "--clickhouse", "--kafka-port", "--clickhouse-port",
          "--clickhouse-tcp-port", "--mock-port", "--partitions", "--port", "--config", "--demo-minutes",
          "--master-key")
          .contains(arg)) {
        problems.add("unknown option '" + arg + "'");
        if (arg.startsWith("--") && i + 1 < args.length && !args[i + 1].startsWith("--")) {
          i++; // its value: never echoed, it may be a secret
        }
        continue;
      }
      if (i + 1 >= args.length) {
        problems.add(arg + " needs a value");
        break;
      }
      String value = args[++i];
      switch (arg) {
        case "--home" -> home = Path.of(value);
        case "--kafka" -> kafka = value;
        case "--clickhouse" -> clickhouse = value;
        case "--kafka-port" -> kafkaPort = port(arg, value, problems);
        case "--clickhouse-port" -> chPort = port(arg, value, problems);
        case "--clickhouse-tcp-port" -> chTcpPort = port(arg, value, problems);
        case "--mock-port" -> mockPort = port(arg, value, problems);
        case "--partitions" -> partitions = positive(arg, value, problems);
        case "--port" -> gatewayPort = port(arg, value, problems);
        case "--config" -> config = value;
        case "--demo-minutes" -> demoMinutes = positive(arg, value, problems);
        case "--master-key" -> {
          masterKey = value.strip();
          if (!masterKey.startsWith("sk-") || masterKey.length() < 8) {
            problems.add("--master-key must start with 'sk-' (as in LiteLLM)"); // never the value: it is a secret
          }
        }
        default -> throw new AssertionError(arg);
      }
    }
    if (clickhouse != null && !clickhouse.matches("https?://[^/\\s]+/?")) {
      problems.add("ClickHouse URL must look like http://host:8123, got '" + clickhouse + "'");
    }
    if (config != null && !java.nio.file.Files.isReadable(Path.of(config))) {
      problems.add("config file '" + config + "' cannot be read");
    }
    if (demoMinutes > 0 && (!mock || config != null)) {
      problems.add("--demo sends its traffic to the mock provider (token counts are set through it) and needs the "
          + "built-in model routes: run it without provider keys, --no-mock or --config");
    }
    if (!problems.isEmpty()) {
      throw new InvalidOptions(problems);
    }
    return new LauncherOptions(home.toAbsolutePath().normalize(), kafka, clickhouse, kafkaPort,
        chPort, chTcpPort, mockPort, partitions, mock, help, gatewayPort, config, demoMinutes, masterKey);
  }

  private static int port(String name, String value, List<String> problems) {
    try {
      int port = Integer.parseInt(value);
      if (port >= 1 && port <= 65535) {
        return port;
      }
    } catch (NumberFormatException e) {
      // reported below
    }
    problems.add(name + " must be a port number (1-65535), got '" + value + "'");
    return 0;
  }

  private static int positive(String name, String value, List<String> problems) {
    try {
      int n = Integer.parseInt(value);
      if (n >= 1) {
        return n;
      }
    } catch (NumberFormatException e) {
      // reported below
    }
    problems.add(name + " must be a positive number, got '" + value + "'");
    return 1;
  }

  private static String blankToNull(String s) {
    return s == null || s.isBlank() ? null : s.trim();
  }
}
