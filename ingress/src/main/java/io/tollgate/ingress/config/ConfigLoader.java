package io.tollgate.ingress.config;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * Builds {@link IngressConfig} from a LiteLLM-style YAML file plus the environment, collecting
 * every problem before failing ({@link ConfigException} lists them all).
 *
 * <pre>
 * model_list:
 *   - model_name: claude-sonnet-4-5
 *     litellm_params: {model: anthropic/claude-sonnet-4-5, api_key: os.environ/ANTHROPIC_API_KEY}
 * general_settings: {master_key: os.environ/LITELLM_MASTER_KEY, forward_client_headers_to_llm_api: true}
 * tollgate: {port: 4000, kafka: {bootstrap_servers: 127.0.0.1:9092}, keys: [{key: sk-…, alias: ci, customer_id: acme}]}
 * </pre>
 */
public final class ConfigLoader {
  private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());
  private static final Set<String> PRICE_KEYS = Set.of("input_cost_per_token", "output_cost_per_token",
      "cache_read_input_token_cost", "cache_creation_input_token_cost", "cache_creation_input_token_cost_above_1hr",
      "input_cost_per_token_above_200k_tokens", "output_cost_per_token_above_200k_tokens");
  private static final Map<String, String> DEFAULT_BASES = Map.of(
      "anthropic", "https://api.anthropic.com", "openai", "https://api.openai.com");

  private final Map<String, String> env;
  private final List<String> problems = new ArrayList<>();

  private ConfigLoader(Map<String, String> env) {
    this.env = env;
  }

  /** Loads {@code file} (null = no file: defaults + environment). */
  public static IngressConfig load(Path file, Map<String, String> env) {
    JsonNode root = YAML.createObjectNode();
    if (file != null) {
      try {
        JsonNode parsed = YAML.readTree(Files.readAllBytes(file));
        root = parsed == null || parsed.isMissingNode() ? root : parsed;
      } catch (IOException e) {
        throw new ConfigException(List.of("cannot read config " + file + ": " + e.getMessage().lines().findFirst().orElse("")));
      }
    }
    return new ConfigLoader(env).build(root);
  }

  /** From an already parsed tree (tests, the launcher). */
  public static IngressConfig fromTree(JsonNode root, Map<String, String> env) {
    return new ConfigLoader(env).build(root);
  }

  private IngressConfig build(JsonNode root) {
    if (!root.isObject()) {
      throw new ConfigException(List.of("config must be a YAML mapping"));
    }
    JsonNode general = root.path("general_settings");
    JsonNode litellm = root.path("litellm_settings");
    JsonNode tollgate = root.path("tollgate");

    String masterKey = firstNonBlank(env.get("LITELLM_MASTER_KEY"), resolve("general_settings.master_key", general.get("master_key")));
    if (masterKey != null && !masterKey.startsWith("sk-")) {
      problems.add("general_settings.master_key must start with 'sk-' (as in LiteLLM)");
    }
    boolean forwardAll = general.path("forward_client_headers_to_llm_api").asBoolean(false)
        || litellm.path("forward_client_headers_to_llm_api").asBoolean(false);
    List<String> groupForward = new ArrayList<>();
    root.path("model_group_settings").path("forward_client_headers_to_llm_api").forEach(n -> groupForward.add(n.asText()));

    List<String> userHeaders = new ArrayList<>();
    for (JsonNode m : general.path("user_header_mappings")) {
      String header = m.isTextual() ? m.asText() : m.path("header_name").asText(null);
      if (header == null || header.isBlank()) {
        problems.add("general_settings.user_header_mappings entries need header_name");
      } else {
        userHeaders.add(header.toLowerCase(Locale.ROOT));
      }
    }
    if (general.hasNonNull("user_header_name")) {
      userHeaders.add(general.get("user_header_name").asText().toLowerCase(Locale.ROOT));
    }

    List<Deployment> deployments = new ArrayList<>();
    int i = 0;
    for (JsonNode entry : root.path("model_list")) {
      Deployment d = deployment("model_list[" + i++ + "]", entry, forwardAll, groupForward);
      if (d != null) {
        deployments.add(d);
      }
    }

    Map<String, IngressConfig.KeyEntry> keys = new LinkedHashMap<>();
    int k = 0;
    for (JsonNode key : tollgate.path("keys")) {
      String where = "tollgate.keys[" + k++ + "]";
      String value = resolve(where + ".key", key.get("key"));
      if (value == null || value.isBlank()) {
        problems.add(where + ".key is required");
        continue;
      }
      keys.put(value, new IngressConfig.KeyEntry(key.path("alias").asText(null), key.path("customer_id").asText(null)));
    }

    int port = intValue("tollgate.port", firstNonBlank(env.get("TOLLGATE_PORT"), tollgate.path("port").asText(null)), 4000, 0);
    String host = firstNonBlank(env.get("TOLLGATE_HOST"), tollgate.path("host").asText(null), "0.0.0.0");
    String kafka = firstNonBlank(env.get("TOLLGATE_KAFKA"), tollgate.path("kafka").path("bootstrap_servers").asText(null), "127.0.0.1:9092");
    // HOSTNAME (a container's or pod's name) keeps instances apart when nobody named them.
    String gatewayId = firstNonBlank(env.get("TOLLGATE_GATEWAY_ID"), tollgate.path("gateway_id").asText(null),
        env.get("HOSTNAME"), "gateway-1");
    String spillDir = firstNonBlank(env.get("TOLLGATE_SPILL_DIR"), tollgate.path("spill_dir").asText(null), ".tollgate/spill");
    long maxBody = intValue("tollgate.max_request_body_mb", tollgate.path("max_request_body_mb").asText(null), 32, 1) * 1024L * 1024L;
    long timeout = intValue("tollgate.upstream_timeout_s", tollgate.path("upstream_timeout_s").asText(null), 600, 1) * 1000L;
    long idleMs = seconds(tollgate, "idle_timeout_s", IngressConfig.DEFAULT_IDLE_TIMEOUT_MS);
    long readMs = seconds(tollgate, "request_read_timeout_s", IngressConfig.DEFAULT_REQUEST_READ_TIMEOUT_MS);
    long streamIdleMs = seconds(tollgate, "stream_idle_timeout_s", IngressConfig.DEFAULT_STREAM_IDLE_TIMEOUT_MS);
    if (!problems.isEmpty()) {
      throw new ConfigException(problems);
    }
    return new IngressConfig(host, port, gatewayId, masterKey, keys, List.copyOf(deployments), forwardAll,
        List.copyOf(userHeaders), kafka, spillDir, maxBody, timeout,
        litellm.path("forward_llm_provider_auth_headers").asBoolean(false),
        idleMs, readMs, streamIdleMs, origins(tollgate), Map.of(), null);
  }

  private long seconds(JsonNode tollgate, String key, long defaultMs) {
    String v = tollgate.path(key).asText(null);
    return v == null ? defaultMs : intValue("tollgate." + key, v, (int) (defaultMs / 1000), 1) * 1000L;
  }

  private static List<String> origins(JsonNode tollgate) {
    List<String> out = new ArrayList<>();
    tollgate.path("cors").path("allowed_origins").forEach(n -> out.add(n.asText()));
    return out.isEmpty() ? List.of("*") : List.copyOf(out);
  }

  private Deployment deployment(String where, JsonNode entry, boolean forwardAll, List<String> groupForward) {
    String name = entry.path("model_name").asText(null);
    JsonNode params = entry.path("litellm_params");
    String model = params.path("model").asText(null);
    if (name == null || name.isBlank()) {
      problems.add(where + ".model_name is required");
    }
    if (model == null || !model.contains("/")) {
      problems.add(where + ".litellm_params.model must look like anthropic/<model> or openai/<model>");
      return null;
    }
    String provider = model.substring(0, model.indexOf('/')).toLowerCase(Locale.ROOT);
    if (!DEFAULT_BASES.containsKey(provider)) {
      problems.add(where + ": provider '" + provider + "' is not supported (anthropic, openai)");
      return null;
    }
    String upstreamModel = model.substring(model.indexOf('/') + 1);
    String base = firstNonBlank(resolve(where + ".litellm_params.api_base", params.get("api_base")), DEFAULT_BASES.get(provider));
    if (!base.startsWith("http://") && !base.startsWith("https://")) {
      problems.add(where + ".litellm_params.api_base must be an http(s) URL");
    }
    String apiKey = resolve(where + ".litellm_params.api_key", params.get("api_key"));
    Map<String, Object> prices = new LinkedHashMap<>();
    for (JsonNode source : List.of(params, entry.path("model_info"))) {
      source.fields().forEachRemaining(f -> {
        if (PRICE_KEYS.contains(f.getKey())) {
          prices.put(f.getKey(), f.getValue().isNumber() ? f.getValue().decimalValue() : f.getValue().asText());
        }
      });
    }
    if (name == null) {
      return null;
    }
    return new Deployment(name, provider, upstreamModel.equals("*") ? null : upstreamModel,
        base.replaceAll("/+$", ""), apiKey, forwardAll || groupForward.contains(name), prices);
  }

  /** Resolves {@code os.environ/NAME}; a missing variable is a problem. */
  private String resolve(String where, JsonNode value) {
    if (value == null || value.isNull()) {
      return null;
    }
    String s = value.asText();
    if (s.startsWith("os.environ/")) {
      String name = s.substring("os.environ/".length());
      String v = env.get(name);
      if (v == null || v.isBlank()) {
        problems.add(where + " refers to environment variable " + name + ", which is not set");
        return null;
      }
      return v;
    }
    return s;
  }

  private int intValue(String where, String value, int fallback, int min) {
    if (value == null || value.isBlank()) {
      return fallback;
    }
    try {
      int n = Integer.parseInt(value.trim());
      if (n < min) {
        problems.add(where + " must be at least " + min + ", got " + value);
      }
      return n;
    } catch (NumberFormatException e) {
      problems.add(where + " must be a number, got '" + value + "'");
      return fallback;
    }
  }

  private static String firstNonBlank(String... values) {
    for (String v : values) {
      if (v != null && !v.isBlank()) {
        return v.trim();
      }
    }
    return null;
  }
}
