package io.tollgate.ingress.config;

import io.tollgate.ingress.budget.BudgetSettings;
import io.tollgate.ingress.publish.HandoffOptions;
import io.tollgate.schemas.clickhouse.ClickHouseSettings;
import java.util.List;
import java.util.Map;

/**
 * Everything the gateway needs, validated. Built by {@link ConfigLoader} from a LiteLLM-style
 * {@code config.yaml} (plus a {@code tollgate:} section) and the environment.
 *
 * @param host                 bind address (default 127.0.0.1: loopback unless told otherwise)
 * @param port                 listen port (LiteLLM's 4000 by default)
 * @param gatewayId            name of this instance in usage events
 * @param masterKey            LiteLLM {@code general_settings.master_key}, or null
 * @param virtualKeys          keys accepted until the key store exists: key → (alias, default customer)
 * @param deployments          the model list
 * @param forwardClientHeaders {@code forward_client_headers_to_llm_api} for every model
 * @param userHeaderMappings   extra headers that name the customer, in order
 * @param kafkaBootstrap       Kafka bootstrap servers
 * @param spillDir             where events wait while Kafka is unreachable
 * @param maxBodyBytes         request body limit (413 above)
 * @param upstreamTimeoutMs    idle timeout towards upstream (504 before the first byte)
 * @param forwardProviderAuthHeaders {@code litellm_settings.forward_llm_provider_auth_headers}: BYOK,
 *                             the client's own provider key header goes upstream instead of the configured one
 * @param idleTimeoutMs        a client connection with no traffic for this long is closed
 * @param requestReadTimeoutMs a request whose headers and body have not fully arrived by then gets 408
 * @param streamIdleTimeoutMs  an upstream answer that sends nothing for this long mid-body is cut
 * @param corsAllowedOrigins   origins allowed by CORS ({@code *} = any, LiteLLM's default)
 * @param kafkaProperties      extra Kafka client properties (SSL, SASL, …) for every client of the app
 * @param tls                  TLS on the gateway port, or null for plain HTTP
 * @param internalUserHeaders  {@code user_header_mappings} with role {@code internal_user}: they name
 *                             the internal user (as in LiteLLM), never the customer
 * @param handoff              the durable hand-off log: fsync policy and limits ({@code tollgate.handoff})
 * @param clickhouse           the ClickHouse the spend API reads ({@code tollgate.clickhouse}, {@code CLICKHOUSE_URL}),
 *                             or null: the spend routes then answer 503
 * @param budgets              budget enforcement ({@code tollgate.budgets})
 * @param rateLimits           how rate limits are enforced ({@code tollgate.rate_limits}, docs/rate-limits.md)
 * @param rejectClientTags     LiteLLM's {@code general_settings.reject_clientside_metadata_tags}: calls whose
 *                             client sent tags are refused (400); tags come only from keys and teams
 * @param warnings             what the config gets wrong without stopping the gateway (unknown keys,
 *                             LiteLLM settings Tollgate does not implement, an open gateway): logged
 *                             at start, and {@code --validate} fails on them
 */
public record IngressConfig(String host, int port, String gatewayId, String masterKey,
                            Map<String, KeyEntry> virtualKeys, List<Deployment> deployments,
                            boolean forwardClientHeaders, List<String> userHeaderMappings,
                            String kafkaBootstrap, String spillDir, long maxBodyBytes, long upstreamTimeoutMs,
                            boolean forwardProviderAuthHeaders, long idleTimeoutMs, long requestReadTimeoutMs,
                            long streamIdleTimeoutMs, List<String> corsAllowedOrigins,
                            Map<String, String> kafkaProperties, Tls tls, List<String> internalUserHeaders,
                            List<String> warnings, HandoffOptions handoff, ClickHouseSettings clickhouse,
                            BudgetSettings budgets, RateLimits rateLimits, boolean rejectClientTags) {
  /** Defaults, in one place. */
  public static final int DEFAULT_PORT = 4000;
  /** Loopback: an open gateway must never listen on every interface unless told to. */
  public static final String DEFAULT_HOST = "127.0.0.1";
  public static final String DEFAULT_KAFKA = "127.0.0.1:9092";
  public static final String DEFAULT_GATEWAY_ID = "gateway-1";
  public static final String DEFAULT_SPILL_DIR = ".tollgate/spill";
  public static final int DEFAULT_MAX_REQUEST_BODY_MB = 32;
  public static final long DEFAULT_UPSTREAM_TIMEOUT_MS = 600_000;
  public static final List<String> DEFAULT_CORS_ALLOWED_ORIGINS = List.of("*");
  public static final long DEFAULT_IDLE_TIMEOUT_MS = 120_000;
  public static final long DEFAULT_REQUEST_READ_TIMEOUT_MS = 60_000;
  public static final long DEFAULT_STREAM_IDLE_TIMEOUT_MS = 300_000;

  public IngressConfig {
    internalUserHeaders = internalUserHeaders == null ? List.of() : List.copyOf(internalUserHeaders);
    warnings = warnings == null ? List.of() : List.copyOf(warnings);
    handoff = handoff == null ? HandoffOptions.DEFAULTS : handoff;
    budgets = budgets == null ? BudgetSettings.DEFAULTS : budgets;
    rateLimits = rateLimits == null ? RateLimits.DEFAULTS : rateLimits;
  }

  /** Without a spend store, with the default budget settings. */
  public IngressConfig(String host, int port, String gatewayId, String masterKey, Map<String, KeyEntry> virtualKeys,
                       List<Deployment> deployments, boolean forwardClientHeaders, List<String> userHeaderMappings,
                       String kafkaBootstrap, String spillDir, long maxBodyBytes, long upstreamTimeoutMs,
                       boolean forwardProviderAuthHeaders, long idleTimeoutMs, long requestReadTimeoutMs,
                       long streamIdleTimeoutMs, List<String> corsAllowedOrigins, Map<String, String> kafkaProperties,
                       Tls tls, List<String> internalUserHeaders, List<String> warnings, HandoffOptions handoff) {
    this(host, port, gatewayId, masterKey, virtualKeys, deployments, forwardClientHeaders, userHeaderMappings,
        kafkaBootstrap, spillDir, maxBodyBytes, upstreamTimeoutMs, forwardProviderAuthHeaders, idleTimeoutMs,
        requestReadTimeoutMs, streamIdleTimeoutMs, corsAllowedOrigins, kafkaProperties, tls, internalUserHeaders,
        warnings, handoff, (ClickHouseSettings) null, BudgetSettings.DEFAULTS, RateLimits.DEFAULTS, false);
  }

  /** With a spend store, the default budget settings. */
  public IngressConfig(String host, int port, String gatewayId, String masterKey, Map<String, KeyEntry> virtualKeys,
                       List<Deployment> deployments, boolean forwardClientHeaders, List<String> userHeaderMappings,
                       String kafkaBootstrap, String spillDir, long maxBodyBytes, long upstreamTimeoutMs,
                       boolean forwardProviderAuthHeaders, long idleTimeoutMs, long requestReadTimeoutMs,
                       long streamIdleTimeoutMs, List<String> corsAllowedOrigins, Map<String, String> kafkaProperties,
                       Tls tls, List<String> internalUserHeaders, List<String> warnings, HandoffOptions handoff,
                       ClickHouseSettings clickhouse) {
    this(host, port, gatewayId, masterKey, virtualKeys, deployments, forwardClientHeaders, userHeaderMappings,
        kafkaBootstrap, spillDir, maxBodyBytes, upstreamTimeoutMs, forwardProviderAuthHeaders, idleTimeoutMs,
        requestReadTimeoutMs, streamIdleTimeoutMs, corsAllowedOrigins, kafkaProperties, tls, internalUserHeaders,
        warnings, handoff, clickhouse, BudgetSettings.DEFAULTS, RateLimits.DEFAULTS, false);
  }

  /** Without a spend store. */
  public IngressConfig(String host, int port, String gatewayId, String masterKey, Map<String, KeyEntry> virtualKeys,
                       List<Deployment> deployments, boolean forwardClientHeaders, List<String> userHeaderMappings,
                       String kafkaBootstrap, String spillDir, long maxBodyBytes, long upstreamTimeoutMs,
                       boolean forwardProviderAuthHeaders, long idleTimeoutMs, long requestReadTimeoutMs,
                       long streamIdleTimeoutMs, List<String> corsAllowedOrigins, Map<String, String> kafkaProperties,
                       Tls tls, List<String> internalUserHeaders, List<String> warnings, HandoffOptions handoff,
                       BudgetSettings budgets) {
    this(host, port, gatewayId, masterKey, virtualKeys, deployments, forwardClientHeaders, userHeaderMappings,
        kafkaBootstrap, spillDir, maxBodyBytes, upstreamTimeoutMs, forwardProviderAuthHeaders, idleTimeoutMs,
        requestReadTimeoutMs, streamIdleTimeoutMs, corsAllowedOrigins, kafkaProperties, tls, internalUserHeaders,
        warnings, handoff, null, budgets, RateLimits.DEFAULTS, false);
  }

  /**
   * @param instances        instances sharing every limit: each enforces {@code ceil(limit / instances)}
   * @param maxTrackedScopes scopes with their own rate-limit entry at once
   */
  public record RateLimits(int instances, int maxTrackedScopes) {
    public static final RateLimits DEFAULTS = new RateLimits(1, 50_000);
  }

  /** With the default hand-off options. */
  public IngressConfig(String host, int port, String gatewayId, String masterKey, Map<String, KeyEntry> virtualKeys,
                       List<Deployment> deployments, boolean forwardClientHeaders, List<String> userHeaderMappings,
                       String kafkaBootstrap, String spillDir, long maxBodyBytes, long upstreamTimeoutMs,
                       boolean forwardProviderAuthHeaders, long idleTimeoutMs, long requestReadTimeoutMs,
                       long streamIdleTimeoutMs, List<String> corsAllowedOrigins, Map<String, String> kafkaProperties,
                       Tls tls, List<String> internalUserHeaders, List<String> warnings) {
    this(host, port, gatewayId, masterKey, virtualKeys, deployments, forwardClientHeaders, userHeaderMappings,
        kafkaBootstrap, spillDir, maxBodyBytes, upstreamTimeoutMs, forwardProviderAuthHeaders, idleTimeoutMs,
        requestReadTimeoutMs, streamIdleTimeoutMs, corsAllowedOrigins, kafkaProperties, tls, internalUserHeaders,
        warnings, HandoffOptions.DEFAULTS);
  }

  /** Without internal-user headers and warnings (tests, code built before they existed). */
  public IngressConfig(String host, int port, String gatewayId, String masterKey, Map<String, KeyEntry> virtualKeys,
                       List<Deployment> deployments, boolean forwardClientHeaders, List<String> userHeaderMappings,
                       String kafkaBootstrap, String spillDir, long maxBodyBytes, long upstreamTimeoutMs,
                       boolean forwardProviderAuthHeaders, long idleTimeoutMs, long requestReadTimeoutMs,
                       long streamIdleTimeoutMs, List<String> corsAllowedOrigins, Map<String, String> kafkaProperties,
                       Tls tls) {
    this(host, port, gatewayId, masterKey, virtualKeys, deployments, forwardClientHeaders, userHeaderMappings,
        kafkaBootstrap, spillDir, maxBodyBytes, upstreamTimeoutMs, forwardProviderAuthHeaders, idleTimeoutMs,
        requestReadTimeoutMs, streamIdleTimeoutMs, corsAllowedOrigins, kafkaProperties, tls, List.of(), List.of(),
        HandoffOptions.DEFAULTS);
  }

  /** Whether anyone may call it: no master key and no virtual keys (any key is metered by its hash). */
  public boolean open() {
    return masterKey == null && virtualKeys.isEmpty();
  }

  /** PEM certificate chain and private key for TLS on the gateway port. */
  public record Tls(String certPath, String keyPath) {
  }

  /** A configured virtual key. */
  public record KeyEntry(String alias, String defaultCustomer) {
  }

  @Override
  public String toString() {
    return "IngressConfig[" + host + ":" + port + ", gateway " + gatewayId + ", " + deployments.size()
        + " deployments, " + virtualKeys.size() + " keys, master key " + (masterKey == null ? "unset" : "set")
        + ", kafka " + kafkaBootstrap + (kafkaProperties == null || kafkaProperties.isEmpty() ? "" : " " + kafkaProperties.keySet())
        + ", spend store " + (clickhouse == null ? "none" : clickhouse.url() + "/" + clickhouse.database()) + "]";
  }
}
