package io.tollgate.ingress.provider;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import io.tollgate.ingress.Gateway;
import io.tollgate.ingress.config.ConfigLoader;
import io.tollgate.ingress.identity.KeyAuth;
import io.tollgate.ingress.pricing.PriceTable;
import io.tollgate.ingress.usage.Usage;
import io.tollgate.local.junit.KafkaExtension;
import io.tollgate.local.kafka.KafkaCluster;
import io.tollgate.local.mock.MockProvider;
import io.tollgate.schemas.UsageEvent;
import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The real Gemini CLI ({@code npm @google/gemini-cli}, non-interactive {@code -p}) pointed at the
 * gateway with {@code GOOGLE_GEMINI_BASE_URL} and a virtual key in {@code GEMINI_API_KEY}, the
 * gateway in front of the mock's Gemini upstream: every call the CLI makes is metered as
 * {@code gemini-cli} at its exact price, and the virtual key never reaches the upstream. Skipped
 * when npm is missing or the package cannot be installed (no registry). The install is cached in
 * the temp directory by version ({@code -Dtollgate.geminiCli.version}, default below).
 */
@ExtendWith(KafkaExtension.class)
@Timeout(600)
class GeminiCliIT {
  static final String DEFAULT_VERSION = "0.61.0";
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final PriceTable PRICES = PriceTable.bundled();
  private static final String KEY = "sk-gemini-cli-" + UUID.randomUUID();
  private static final String PROVIDER_KEY = "AIza-cli-provider-" + UUID.randomUUID();
  private static String version;
  private static Path cli;
  private static MockProvider mock;
  private static Gateway gateway;
  private static UsageEvents events;

  @BeforeAll
  static void start(KafkaCluster kafka) throws Exception {
    version = System.getProperty("tollgate.geminiCli.version", DEFAULT_VERSION);
    cli = install(version);
    mock = MockProvider.start(0);
    String yaml = """
        model_list:
          - model_name: "gemini-*"
            litellm_params: {model: "gemini/gemini-*", api_base: %1$s, api_key: %2$s}
        general_settings: {master_key: sk-master-cli}
        tollgate:
          port: 0
          host: 127.0.0.1
          spill_dir: %3$s
          kafka: {bootstrap_servers: "%4$s"}
          keys: [{key: %5$s, alias: cli, customer_id: gemini-cli-user}]
        """.formatted(mock.baseUrl(), PROVIDER_KEY, Files.createTempDirectory("gemini-cli-spill"),
        kafka.bootstrapServers(), KEY);
    JsonNode tree = new ObjectMapper(new YAMLFactory()).readTree(yaml);
    gateway = Gateway.start(ConfigLoader.fromTree(tree, Map.of()));
    events = new UsageEvents(kafka);
  }

  @AfterAll
  static void stop() {
    if (events != null) {
      events.close();
    }
    if (gateway != null) {
      gateway.close();
    }
    if (mock != null) {
      mock.close();
    }
  }

  /** The CLI's entry point, installed once per version; the test is skipped when that cannot be done. */
  private static Path install(String version) throws Exception {
    Path dir = Path.of(System.getProperty("java.io.tmpdir"), "tollgate-gemini-cli-" + version);
    Path bin = dir.resolve("node_modules/.bin/gemini");
    if (Files.isExecutable(bin)) {
      return bin;
    }
    Assumptions.assumeTrue(onPath("npm") && onPath("node"), "npm and node are not on the PATH");
    Files.createDirectories(dir);
    Process npm = new ProcessBuilder("npm", "install", "--no-audit", "--no-fund", "--loglevel=error",
        "--prefix", dir.toString(), "@google/gemini-cli@" + version)
        .redirectErrorStream(true).redirectOutput(dir.resolve("npm-install.log").toFile()).start();
    boolean done = npm.waitFor(8, TimeUnit.MINUTES);
    if (!done) {
      npm.destroyForcibly();
    }
    Assumptions.assumeTrue(done && npm.exitValue() == 0 && Files.isExecutable(bin),
        "npm could not install @google/gemini-cli@" + version + " (see " + dir.resolve("npm-install.log") + ")");
    return bin;
  }

  private static boolean onPath(String command) {
    String path = System.getenv("PATH");
    if (path == null) {
      return false;
    }
    for (String d : path.split(File.pathSeparator)) {
      if (Files.isExecutable(Path.of(d, command))) {
        return true;
      }
    }
    return false;
  }

  /** Runs {@code gemini -p prompt} against the gateway; returns its stdout. */
  private static String run(String prompt, Map<String, String> extraEnv) throws Exception {
    Path home = Files.createTempDirectory("gemini-cli-home");
    Files.createDirectories(home.resolve(".gemini"));
    // API-key auth chosen explicitly: with GOOGLE_GEMINI_BASE_URL alone the CLI picks its "gateway" auth type,
    // which headless mode refuses. No usage statistics or update checks leave the machine.
    Files.writeString(home.resolve(".gemini/settings.json"), """
        {"security": {"auth": {"selectedType": "gemini-api-key"}},
         "privacy": {"usageStatisticsEnabled": false}, "telemetry": {"enabled": false},
         "general": {"disableAutoUpdate": true, "disableUpdateNag": true}}
        """);
    Path work = Files.createDirectories(home.resolve("work"));
    List<String> cmd = new ArrayList<>(List.of(cli.toString(), "-p", prompt, "-m", "gemini-2.5-flash"));
    ProcessBuilder pb = new ProcessBuilder(cmd).directory(work.toFile())
        .redirectOutput(home.resolve("out.txt").toFile()).redirectError(home.resolve("err.txt").toFile());
    Map<String, String> env = pb.environment();
    env.keySet().removeIf(k -> k.startsWith("GEMINI_") || k.startsWith("GOOGLE_"));
    env.put("HOME", home.toString());
    env.put("GOOGLE_GEMINI_BASE_URL", "http://127.0.0.1:" + gateway.port());
    env.put("GEMINI_API_KEY", KEY);
    env.put("GEMINI_CLI_TRUST_WORKSPACE", "true");
    env.put("NO_COLOR", "1");
    env.putAll(extraEnv);
    Process p = pb.start();
    boolean done = p.waitFor(4, TimeUnit.MINUTES);
    if (!done) {
      p.destroyForcibly();
    }
    String label = extraEnv.getOrDefault("GEMINI_API_KEY_AUTH_MECHANISM", "x-goog-api-key") + ": ";
    String out = Files.readString(home.resolve("out.txt"), StandardCharsets.UTF_8);
    String err = Files.readString(home.resolve("err.txt"), StandardCharsets.UTF_8);
    assertThat(done).as(label + "gemini finished in time; stderr: " + err).isTrue();
    if (p.exitValue() != 0) {
      // what the gateway made of the run's calls, for the failure message
      String customer = extraEnv.getOrDefault("GEMINI_CLI_CUSTOM_HEADERS", "").replaceAll(".*: ", "");
      List<String> seen = events.await(e -> customer.equals(e.getCustomerId()), 100, Duration.ofSeconds(5)).stream()
          .map(e -> e.getApi() + " " + e.getStatusCode() + " " + e.getErrorType() + " " + e.getUserAgent()).toList();
      assertThat(p.exitValue()).as(label + "gemini exit code; stdout: " + out + "\nstderr: " + err + "\nupstream calls: "
          + mock.receivedRequests().stream().map(MockProvider.ReceivedRequest::uri).toList() + "\nevents: " + seen).isZero();
    }
    return out;
  }

  /** Every call of one run: upstream got the configured key only; each call has one event at its exact price. */
  private void checkRun(int requestsBefore, String customer) {
    List<MockProvider.ReceivedRequest> upstream = mock.receivedRequests();
    List<MockProvider.ReceivedRequest> calls = upstream.subList(Math.min(requestsBefore, upstream.size()), upstream.size());
    assertThat(calls).as("the CLI's calls reached the upstream").isNotEmpty();
    for (MockProvider.ReceivedRequest r : calls) {
      assertThat(r.uri()).startsWith("/v1beta/models/gemini-").doesNotContain(KEY);
      assertThat(r.header("x-goog-api-key")).isEqualTo(PROVIDER_KEY);
      assertThat(r.headers().toString()).doesNotContain(KEY);
    }
    List<UsageEvent> seen = events.await(e -> customer.equals(e.getCustomerId()), calls.size(), Duration.ofSeconds(30));
    assertThat(seen).hasSize(calls.size());
    for (UsageEvent e : seen) {
      assertThat(e.getTool()).as("tool of User-Agent %s", e.getUserAgent()).isEqualTo("gemini-cli");
      assertThat(e.getToolVersion()).isEqualTo(version);
      assertThat(e.getProvider()).isEqualTo("gemini");
      assertThat(e.getKeyHash()).isEqualTo(KeyAuth.sha256(KEY));
      assertThat(e.getStatusCode()).isEqualTo(200);
      if (!e.getApi().equals("gemini_count_tokens")) {
        assertThat(e.getUsageSource()).isIn("response", "stream");
        Usage u = new Usage(e.getInputTokens(), e.getOutputTokens(), e.getCacheReadTokens(), 0, 0,
            e.getReasoningTokens(), null, null, true);
        assertThat(e.getInputTokens()).isPositive();
        assertThat(e.getCostNanos()).isEqualTo(PRICES.cost("gemini/" + e.getModelRequested(), u).nanos()).isPositive();
      }
    }
  }

  @Test
  void geminiCliThroughTheGatewayIsMeteredWithEitherKeyMechanism() throws Exception {
    for (String mechanism : new String[] {"x-goog-api-key", "bearer"}) {
      String customer = "cli-" + mechanism + "-" + UUID.randomUUID();
      int before = mock.receivedRequests().size();
      // GEMINI_CLI_CUSTOM_HEADERS tags the run's calls with a customer of their own
      String out = run("Say hi", Map.of("GEMINI_API_KEY_AUTH_MECHANISM", mechanism,
          "GEMINI_CLI_CUSTOM_HEADERS", "x-litellm-customer-id: " + customer));
      assertThat(out).as(mechanism).contains("Mock");
      checkRun(before, customer);
    }
  }
}
