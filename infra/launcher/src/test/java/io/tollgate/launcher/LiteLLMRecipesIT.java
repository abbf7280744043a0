package io.tollgate.launcher;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import io.tollgate.ingress.Gateway;
import io.tollgate.ingress.config.ConfigLoader;
import io.tollgate.ingress.config.IngressConfig;
import io.tollgate.ingress.identity.KeyAuth;
import io.tollgate.local.junit.KafkaExtension;
import io.tollgate.local.kafka.KafkaCluster;
import io.tollgate.local.mock.MockProvider;
import io.tollgate.schemas.UsageEvent;
import io.tollgate.schemas.serde.TollgateSerdes;
import io.tollgate.schemas.topics.Topics;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.YearMonth;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.function.Predicate;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * README.md's "Migrating from LiteLLM" run as written: its code blocks are read from the README
 * itself (so README and test cannot drift) and played against a real gateway on the embedded
 * broker with the mock provider upstream. The gateway's config is the README's {@code config.yaml}
 * block with only an {@code api_base} per model (the mock instead of api.anthropic.com) and a
 * {@code tollgate:} section for ports and Kafka added. {@code export} lines set variables, {@code curl}
 * lines are sent as curl would send them, and {@code claude} sends what Claude Code sends with those
 * variables: {@code POST $ANTHROPIC_BASE_URL/v1/messages} with {@code x-api-key: $ANTHROPIC_API_KEY}
 * (or, logged in with a subscription, its OAuth token as {@code Authorization: Bearer}) and each
 * {@code ANTHROPIC_CUSTOM_HEADERS} line. {@code sk-…} in a block is the key {@code /key/generate} returned.
 */
@ExtendWith(KafkaExtension.class)
class LiteLLMRecipesIT {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
  /** The master key of the recipes: LiteLLM's docs write sk-1234 for it. */
  private static final String MASTER = "sk-1234";
  /** The model Claude Code asks for when ANTHROPIC_MODEL is not set. */
  private static final String CLAUDE_CODE_DEFAULT_MODEL = "claude-sonnet-4-5-20250929";
  private static final Path README = Path.of(System.getProperty("user.dir")).getParent().getParent()
      .resolve("README.md");

  @Test
  @Timeout(120)
  void theMigrationSectionsRecipesWorkAsWritten(KafkaCluster kafka, @TempDir Path dir) throws Exception {
    List<Block> blocks = blocks(section(Files.readString(README), "## Migrating from LiteLLM"));
    assertThat(blocks).extracting(Block::lang)
        .containsExactly("bash", "yaml", "bash", "bash", "bash", "bash", "bash");
    Block customerRecipe = blocks.get(0);
    Block config = blocks.get(1);
    Block generate = blocks.get(2);
    Block claudeMax = blocks.get(3);
    Block requestFlow = blocks.get(4);
    Block keyInfo = blocks.get(5);
    Block models = blocks.get(6);

    try (MockProvider mock = MockProvider.start(0);
         Gateway gateway = gateway(config.text(), mock, kafka, dir)) {
      String base = "http://127.0.0.1:" + gateway.port();
      Shell shell = new Shell(base, Map.of("LITELLM_MASTER_KEY", MASTER));

      // Claude Code with a customer id in ANTHROPIC_CUSTOM_HEADERS.
      List<HttpResponse<String>> customer = shell.run(customerRecipe.text());
      assertThat(customer).hasSize(1);
      assertThat(customer.get(0).statusCode()).as(customer.get(0).body()).isEqualTo(200);
      UsageEvent metered = event(kafka, e -> "claude-ishaan-local".equals(e.getCustomerId()));
      assertThat(metered.getStatusCode()).isEqualTo(200);
      assertThat(metered.getCostNanos()).isPositive();

      // /key/generate exactly as the guide shows it, with the answer the README promises.
      List<HttpResponse<String>> generated = shell.run(generate.text());
      assertThat(generated).hasSize(1);
      assertThat(generated.get(0).statusCode()).as(generated.get(0).body()).isEqualTo(200);
      JsonNode created = JSON.readTree(generated.get(0).body());
      String key = created.path("key").asText();
      assertThat(key).startsWith("sk-");
      assertThat(created.path("key_alias").asText()).isEqualTo("developer-1");
      assertThat(created.path("max_budget").asDouble()).isEqualTo(100.0);
      assertThat(created.path("budget_duration").asText()).isEqualTo("monthly");
      shell.generatedKey = key;

      // Claude Max: the virtual key in x-litellm-api-key, the subscription's OAuth token forwarded.
      shell = new Shell(base, Map.of("LITELLM_MASTER_KEY", MASTER));
      shell.generatedKey = key;
      List<HttpResponse<String>> max = shell.run(claudeMax.text());
      assertThat(max).hasSize(1);
      assertThat(max.get(0).statusCode()).as(max.get(0).body()).isEqualTo(200);
      MockProvider.ReceivedRequest upstream = mock.lastRequest();
      assertThat(upstream.header("authorization")).isEqualTo("Bearer " + shell.oauthToken);
      assertThat(upstream.header("x-litellm-api-key")).isNull();
      assertThat(upstream.body()).contains("claude-sonnet-4-20250514");

      // The request Claude Code sends, as the guide spells it out.
      List<HttpResponse<String>> flow = shell.run(requestFlow.text());
      assertThat(flow).hasSize(1);
      assertThat(flow.get(0).statusCode()).as(flow.get(0).body()).isEqualTo(200);
      assertThat(mock.lastRequest().header("authorization")).isEqualTo("Bearer " + shell.oauthToken);
      assertThat(mock.lastRequest().header("x-litellm-api-key")).isNull();
      assertThat(mock.lastRequest().body()).contains("claude-sonnet-4-20250514");
      assertThat(event(kafka, e -> KeyAuth.sha256(key).equals(e.getKeyHash()) && e.getStatusCode() == 200
          && e.getCostNanos() > 0)).isNotNull();

      // The troubleshooting steps: the key's own info, and the models it may call.
      List<HttpResponse<String>> info = shell.run(keyInfo.text());
      assertThat(info).hasSize(1);
      assertThat(info.get(0).statusCode()).as(info.get(0).body()).isEqualTo(200);
      JsonNode i = JSON.readTree(info.get(0).body());
      assertThat(i.path("key").asText()).isEqualTo(KeyAuth.sha256(key));
      JsonNode in = i.path("info");
      assertThat(in.path("key_alias").asText()).isEqualTo("developer-1");
      assertThat(in.path("max_budget").asDouble()).isEqualTo(100.0);
      assertThat(in.path("budget_duration").asText()).isEqualTo("monthly");
      assertThat(in.path("spend").asDouble()).as("the two Claude Max calls").isPositive();
      Instant nextMonth = YearMonth.now(ZoneOffset.UTC).plusMonths(1).atDay(1).atStartOfDay(ZoneOffset.UTC).toInstant();
      assertThat(in.path("budget_reset_at").asText()).isEqualTo(nextMonth.toString());
      assertThat(in.path("expires").isNull()).isTrue();
      assertThat(in.path("blocked").asBoolean()).isFalse();
      assertThat(info.get(0).body()).doesNotContain(key);
      List<HttpResponse<String>> listed = shell.run(models.text());
      assertThat(listed).hasSize(1);
      assertThat(listed.get(0).statusCode()).as(listed.get(0).body()).isEqualTo(200);
      List<String> ids = new ArrayList<>();
      JSON.readTree(listed.get(0).body()).path("data").forEach(m -> ids.add(m.path("id").asText()));
      assertThat(ids).contains("anthropic-claude", "claude-3-5-sonnet-20241022", "claude-3-5-haiku-20241022");

      // The README's word on the other guide's base URL ending in /v1/messages.
      HttpResponse<String> doubled = HTTP.send(HttpRequest.newBuilder(URI.create(base + "/v1/messages/v1/messages"))
          .header("x-api-key", MASTER).POST(HttpRequest.BodyPublishers.ofString("{}")).build(),
          HttpResponse.BodyHandlers.ofString());
      assertThat(doubled.statusCode()).isEqualTo(404);
    }
  }

  /** The README's config block, each model pointed at the mock, plus what the test needs to run it. */
  private static Gateway gateway(String configYaml, MockProvider mock, KafkaCluster kafka, Path dir) throws Exception {
    ObjectMapper yaml = new ObjectMapper(new YAMLFactory());
    ObjectNode root = (ObjectNode) yaml.readTree(configYaml);
    root.path("model_list").forEach(m -> ((ObjectNode) m.path("litellm_params")).put("api_base", mock.baseUrl()));
    // The first recipe runs Claude Code without ANTHROPIC_MODEL: its default model needs a route too.
    ObjectNode route = ((com.fasterxml.jackson.databind.node.ArrayNode) root.path("model_list")).addObject();
    route.put("model_name", CLAUDE_CODE_DEFAULT_MODEL);
    route.putObject("litellm_params").put("model", "anthropic/" + CLAUDE_CODE_DEFAULT_MODEL)
        .put("api_base", mock.baseUrl()).put("api_key", "sk-ant-provider");
    Path spill = dir.resolve("spill");
    root.set("tollgate", yaml.readTree("""
        port: 0
        host: 127.0.0.1
        gateway_id: gw-recipes
        spill_dir: %s
        kafka: {bootstrap_servers: "%s"}
        """.formatted(spill, kafka.bootstrapServers())));
    IngressConfig config = ConfigLoader.fromTree(root, Map.of("LITELLM_MASTER_KEY", MASTER));
    assertThat(config.masterKey()).as("the master key from LITELLM_MASTER_KEY").isEqualTo(MASTER);
    assertThat(config.warnings().toString()).as("README: Tollgate warns that litellm_settings.master_key is not read")
        .contains("litellm_settings.master_key");
    return YamlGateway.start(config, spill);
  }

  record Block(String lang, String text) {
  }

  /** The text from {@code heading} to the next heading of its level. */
  static String section(String markdown, String heading) {
    int start = markdown.indexOf("\n" + heading + "\n");
    assertThat(start).as(heading + " in README.md").isNotNegative();
    int end = markdown.indexOf("\n## ", start + heading.length() + 2);
    return markdown.substring(start, end < 0 ? markdown.length() : end);
  }

  static List<Block> blocks(String markdown) {
    List<Block> out = new ArrayList<>();
    Matcher m = Pattern.compile("(?ms)^```(\\w+)\\n(.*?)^```\\s*$").matcher(markdown);
    while (m.find()) {
      out.add(new Block(m.group(1), m.group(2)));
    }
    return out;
  }

  /** The first usage event matching {@code filter} on the usage topic. */
  private static UsageEvent event(KafkaCluster kafka, Predicate<UsageEvent> filter) {
    try (KafkaConsumer<String, UsageEvent> c = new KafkaConsumer<>(Map.of("bootstrap.servers",
        kafka.bootstrapServers(), "group.id", "recipes-" + UUID.randomUUID(), "auto.offset.reset", "earliest",
        "isolation.level", "read_committed"), new StringDeserializer(), TollgateSerdes.usageEvent())) {
      c.subscribe(List.of(Topics.USAGE.name()));
      long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
      while (System.nanoTime() < deadline) {
        for (ConsumerRecord<String, UsageEvent> r : c.poll(Duration.ofMillis(200))) {
          if (r.value() != null && filter.test(r.value())) {
            return r.value();
          }
        }
      }
    }
    throw new AssertionError("no matching usage event within 30 s");
  }

  /**
   * Just enough of a shell for the README's blocks: comments, line continuations, single and double
   * quotes, {@code $VAR}, {@code export}, {@code curl} (-X, -H, -d) and {@code claude}.
   */
  static final class Shell {
    private final String base;
    private final Map<String, String> env = new LinkedHashMap<>();
    String generatedKey;
    final String oauthToken = "sk-ant-oat01-" + UUID.randomUUID();

    Shell(String base, Map<String, String> env) {
      this.base = base;
      this.env.putAll(env);
    }

    List<HttpResponse<String>> run(String script) throws Exception {
      List<HttpResponse<String>> answers = new ArrayList<>();
      for (List<String> words : commands(script)) {
        switch (words.get(0)) {
          case "export" -> {
            for (String assignment : words.subList(1, words.size())) {
              int eq = assignment.indexOf('=');
              env.put(assignment.substring(0, eq), assignment.substring(eq + 1));
            }
          }
          case "curl" -> answers.add(curl(words.subList(1, words.size())));
          case "claude" -> answers.add(claude());
          default -> throw new AssertionError("a command the test does not know: " + words);
        }
      }
      return answers;
    }

    private String url(String url) {
      assertThat(url).startsWith("http://localhost:4000");
      return base + url.substring("http://localhost:4000".length());
    }

    private HttpResponse<String> curl(List<String> args) throws Exception {
      String method = null;
      String url = null;
      String body = null;
      List<String> headers = new ArrayList<>();
      for (int i = 0; i < args.size(); i++) {
        switch (args.get(i)) {
          case "-X" -> method = args.get(++i);
          case "-H" -> headers.add(args.get(++i));
          case "-d", "--data" -> body = args.get(++i);
          default -> {
            assertThat(args.get(i)).as("a curl option the test does not know").doesNotStartWith("-");
            url = args.get(i);
          }
        }
      }
      if (method == null) {
        method = body == null ? "GET" : "POST";
      }
      HttpRequest.Builder r = HttpRequest.newBuilder(URI.create(url(url))).timeout(Duration.ofSeconds(20))
          .method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
      for (String h : headers) {
        int colon = h.indexOf(':');
        r.header(h.substring(0, colon).trim(), h.substring(colon + 1).trim());
      }
      return HTTP.send(r.build(), HttpResponse.BodyHandlers.ofString());
    }

    /** What Claude Code sends for one prompt with the variables set so far. */
    private HttpResponse<String> claude() throws Exception {
      String model = env.getOrDefault("ANTHROPIC_MODEL", CLAUDE_CODE_DEFAULT_MODEL);
      HttpRequest.Builder r = HttpRequest.newBuilder(URI.create(url(env.get("ANTHROPIC_BASE_URL") + "/v1/messages")))
          .timeout(Duration.ofSeconds(20))
          .header("content-type", "application/json")
          .header("anthropic-version", "2023-06-01")
          .header("user-agent", "claude-cli/2.0.14 (external, cli)")
          .POST(HttpRequest.BodyPublishers.ofString("{\"model\":\"" + model + "\",\"max_tokens\":32000,\"stream\":true,"
              + "\"messages\":[{\"role\":\"user\",\"content\":\"hello\"}]}"));
      if (env.containsKey("ANTHROPIC_API_KEY")) {
        r.header("x-api-key", env.get("ANTHROPIC_API_KEY"));
      } else { // logged in with a Claude subscription
        r.header("authorization", "Bearer " + oauthToken).header("anthropic-beta", "oauth-2025-04-20");
      }
      String custom = env.get("ANTHROPIC_CUSTOM_HEADERS");
      if (custom != null) {
        for (String h : custom.split("\n")) {
          int colon = h.indexOf(':');
          r.header(h.substring(0, colon).trim(), h.substring(colon + 1).trim());
        }
      }
      return HTTP.send(r.build(), HttpResponse.BodyHandlers.ofString());
    }

    /**
     * Splits a script into commands of words as sh would: a newline outside quotes ends a command,
     * backslash-newline continues it, quotes (which may span lines), $VAR outside single quotes,
     * # comments.
     */
    private List<List<String>> commands(String script) {
      List<List<String>> commands = new ArrayList<>();
      List<String> words = new ArrayList<>();
      StringBuilder word = null;
      String text = script.replace("\\\n", " ");
      for (int i = 0; i < text.length(); i++) {
        char c = text.charAt(i);
        if (c == '\'') {
          int end = text.indexOf('\'', i + 1);
          word = word == null ? new StringBuilder() : word;
          word.append(text, i + 1, end);
          i = end;
        } else if (c == '"') {
          int end = text.indexOf('"', i + 1);
          word = word == null ? new StringBuilder() : word;
          word.append(expand(text.substring(i + 1, end)));
          i = end;
        } else if (c == '#' && word == null) {
          while (i + 1 < text.length() && text.charAt(i + 1) != '\n') {
            i++;
          }
        } else if (Character.isWhitespace(c)) {
          if (word != null) {
            words.add(word.toString());
            word = null;
          }
          if (c == '\n' && !words.isEmpty()) {
            commands.add(words);
            words = new ArrayList<>();
          }
        } else {
          int end = i;
          while (end < text.length() && "'\"".indexOf(text.charAt(end)) < 0 && !Character.isWhitespace(text.charAt(end))) {
            end++;
          }
          word = word == null ? new StringBuilder() : word;
          word.append(expand(text.substring(i, end)));
          i = end - 1;
        }
      }
      if (word != null) {
        words.add(word.toString());
      }
      if (!words.isEmpty()) {
        commands.add(words);
      }
      return commands;
    }

    private String expand(String s) {
      Matcher m = Pattern.compile("\\$([A-Z_][A-Z0-9_]*)").matcher(s);
      StringBuilder out = new StringBuilder();
      while (m.find()) {
        String value = env.get(m.group(1));
        assertThat(value).as("$" + m.group(1) + " is set").isNotNull();
        m.appendReplacement(out, Matcher.quoteReplacement(value));
      }
      m.appendTail(out);
      String expanded = out.toString();
      // The README: "oauth_token_from_max_plan stands for the subscription's OAuth token".
      expanded = expanded.replace("oauth_token_from_max_plan", oauthToken);
      if (expanded.contains("sk-…")) {
        assertThat(generatedKey).as("sk-… used before /key/generate ran").isNotNull();
        expanded = expanded.replace("sk-…", generatedKey);
      }
      return expanded;
    }
  }
}
