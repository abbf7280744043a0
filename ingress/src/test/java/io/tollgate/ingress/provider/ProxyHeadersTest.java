package io.tollgate.ingress.provider;

import static org.assertj.core.api.Assertions.assertThat;

import io.tollgate.ingress.config.Deployment;
import io.tollgate.ingress.identity.KeyAuth;
import io.vertx.core.MultiMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** What a load balancer in front adds never reaches the provider (docs/security.md). */
@Timeout(value = 10, unit = TimeUnit.SECONDS)
class ProxyHeadersTest {

  @Test
  void forwardedForProtoHostAndRealIpStayAtTheGatewayOtherXHeadersGo() {
    MultiMap client = MultiMap.caseInsensitiveMultiMap()
        .add("X-Forwarded-For", "203.0.113.7, 10.0.0.2").add("x-forwarded-proto", "https")
        .add("X-Forwarded-Host", "llm.example.com").add("x-forwarded-port", "443").add("X-Real-IP", "203.0.113.7")
        .add("Forwarded", "for=203.0.113.7;proto=https").add("x-request-tag", "kept");
    // Even with forward_client_headers_to_llm_api, which otherwise passes every x-* header.
    Deployment d = new Deployment("gpt-5", "openai", "gpt-5", "http://upstream", "sk-p", true, Map.of());
    KeyAuth.Identity caller = new KeyAuth.Identity(KeyAuth.sha256("sk-caller"), "a", null, KeyAuth.Source.LITELLM_HEADER);
    MultiMap upstream = UpstreamHeaders.build(client, d, caller, false);
    assertThat(upstream.names()).doesNotContain("X-Forwarded-For", "x-forwarded-proto", "X-Forwarded-Host",
        "x-forwarded-port", "X-Real-IP", "Forwarded");
    assertThat(upstream.get("x-request-tag")).isEqualTo("kept");
  }
}
