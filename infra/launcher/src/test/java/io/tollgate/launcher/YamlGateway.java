package io.tollgate.launcher;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import io.tollgate.ingress.Gateway;
import io.tollgate.ingress.admin.DirectoryStore;
import io.tollgate.ingress.config.ConfigLoader;
import io.tollgate.ingress.config.IngressConfig;
import io.tollgate.schemas.metrics.MetricsRegistry;
import io.vertx.core.VertxOptions;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;

/** The end-to-end ITs' gateway: started from a config.yaml text, following management state every 100 ms. */
final class YamlGateway {
  private YamlGateway() {
  }

  static Gateway start(String yaml, Path spill) throws Exception {
    return start(ConfigLoader.fromTree(new ObjectMapper(new YAMLFactory()).readTree(yaml), Map.of()), spill);
  }

  static Gateway start(IngressConfig config, Path spill) {
    DirectoryStore.Settings defaults = DirectoryStore.Settings.defaults(spill);
    return Gateway.start(config, new VertxOptions(), new MetricsRegistry(),
        new DirectoryStore.Settings(Duration.ofSeconds(20), Duration.ofMillis(100), defaults.snapshotFile()));
  }
}
