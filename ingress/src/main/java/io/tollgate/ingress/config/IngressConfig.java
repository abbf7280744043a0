package io.tollgate.ingress.config;

import java.util.List;
import java.util.Map;

/**
 * Everything the gateway needs, validated. Built by {@link ConfigLoader} from a LiteLLM-style
 * {@code config.yaml} (plus a {@code tollgate:} section) and the environment.
 *
 * @param host                 bind address
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
 */
public record IngressConfig(String host, int port, String gatewayId, String masterKey,
                            Map<String, KeyEntry> virtualKeys, List<Deployment> deployments,
                            boolean forwardClientHeaders, List<String> userHeaderMappings,
                            String kafkaBootstrap, String spillDir, long maxBodyBytes, long upstreamTimeoutMs) {

  /** A configured virtual key. */
  public record KeyEntry(String alias, String defaultCustomer) {
  }

  @Override
  public String toString() {
    return "IngressConfig[" + host + ":" + port + ", gateway " + gatewayId + ", " + deployments.size()
        + " deployments, " + virtualKeys.size() + " keys, master key " + (masterKey == null ? "unset" : "set")
        + ", kafka " + kafkaBootstrap + "]";
  }
}
