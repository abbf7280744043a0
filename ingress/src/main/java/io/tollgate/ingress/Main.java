package io.tollgate.ingress;

import io.tollgate.ingress.config.ConfigException;
import io.tollgate.ingress.config.ConfigLoader;
import io.tollgate.ingress.config.IngressConfig;
import io.tollgate.schemas.config.ConfigWarnings;
import io.tollgate.schemas.config.Problems;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.CountDownLatch;

/**
 * {@code ingress [--config FILE] [--validate]}: the gateway on its own (the launcher runs it too).
 * Configuration errors: all printed, exit 1. Warnings (unknown keys, LiteLLM settings Tollgate does
 * not implement, an open gateway) are logged at start; {@code --validate} prints errors and
 * warnings and exits 1 on any, "configuration OK" only when there is none.
 */
public final class Main {
  private Main() {
  }

  public static void main(String[] args) throws InterruptedException {
    Path file = null;
    boolean validate = false;
    for (int i = 0; i < args.length; i++) {
      switch (args[i]) {
        case "--config" -> file = i + 1 < args.length ? Path.of(args[++i]) : null;
        case "--validate" -> validate = true;
        default -> {
          System.err.println("usage: ingress [--config FILE] [--validate]");
          System.exit(2);
        }
      }
    }
    if (validate) {
      System.exit(validate(file, System.getenv(), System.out, System.err));
      return;
    }
    IngressConfig config;
    try {
      config = ConfigLoader.load(file, System.getenv());
    } catch (ConfigException e) {
      System.err.println("invalid configuration:\n" + Problems.report(e.problems(), e.warnings()));
      System.exit(1);
      return;
    }
    ConfigWarnings.log(config.warnings());
    Gateway gateway = Gateway.start(config);
    CountDownLatch stopped = new CountDownLatch(1);
    Runtime.getRuntime().addShutdownHook(new Thread(() -> {
      gateway.close();
      stopped.countDown();
    }, "gateway-shutdown"));
    System.out.println("Tollgate gateway on port " + gateway.port());
    stopped.await();
  }

  /** {@code --validate}: 0 and "configuration OK" only without errors and warnings; else 1 and the list. */
  static int validate(Path file, Map<String, String> env, PrintStream out, PrintStream err) {
    return Problems.validate(() -> ConfigLoader.load(file, env), IngressConfig::warnings, out, err);
  }

}
