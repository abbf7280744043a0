package io.tollgate.ingress.identity;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.tollgate.ingress.config.IngressConfig;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import org.junit.jupiter.api.Test;

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
  void customerPrecedenceFirstFoundWins() throws Exception {
    CustomerResolver r = new CustomerResolver(List.of("x-openwebui-user-id"));
    JsonNode body = JSON.readTree("{\"user\":\"u-body\",\"litellm_metadata\":{\"user\":\"u-lm\"},\"metadata\":{\"user\":\"u-meta\"}}");
    assertThat(r.resolve(headers("x-litellm-customer-id", "c1", "x-litellm-end-user-id", "c2"), body, "k"))
        .isEqualTo(new CustomerResolver.Customer("c1", "header_customer_id"));
    assertThat(r.resolve(headers("x-litellm-end-user-id", "c2", "x-openwebui-user-id", "c3"), body, "k"))
        .isEqualTo(new CustomerResolver.Customer("c2", "header_end_user_id"));
    assertThat(r.resolve(headers("x-openwebui-user-id", "c3"), body, "k"))
        .isEqualTo(new CustomerResolver.Customer("c3", "user_header_mapping"));
    assertThat(r.resolve(headers(), body, "k")).isEqualTo(new CustomerResolver.Customer("u-body", "body_user"));
    assertThat(r.resolve(headers(), JSON.readTree("{\"litellm_metadata\":{\"user\":\"u-lm\"},\"metadata\":{\"user\":\"u-meta\"}}"), "k"))
        .isEqualTo(new CustomerResolver.Customer("u-lm", "body_litellm_metadata_user"));
    assertThat(r.resolve(headers(), JSON.readTree("{\"metadata\":{\"user\":\"u-meta\",\"user_id\":\"x\"}}"), "k"))
        .isEqualTo(new CustomerResolver.Customer("u-meta", "body_metadata_user"));
    assertThat(r.resolve(headers(), JSON.readTree("{\"metadata\":{\"user_id\":\"cc-json\"}}"), "k"))
        .isEqualTo(new CustomerResolver.Customer("k", "key_default"));
    assertThat(r.resolve(headers("x-litellm-customer-id", "  "), JSON.readTree("{}"), null))
        .isEqualTo(CustomerResolver.Customer.NONE);
  }
}
