package io.tollgate.ingress.identity;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.tollgate.ingress.config.IngressConfig;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(10)
class IdentityTest {
  private static final ObjectMapper JSON = new ObjectMapper();

  private static Function<String, String> headers(String... kv) {
    Map<String, String> map = new java.util.HashMap<>();
    for (int i = 0; i < kv.length; i += 2) {
      map.put(kv[i].toLowerCase(), kv[i + 1]);
    }
    return name -> map.get(name.toLowerCase());
  }

  private static IngressConfig config(String master, Map<String, IngressConfig.KeyEntry> keys) {
    return new IngressConfig("127.0.0.1", 0, "gw", master, keys, List.of(), false, List.of(), "k:1", "/tmp", 1, 1,
        false, 1, 1, 1, List.of("*"), Map.of(), null);
  }

  @Test
  void directoryKeysAuthenticateAndOnlyTheMasterKeyIsMaster() {
    String hash = KeyAuth.sha256("sk-from-directory");
    io.tollgate.schemas.VirtualKey stored = io.tollgate.schemas.VirtualKey.newBuilder().setKeyHash(hash)
        .setKeyAlias("dev-1").setDefaultCustomerId("acme").setTeamId("platform").setUserId("u-7")
        .setCreatedAt(java.time.Instant.EPOCH).build();
    java.util.concurrent.atomic.AtomicBoolean deleted = new java.util.concurrent.atomic.AtomicBoolean();
    Directory directory = new Directory() {
      @Override
      public io.tollgate.schemas.VirtualKey key(String keyHash) {
        return hash.equals(keyHash) && !deleted.get() ? stored : null;
      }

      @Override
      public io.tollgate.schemas.Team team(String teamId) {
        return null;
      }

      @Override
      public io.tollgate.schemas.Customer customer(String customerId) {
        return null;
      }

      @Override
      public io.tollgate.schemas.Budget budget(String budgetId) {
        return null;
      }
    };
    KeyAuth auth = new KeyAuth(config("sk-master", Map.of()), directory);
    KeyAuth.Identity id = auth.authenticate(headers("x-litellm-api-key", "Bearer sk-from-directory"));
    assertThat(id.alias()).isEqualTo("dev-1");
    assertThat(id.defaultCustomer()).isEqualTo("acme");
    assertThat(id.teamId()).as("the key's team goes on its usage events").isEqualTo("platform");
    assertThat(id.userId()).isEqualTo("u-7");
    assertThat(auth.isMaster(id)).isFalse();
    assertThat(auth.isMaster(auth.authenticate(headers("authorization", "Bearer sk-master")))).isTrue();
    assertThat(auth.isMaster(new KeyAuth.Identity("master-but-not-a-hash", "master", null, null))).isFalse();
    assertThat(auth.authenticate(headers("x-api-key", "sk-deleted"))).isNull();
    assertThat(auth.open()).isFalse();
    // looked up again at the body's end by hash: still there, then deleted meanwhile
    assertThat(auth.current(id)).isEqualTo(id);
    deleted.set(true);
    assertThat(auth.current(id)).as("deleted while the body uploaded").isNull();
    KeyAuth.Identity master = auth.authenticate(headers("authorization", "Bearer sk-master"));
    assertThat(auth.current(master)).isEqualTo(master);
    assertThat(auth.current(new KeyAuth.Identity(hash, "master", null, null))).as("named master, not it").isNull();
    assertThat(new KeyAuth(config(null, Map.of()), directory).open()).as("a key store closes the gateway").isFalse();
  }

  @Test
  void keyPrecedenceFollowsLiteLlm() {
    KeyAuth auth = new KeyAuth(config("sk-master", Map.of("sk-a", new IngressConfig.KeyEntry("a", "acme"))));
    KeyAuth.Identity id = auth.authenticate(headers("x-litellm-api-key", "sk-a", "authorization", "Bearer oauth", "x-api-key", "sk-x"));
    assertThat(id.source()).isEqualTo(KeyAuth.Source.LITELLM_HEADER);
    assertThat(id.alias()).isEqualTo("a");
    assertThat(id.defaultCustomer()).isEqualTo("acme");
    assertThat(id.hash()).isEqualTo(KeyAuth.sha256("sk-a")).hasSize(64);
    assertThat(auth.authenticate(headers("authorization", "Bearer sk-master", "x-api-key", "sk-a")).alias()).isEqualTo("master");
    assertThat(auth.authenticate(headers("x-api-key", "sk-a")).source()).isEqualTo(KeyAuth.Source.X_API_KEY);
    assertThat(auth.authenticate(headers("x-api-key", "sk-unknown"))).isNull();
    assertThat(auth.authenticate(headers())).isNull();
  }

  @Test
  void anOpenGatewayMetersAnyKeyByHash() {
    KeyAuth open = new KeyAuth(config(null, Map.of()));
    assertThat(open.authenticate(headers("x-api-key", "whatever")).hash()).isEqualTo(KeyAuth.sha256("whatever"));
    assertThat(open.authenticate(headers()).hash()).isNull();
  }

  @Test
  void theLiteLlmHeaderMayCarryABearerPrefixAsInTheClaudeMaxRecipe() {
    KeyAuth auth = new KeyAuth(config("sk-master", Map.of("sk-a", new IngressConfig.KeyEntry("a", "acme"))));
    KeyAuth.Identity id = auth.authenticate(headers("x-litellm-api-key", "Bearer sk-a",
        "authorization", "Bearer sk-ant-oat01-user"));
    assertThat(id).isNotNull();
    assertThat(id.alias()).isEqualTo("a");
    assertThat(id.source()).isEqualTo(KeyAuth.Source.LITELLM_HEADER);
    assertThat(auth.authenticate(headers("x-litellm-api-key", "bearer  sk-master")).alias()).isEqualTo("master");
  }

  @Test
  void theFirstHeaderCarryingAKnownKeyAuthenticatesTheOthersAreTheClientsOwn() {
    KeyAuth auth = new KeyAuth(config("sk-master", Map.of("sk-a", new IngressConfig.KeyEntry("a", null))));
    // Claude Code logged in to Claude Max (OAuth in Authorization) with the gateway key in x-api-key.
    KeyAuth.Identity id = auth.authenticate(headers("x-api-key", "sk-a", "authorization", "Bearer sk-ant-oat01-user"));
    assertThat(id).isNotNull();
    assertThat(id.source()).isEqualTo(KeyAuth.Source.X_API_KEY);
    assertThat(id.source().header()).isEqualTo("x-api-key");
    // BYOK: the gateway key in Authorization, the client's provider key in x-api-key.
    assertThat(auth.authenticate(headers("authorization", "Bearer sk-a", "x-api-key", "sk-ant-api03-own")).source())
        .isEqualTo(KeyAuth.Source.AUTHORIZATION);
    // An unknown value in a higher header does not hide a known key in a lower one.
    assertThat(auth.authenticate(headers("x-litellm-api-key", "sk-nope", "x-api-key", "sk-a")).source())
        .isEqualTo(KeyAuth.Source.X_API_KEY);
    assertThat(auth.authenticate(headers("authorization", "Basic sk-a"))).as("only the Bearer scheme").isNull();
    assertThat(id.isKey("sk-a")).isTrue();
    assertThat(id.isKey("Bearer sk-a")).isTrue();
    assertThat(id.isKey("Bearer sk-ant-oat01-user")).isFalse();
  }

  @Test
  void customerPrecedenceFirstFoundWins() throws Exception {
    CustomerResolver r = new CustomerResolver(List.of("x-openwebui-user-id"));
    JsonNode body = JSON.readTree("{\"user\":\"u-body\",\"litellm_metadata\":{\"user\":\"u-lm\"},"
        + "\"metadata\":{\"user_id\":\"u-meta\"},\"safety_identifier\":\"u-safety\"}");
    assertThat(r.resolve(headers("x-litellm-customer-id", "c1", "x-litellm-end-user-id", "c2"), body, "k"))
        .isEqualTo(new CustomerResolver.Customer("c1", "header_customer_id"));
    assertThat(r.resolve(headers("x-litellm-end-user-id", "c2", "x-openwebui-user-id", "c3"), body, "k"))
        .isEqualTo(new CustomerResolver.Customer("c2", "header_end_user_id"));
    assertThat(r.resolve(headers("x-openwebui-user-id", "c3"), body, "k"))
        .isEqualTo(new CustomerResolver.Customer("c3", "user_header_mapping"));
    assertThat(r.resolve(headers(), body, "k")).isEqualTo(new CustomerResolver.Customer("u-body", "body_user"));
    assertThat(r.resolve(headers(), JSON.readTree("{\"litellm_metadata\":{\"user\":\"u-lm\"},\"metadata\":{\"user_id\":\"u-meta\"}}"), "k"))
        .isEqualTo(new CustomerResolver.Customer("u-lm", "body_litellm_metadata_user"));
    assertThat(r.resolve(headers(), JSON.readTree("{\"metadata\":{\"user_id\":\"u-meta\"},\"safety_identifier\":\"s\"}"), "k"))
        .isEqualTo(new CustomerResolver.Customer("u-meta", "body_metadata_user_id"));
    assertThat(r.resolve(headers(), JSON.readTree("{\"safety_identifier\":\"u-safety\"}"), "k"))
        .isEqualTo(new CustomerResolver.Customer("u-safety", "body_safety_identifier"));
    assertThat(r.resolve(headers("x-litellm-customer-id", "  "), JSON.readTree("{}"), null))
        .isEqualTo(CustomerResolver.Customer.NONE);
  }

  @Test
  void customerRulesLiteLlmAppliesToBodyValues() throws Exception {
    CustomerResolver r = new CustomerResolver(List.of());
    assertThat(r.resolve(headers(), JSON.readTree("{\"user\":4711}"), null))
        .as("LiteLLM takes str(user)").isEqualTo(new CustomerResolver.Customer("4711", "body_user"));
    assertThat(r.resolve(headers(), JSON.readTree("{\"metadata\":{\"user\":\"u-meta\"}}"), "k"))
        .as("LiteLLM does not read metadata.user").isEqualTo(new CustomerResolver.Customer("k", "key_default"));
    String claudeCode = "{\"metadata\":{\"user_id\":\"{\\\"device_id\\\":\\\"d\\\",\\\"session_id\\\":\\\"s-1\\\"}\"},"
        + "\"safety_identifier\":\"u-safety\"}";
    assertThat(r.resolve(headers(), JSON.readTree(claudeCode), "k"))
        .as("Claude Code's JSON user_id yields only the session").isEqualTo(new CustomerResolver.Customer("u-safety", "body_safety_identifier"));
    String legacy = "{\"metadata\":{\"user_id\":\"user_ab12_account_0b3c4d5e-0000-4000-8000-000000000000_session_"
        + "1b3c4d5e-0000-4000-8000-000000000000\"}}";
    assertThat(r.resolve(headers(), JSON.readTree(legacy), null)).isEqualTo(CustomerResolver.Customer.NONE);
  }
}
