package io.tollgate.launcher;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.tollgate.ingress.config.ConfigLoader;
import io.tollgate.ingress.config.IngressConfig;
import io.tollgate.schemas.config.ConfigFile;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;

/**
 * The gateway configuration of {@code ./tollgate run}: the user's file when given, else a model
 * list of wildcards — to the real providers when their keys are set, to the mock provider
 * otherwise — with Kafka, ClickHouse (for the spend API) and the spill directory of this run.
 */
final class GatewayConfigs {
  private GatewayConfigs() {
  }

  static IngressConfig build(LauncherOptions o, String kafka, String mockBaseUrl, Map<String, String> env) {
    return build(o, o.config() == null ? null : ConfigFile.load(Path.of(o.config())), kafka, mockBaseUrl, env);
  }

  /** With the user's file already read ({@code file}, null when none was given), without ClickHouse. */
  static IngressConfig build(LauncherOptions o, ConfigFile file, String kafka, String mockBaseUrl,
                             Map<String, String> env) {
    return build(o, file, kafka, mockBaseUrl, null, env, null);
  }

  /**
   * With the ClickHouse the spend API reads ({@code clickhouseUrl}: the run's, null = none) and the
   * run's master key ({@link MasterKey}; null: the config's or none).
   */
  static IngressConfig build(LauncherOptions o, ConfigFile file, String kafka, String mockBaseUrl, String clickhouseUrl,
                             Map<String, String> env, MasterKey masterKey) {
    Map<String, String> withRun = new HashMap<>(env);
    if (clickhouseUrl != null) {
      withRun.put("CLICKHOUSE_URL", clickhouseUrl); // the ClickHouse the aggregator writes, whatever the file says
    }
    if (masterKey != null) {
      withRun.put("LITELLM_MASTER_KEY", masterKey.value());
    }
    withRun.putIfAbsent("TOLLGATE_KAFKA", kafka);
    withRun.putIfAbsent("TOLLGATE_PORT", Integer.toString(o.gatewayPort()));
    withRun.putIfAbsent("TOLLGATE_HOST", "127.0.0.1");
    withRun.putIfAbsent("TOLLGATE_SPILL_DIR", o.home().resolve("spill").toString());
    if (file != null) {
      return ConfigLoader.from(file, withRun);
    }
    ObjectMapper json = new ObjectMapper();
    ObjectNode root = json.createObjectNode();
    ArrayNode models = root.putArray("model_list");
    boolean anthropicKey = present(env, "ANTHROPIC_API_KEY");
    boolean openAiKey = present(env, "OPENAI_API_KEY");
    if (anthropicKey || mockBaseUrl != null) {
      wildcard(models, "claude-*", "anthropic", anthropicKey ? null : mockBaseUrl, anthropicKey ? "os.environ/ANTHROPIC_API_KEY" : null);
    }
    if (openAiKey || mockBaseUrl != null) {
      for (String pattern : new String[] {"gpt-*", "o1*", "o3*", "o4*", "text-embedding-*", "codex-*"}) {
        wildcard(models, pattern, "openai", openAiKey ? null : mockBaseUrl, openAiKey ? "os.environ/OPENAI_API_KEY" : null);
      }
    }
    if (mockBaseUrl != null) {
      // Only to the mock: GEMINI_API_KEY is where Gemini CLI users put their *virtual* key, so it
      // cannot also mean "route to Google" (a config file's os.environ/… can). The mock's Gemini
      // API answers 403 without a key, as Google's does: it gets a placeholder.
      wildcard(models, "gemini-*", "gemini", mockBaseUrl, "mock-gemini-key");
    }
    if (mockBaseUrl != null && !anthropicKey && !openAiKey) {
      // Only the mock behind every model: its x-mock-* steering headers (the demo's token counts)
      // must reach it, and LiteLLM forwards x-* headers only with this setting.
      root.putObject("general_settings").put("forward_client_headers_to_llm_api", true);
    }
    return ConfigLoader.fromTree(root, withRun);
  }

  private static void wildcard(ArrayNode models, String name, String provider, String base, String key) {
    ObjectNode entry = models.addObject().put("model_name", name);
    // As in LiteLLM, the *s of the model name fill the *s of the model: anthropic/* would drop "claude-".
    ObjectNode params = entry.putObject("litellm_params").put("model", provider + "/" + name);
    if (base != null) {
      params.put("api_base", base);
    }
    if (key != null) {
      params.put("api_key", key);
    }
  }

  private static boolean present(Map<String, String> env, String name) {
    return env.get(name) != null && !env.get(name).isBlank();
  }
}
