package io.tollgate.ingress.config;

import com.fasterxml.jackson.databind.JsonNode;
import io.tollgate.ingress.budget.BudgetSettings;
import io.tollgate.ingress.publish.HandoffOptions;
import io.tollgate.schemas.clickhouse.ClickHouseSettings;
import io.tollgate.schemas.config.ConfigFile;
import io.tollgate.schemas.config.Env;
import io.tollgate.schemas.config.GeneralSettings;
import io.tollgate.schemas.config.LitellmSettings;
import io.tollgate.schemas.config.ModelEntry;
import io.tollgate.schemas.config.Problems;
import io.tollgate.schemas.config.TollgateSection;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * Builds {@link IngressConfig} from the shared config file ({@link ConfigFile}: LiteLLM's
 * {@code config.yaml} plus a {@code tollgate:} section) and the environment. Every error is
 * collected before failing ({@link ConfigException} lists them all); warnings (unknown keys,
 * LiteLLM settings Tollgate does not implement, an open gateway) go into {@link IngressConfig#warnings()}.
 *
 * <pre>
 * model_list:
 *   - model_name: claude-sonnet-4-5
 *     litellm_params: {model: anthropic/claude-sonnet-4-5, api_key: os.environ/ANTHROPIC_API_KEY}
 * general_settings: {master_key: os.environ/LITELLM_MASTER_KEY, forward_client_headers_to_llm_api: true}
 * litellm_settings: {model_group_settings: {forward_client_headers_to_llm_api: [claude-sonnet-4-5]}}
 * tollgate: {port: 4000, kafka: {bootstrap_servers: 127.0.0.1:9092}, keys: [{key: sk-…, alias: ci, customer_id: acme}]}
 * </pre>
 *
 * Environment overrides: {@code LITELLM_MASTER_KEY}, {@code TOLLGATE_PORT}, {@code TOLLGATE_HOST},
 * {@code TOLLGATE_KAFKA}, {@code TOLLGATE_GATEWAY_ID}, {@code TOLLGATE_SPILL_DIR}, {@code CLICKHOUSE_URL} (with
 * {@code CLICKHOUSE_USER}, {@code CLICKHOUSE_PASSWORD}, {@code CLICKHOUSE_SSL_ROOT_CERT}, {@code CLICKHOUSE_SSL_MODE}:
 * the ClickHouse the spend API reads).
 */
public final class ConfigLoader {
  private static final Map<String, String> DEFAULT_BASES = Map.of(
      "anthropic", "https://api.anthropic.com", "openai", "https://api.openai.com",
      "gemini", "https://generativelanguage.googleapis.com");

  private final Env env;
  private final Problems problems;

  private ConfigLoader(Env env, Problems problems) {
    this.env = env;
    this.problems = problems;
  }

  /** Loads {@code file} (null = no file: defaults + environment). */
  public static IngressConfig load(Path file, Map<String, String> env) {
    ConfigFile parsed;
    try {
      parsed = ConfigFile.load(file);
    } catch (io.tollgate.schemas.config.ConfigException e) {
      throw new ConfigException(e.problems());
    }
    return from(parsed, env);
  }

  /** From an already parsed tree (tests, the launcher). */
  public static IngressConfig fromTree(JsonNode root, Map<String, String> env) {
    return from(ConfigFile.of(root), env);
  }

  /** From the shared file, bound once (the launcher builds every app's config from one). */
  public static IngressConfig from(ConfigFile file, Map<String, String> env) {
    return new ConfigLoader(new Env(env), file.problems()).build(file.root());
  }

  private IngressConfig build(ConfigFile.Root root) {
    GeneralSettings general = root.generalSettings();
    LitellmSettings litellm = root.litellmSettings();
    TollgateSection tollgate = root.tollgate();

    String masterKey = first(env.get("LITELLM_MASTER_KEY"),
        env.resolve("general_settings.master_key", general.masterKey(), problems));
    if (masterKey != null && !masterKey.startsWith("sk-")) {
      problems.error("general_settings.master_key", "must start with 'sk-' (as in LiteLLM)");
    }
    boolean forwardAll = Boolean.TRUE.equals(general.forwardClientHeadersToLlmApi())
        || Boolean.TRUE.equals(litellm.forwardClientHeadersToLlmApi());
    // LiteLLM's place is litellm_settings.model_group_settings; older Tollgate configs put it at the root.
    Set<String> groupForward = new LinkedHashSet<>(litellm.modelGroupSettings().forwardClientHeadersToLlmApi());
    groupForward.addAll(root.modelGroupSettings().forwardClientHeadersToLlmApi());

    List<String> customerHeaders = new ArrayList<>(general.headersWithRole(GeneralSettings.CUSTOMER));
    if (general.userHeaderName() != null && !general.userHeaderName().isBlank()) {
      customerHeaders.add(general.userHeaderName().trim().toLowerCase(Locale.ROOT));
    }
    List<String> internalUserHeaders = general.headersWithRole(GeneralSettings.INTERNAL_USER);

    List<Deployment> deployments = new ArrayList<>();
    for (int i = 0; i < root.modelList().size(); i++) {
      Deployment d = deployment("model_list[" + i + "]", root.modelList().get(i), forwardAll, groupForward);
      if (d != null) {
        deployments.add(d);
      }
    }
    for (String group : groupForward) {
      if (deployments.stream().noneMatch(d -> d.modelName().equals(group))) {
        problems.warn("litellm_settings.model_group_settings.forward_client_headers_to_llm_api",
            "'" + group + "' is no model_name of model_list, ignored");
      }
    }

    Map<String, IngressConfig.KeyEntry> keys = new LinkedHashMap<>();
    for (int k = 0; k < tollgate.keys().size(); k++) {
      TollgateSection.Key key = tollgate.keys().get(k);
      String value = env.resolve("tollgate.keys[" + k + "].key", key.key(), problems);
      if (value != null && !value.isBlank()) {
        keys.put(value, new IngressConfig.KeyEntry(key.alias(), key.customerId()));
      }
    }

    Integer envPort = env.integer("TOLLGATE_PORT", problems);
    int port = envPort != null ? envPort : or(tollgate.port(), IngressConfig.DEFAULT_PORT);
    if (envPort != null && (envPort < 0 || envPort > 65535)) {
      problems.error("environment variable TOLLGATE_PORT", "must be a port number (0-65535)");
    }
    String host = first(env.get("TOLLGATE_HOST"), tollgate.host(), IngressConfig.DEFAULT_HOST);
    String kafka = first(env.get("TOLLGATE_KAFKA"), tollgate.kafka().bootstrapServers(), IngressConfig.DEFAULT_KAFKA);
    Map<String, String> kafkaProperties = env.resolveAll("tollgate.kafka.properties", tollgate.kafka().properties(),
        problems);
    // HOSTNAME (a container's or pod's name) keeps instances apart when nobody named them.
    String gatewayId = first(env.get("TOLLGATE_GATEWAY_ID"), tollgate.gatewayId(), env.get("HOSTNAME"),
        IngressConfig.DEFAULT_GATEWAY_ID);
    String spillDir = first(env.get("TOLLGATE_SPILL_DIR"), tollgate.spillDir(), IngressConfig.DEFAULT_SPILL_DIR);
    long maxBody = or(tollgate.maxRequestBodyMb(), IngressConfig.DEFAULT_MAX_REQUEST_BODY_MB) * 1024L * 1024L;
    long upstreamTimeout = millis(tollgate.upstreamTimeoutS(), IngressConfig.DEFAULT_UPSTREAM_TIMEOUT_MS);
    long idle = millis(tollgate.idleTimeoutS(), IngressConfig.DEFAULT_IDLE_TIMEOUT_MS);
    long requestRead = millis(tollgate.requestReadTimeoutS(), IngressConfig.DEFAULT_REQUEST_READ_TIMEOUT_MS);
    long streamIdle = millis(tollgate.streamIdleTimeoutS(), IngressConfig.DEFAULT_STREAM_IDLE_TIMEOUT_MS);
    List<String> cors = tollgate.cors() == null || tollgate.cors().allowedOrigins() == null
        ? IngressConfig.DEFAULT_CORS_ALLOWED_ORIGINS : List.copyOf(tollgate.cors().allowedOrigins());
    IngressConfig.Tls tls = tollgate.tls() == null ? null
        : new IngressConfig.Tls(tollgate.tls().certPath(), tollgate.tls().keyPath());

    HandoffOptions handoff = handoff(tollgate.handoff());
    ClickHouseSettings clickhouse = clickhouse(tollgate.clickhouse());
    BudgetSettings budgets = budgets(tollgate.budgets(), tollgate.alerts(), blankToNull(litellm.maxEndUserBudgetId()));

    if (masterKey == null && keys.isEmpty()) {
      problems.warn("general_settings.master_key", "the gateway is OPEN: no master_key and no tollgate.keys, so any "
          + "key is accepted and metered by its hash" + (isLoopback(host) ? "" : ", and it listens on " + host));
    }
    if (problems.errorCount() > 0) {
      throw new ConfigException(problems.errors(), problems.warnings());
    }
    return new IngressConfig(host, port, gatewayId, masterKey, keys, List.copyOf(deployments), forwardAll,
        List.copyOf(customerHeaders), kafka, spillDir, maxBody, upstreamTimeout,
        Boolean.TRUE.equals(litellm.forwardLlmProviderAuthHeaders()), idle, requestRead, streamIdle, cors,
        kafkaProperties, tls, internalUserHeaders, problems.warnings(), handoff, clickhouse, budgets,
        rateLimits(tollgate.rateLimits()), Boolean.TRUE.equals(general.rejectClientsideMetadataTags()));
  }

  /** The spend API's ClickHouse: {@code CLICKHOUSE_URL} or {@code tollgate.clickhouse.url}; none when neither is set. */
  private ClickHouseSettings clickhouse(TollgateSection.ClickHouse section) {
    String url = first(env.get("CLICKHOUSE_URL"), section.url());
    if (url == null) {
      return null;
    }
    try {
      return new ClickHouseSettings(url, first(section.database(), "tollgate"), env.get(ClickHouseSettings.USER_ENV),
          env.get(ClickHouseSettings.PASSWORD_ENV), null, env.get(ClickHouseSettings.SSL_ROOT_CERT_ENV),
          env.get(ClickHouseSettings.SSL_MODE_ENV));
    } catch (IllegalArgumentException e) {
      problems.error(env.get("CLICKHOUSE_URL") != null ? "environment variable CLICKHOUSE_URL" : "tollgate.clickhouse",
          e.getMessage());
      return null;
    }
  }

  /** {@code tollgate.budgets}, over the defaults; the section's own checks already reported bad values. */
  private static BudgetSettings budgets(TollgateSection.Budgets b, io.tollgate.schemas.config.AlertsSection alerts,
                                        String defaultEndUserBudgetId) {
    BudgetSettings d = BudgetSettings.DEFAULTS;
    // By default soft-budget alerts go where spend alerts go: log, plus Slack and email when configured.
    List<String> channels = new ArrayList<>(List.of("log"));
    if (alerts != null && alerts.slack() != null && alerts.slack().webhookUrl() != null) {
      channels.add("slack");
    }
    if (alerts != null && alerts.email() != null && alerts.email().host() != null) {
      channels.add("email");
    }
    return new BudgetSettings(b.enabled() == null ? d.enabled() : b.enabled(),
        b.onStaleTotals() == null ? d.failClosed() : b.onStaleTotals().trim().equalsIgnoreCase("closed"),
        b.maxStalenessS() == null ? d.maxStalenessMs() : b.maxStalenessS() * 1000L,
        b.softBudgetChannels() == null || b.softBudgetChannels().isEmpty() ? channels : b.softBudgetChannels(),
        b.defaultMaxOutputTokens() == null ? d.defaultMaxOutputTokens() : b.defaultMaxOutputTokens(),
        defaultEndUserBudgetId);
  }

  private static String blankToNull(String s) {
    return s == null || s.isBlank() ? null : s.strip();
  }

  /** {@code tollgate.rate_limits}, over the defaults (the section's own checks reported values below 1). */
  private static IngressConfig.RateLimits rateLimits(TollgateSection.RateLimits r) {
    IngressConfig.RateLimits d = IngressConfig.RateLimits.DEFAULTS;
    return new IngressConfig.RateLimits(r.instances() == null ? d.instances() : r.instances(),
        r.maxTrackedScopes() == null ? d.maxTrackedScopes() : r.maxTrackedScopes());
  }

  /** {@code tollgate.handoff}, over the defaults; the section's own checks already reported bad values. */
  private static HandoffOptions handoff(TollgateSection.Handoff h) {
    HandoffOptions d = HandoffOptions.DEFAULTS;
    HandoffOptions.Fsync fsync = HandoffOptions.Fsync.parse(h.fsync());
    long mb = 1024L * 1024L;
    return new HandoffOptions(fsync == null ? d.fsync() : fsync,
        h.fsyncIntervalMs() == null ? d.fsyncIntervalMs() : h.fsyncIntervalMs(),
        h.segmentMb() == null ? d.segmentBytes() : h.segmentMb() * mb,
        h.memoryMb() == null ? d.memoryBytes() : h.memoryMb() * mb,
        h.backlogLimitMb() == null ? d.backlogLimitBytes() : h.backlogLimitMb() * mb,
        h.preallocate() == null ? d.preallocate() : h.preallocate());
  }

  private Deployment deployment(String where, ModelEntry entry, boolean forwardAll, Set<String> groupForward) {
    String name = entry.modelName();
    String model = entry.litellmParams().model();
    if (name == null || name.isBlank()) {
      problems.error(where + ".model_name", "is required");
    }
    if (model == null || !model.contains("/")) {
      problems.error(where + ".litellm_params.model", "must look like anthropic/<model>, openai/<model> or gemini/<model>");
      return null;
    }
    String provider = model.substring(0, model.indexOf('/')).toLowerCase(Locale.ROOT);
    if (!DEFAULT_BASES.containsKey(provider)) {
      problems.error(where + ":", "provider '" + provider + "' is not supported (anthropic, openai, gemini)");
      return null;
    }
    String upstreamModel = model.substring(model.indexOf('/') + 1);
    String base = first(env.resolve(where + ".litellm_params.api_base", entry.litellmParams().apiBase(), problems),
        DEFAULT_BASES.get(provider));
    if (!base.startsWith("http://") && !base.startsWith("https://")) {
      problems.error(where + ".litellm_params.api_base", "must be an http(s) URL");
    }
    String apiKey = env.resolve(where + ".litellm_params.api_key", entry.litellmParams().apiKey(), problems);
    if (name == null || name.isBlank()) {
      return null;
    }
    return new Deployment(name, provider, upstreamModel.equals("*") ? null : upstreamModel,
        base.replaceAll("/+$", ""), apiKey, forwardAll || groupForward.contains(name), entry.priceOverrides());
  }

  private static long millis(Integer seconds, long fallbackMs) {
    return seconds == null ? fallbackMs : seconds * 1000L;
  }

  private static int or(Integer value, int fallback) {
    return value == null ? fallback : value;
  }

  private static boolean isLoopback(String host) {
    return host.equals("localhost") || host.startsWith("127.") || host.equals("::1");
  }

  private static String first(String... values) {
    for (String v : values) {
      if (v != null && !v.isBlank()) {
        return v.trim();
      }
    }
    return null;
  }
}
