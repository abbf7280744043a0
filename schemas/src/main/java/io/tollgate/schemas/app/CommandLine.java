package io.tollgate.schemas.app;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.BooleanSupplier;

/**
 * The command line of a Tollgate app run on its own ({@code --name value} pairs), and its life: up,
 * watched, stopped by SIGTERM. Unknown or valueless options are reported all at once, so a typo in
 * {@code --application-id} cannot silently join the wrong consumer group.
 */
public final class CommandLine {
  private final Map<String, String> values;
  private final Map<String, String> prefixed;

  private CommandLine(Map<String, String> values, Map<String, String> prefixed) {
    this.values = values;
    this.prefixed = prefixed;
  }

  /**
   * @param names  the options the app knows, without {@code --}
   * @param prefix options starting with it (e.g. {@code kafka.}) are passed through, or null for none
   * @throws IllegalArgumentException listing every problem
   */
  public static CommandLine parse(String[] args, Set<String> names, String prefix) {
    Map<String, String> values = new LinkedHashMap<>();
    Map<String, String> prefixed = new LinkedHashMap<>();
    List<String> problems = new ArrayList<>();
    for (int i = 0; i < args.length; i++) {
      String arg = args[i];
      String name = arg.startsWith("--") ? arg.substring(2) : null;
      boolean known = name != null && (names.contains(name) || prefix != null && name.startsWith(prefix)
          && name.length() > prefix.length());
      if (!known) {
        problems.add("unknown option '" + arg + "' (known: --" + String.join(", --", names.stream().sorted().toList())
            + (prefix == null ? "" : ", --" + prefix + "<property>") + ")");
        if (name != null && i + 1 < args.length && !args[i + 1].startsWith("--")) {
          i++; // its value: never echoed, it may be a secret (a mistyped --kafka.sasl.jaas.config)
        }
        continue;
      }
      if (i + 1 >= args.length) {
        problems.add(arg + " needs a value");
        break;
      }
      String value = args[++i];
      if (prefix != null && name.startsWith(prefix)) {
        prefixed.put(name.substring(prefix.length()), value);
      } else {
        values.put(name, value);
      }
    }
    if (!problems.isEmpty()) {
      throw new IllegalArgumentException("invalid options:\n  - " + String.join("\n  - ", problems));
    }
    return new CommandLine(values, prefixed);
  }

  public String get(String name, String fallback) {
    return values.getOrDefault(name, fallback);
  }

  /** The value of {@code name} as a port (1-65535). */
  public int port(String name, int fallback) {
    String v = values.get(name);
    try {
      int port = v == null ? fallback : Integer.parseInt(v);
      if (port >= 0 && port <= 65535) {
        return port;
      }
    } catch (NumberFormatException e) {
      // reported below
    }
    throw new IllegalArgumentException("--" + name + " must be a port number, got '" + v + "'");
  }

  /** The prefixed options, prefix removed. */
  public Map<String, String> prefixed() {
    return Collections.unmodifiableMap(prefixed);
  }

  /**
   * Prints {@code ready}, then waits: SIGTERM runs {@code stop} and returns; if {@code healthy}
   * turns false (a part died for good) the process exits with status 1 so its supervisor restarts
   * it ({@code stop} still runs, from the shutdown hook).
   */
  public static void runUntilStopped(String ready, BooleanSupplier healthy, Runnable stop) throws InterruptedException {
    CountDownLatch stopped = new CountDownLatch(1);
    AtomicBoolean stopping = new AtomicBoolean();
    Runtime.getRuntime().addShutdownHook(new Thread(() -> {
      stopping.set(true);
      stop.run();
      stopped.countDown();
    }, "tollgate-shutdown"));
    System.out.println(ready);
    System.out.flush();
    while (!stopped.await(2, TimeUnit.SECONDS)) {
      if (!stopping.get() && !healthy.getAsBoolean()) {
        System.err.println("tollgate: a component stopped for good; exiting so that a supervisor restarts this process");
        System.exit(1);
      }
    }
  }
}
