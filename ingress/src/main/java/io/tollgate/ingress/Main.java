package io.tollgate.ingress;

import io.tollgate.ingress.config.ConfigException;
import io.tollgate.ingress.config.ConfigLoader;
import io.tollgate.ingress.config.IngressConfig;
import java.nio.file.Path;
import java.util.concurrent.CountDownLatch;

/** {@code ingress [--config FILE] [--validate]}: the gateway on its own (the launcher runs it too). */
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
    IngressConfig config;
    try {
      config = ConfigLoader.load(file, System.getenv());
    } catch (ConfigException e) {
      System.err.println(e.getMessage());
      System.exit(1);
      return;
    }
    if (validate) {
      System.out.println("configuration OK: " + config);
      return;
    }
    Gateway gateway = Gateway.start(config);
    CountDownLatch stopped = new CountDownLatch(1);
    Runtime.getRuntime().addShutdownHook(new Thread(() -> {
      gateway.close();
      stopped.countDown();
    }, "gateway-shutdown"));
    System.out.println("Tollgate gateway on port " + gateway.port());
    stopped.await();
  }
}
