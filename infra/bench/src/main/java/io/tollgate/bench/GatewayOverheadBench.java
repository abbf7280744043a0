package io.tollgate.bench;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import io.tollgate.ingress.Gateway;
import io.tollgate.ingress.config.ConfigLoader;
import io.tollgate.local.kafka.EmbeddedKafka;
import io.tollgate.local.mock.MockProvider;
import io.vertx.core.Vertx;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/**
 * Gateway overhead: the same open-loop load against the mock provider directly and through the
 * gateway (which also meters every call into the embedded Kafka), JSON and SSE, in one run.
 * {@code ./tollgate bench [rate] [seconds]}; prints a Markdown table for BENCHMARKS.md.
 */
public final class GatewayOverheadBench {
  private GatewayOverheadBench() {
  }

  public static void main(String[] args) throws Exception {
    int rate = args.length > 0 ? Integer.parseInt(args[0]) : 2000;
    int seconds = args.length > 1 ? Integer.parseInt(args[1]) : 10;
    Path dir = Files.createTempDirectory("tollgate-bench");
    try (EmbeddedKafka kafka = EmbeddedKafka.start(EmbeddedKafka.Options.in(dir.resolve("kafka")));
         MockProvider mock = MockProvider.start(0)) {
      String yaml = """
          model_list:
            - model_name: claude-sonnet-4-5
              litellm_params: {model: anthropic/claude-sonnet-4-5, api_base: %s, api_key: sk-provider}
          tollgate: {port: 0, host: 127.0.0.1, spill_dir: %s, kafka: {bootstrap_servers: "%s"}}
          """.formatted(mock.baseUrl(), dir.resolve("spill"), kafka.bootstrapServers());
      Gateway gateway = Gateway.start(ConfigLoader.fromTree(new ObjectMapper(new YAMLFactory()).readTree(yaml), Map.of()));
      Vertx vertx = Vertx.vertx();
      LoadGenerator load = new LoadGenerator(vertx);
      try {
        String json = "{\"model\":\"claude-sonnet-4-5\",\"max_tokens\":20,\"messages\":[{\"role\":\"user\",\"content\":\"hello\"}]}";
        String sse = json.replace("\"max_tokens\"", "\"stream\":true,\"max_tokens\"");
        Map<String, String> headers = Map.of("content-type", "application/json", "x-api-key", "sk-bench",
            "x-litellm-customer-id", "bench", "user-agent", "claude-cli/2.1.3 (external, cli)");
        String direct = mock.baseUrl() + "/v1/messages";
        String viaGateway = "http://127.0.0.1:" + gateway.port() + "/v1/messages";
        // Warm up JIT, pools and the producer on both paths.
        load.run("warmup", direct, json, headers, Math.min(rate, 1000), 3);
        load.run("warmup", viaGateway, json, headers, Math.min(rate, 1000), 3);
        List<LoadGenerator.Result> results = List.of(
            load.run("direct JSON", direct, json, headers, rate, seconds),
            load.run("gateway JSON", viaGateway, json, headers, rate, seconds),
            load.run("direct SSE", direct, sse, headers, rate, seconds),
            load.run("gateway SSE", viaGateway, sse, headers, rate, seconds));
        print(rate, seconds, results);
      } finally {
        load.close();
        vertx.close();
        gateway.close();
      }
    }
  }

  private static void print(int rate, int seconds, List<LoadGenerator.Result> results) {
    System.out.printf("%nGateway overhead, open loop at %d req/s for %d s per row (latency from scheduled send):%n%n", rate, seconds);
    System.out.println("| path | ok | failed | req/s | p50 ms | p99 ms | p99.9 ms |");
    System.out.println("|---|---|---|---|---|---|---|");
    for (LoadGenerator.Result r : results) {
      System.out.printf("| %s | %d | %d | %.0f | %.2f | %.2f | %.2f |%n", r.name(), r.ok(), r.failed(), r.throughput(),
          r.percentileMicros(50) / 1000.0, r.percentileMicros(99) / 1000.0, r.percentileMicros(99.9) / 1000.0);
    }
    for (int i = 0; i + 1 < results.size(); i += 2) {
      LoadGenerator.Result d = results.get(i);
      LoadGenerator.Result g = results.get(i + 1);
      System.out.printf("%n%s: gateway throughput %.1f %% of direct; added p50 %.2f ms, added p99 %.2f ms%n",
          g.name().replace("gateway ", ""), 100.0 * g.throughput() / d.throughput(),
          (g.percentileMicros(50) - d.percentileMicros(50)) / 1000.0, (g.percentileMicros(99) - d.percentileMicros(99)) / 1000.0);
    }
  }
}
