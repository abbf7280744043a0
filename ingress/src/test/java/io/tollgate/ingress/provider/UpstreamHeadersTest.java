package io.tollgate.ingress.provider;

import static org.assertj.core.api.Assertions.assertThat;

import io.tollgate.ingress.config.Deployment;
import io.tollgate.ingress.identity.KeyAuth;
import io.vertx.core.MultiMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(10)
class UpstreamHeadersTest {
  private static final String MASTER = "sk-master-1";
  private static final String OAUTH = "Bearer sk-ant-oat01-user-token";

  private static Deployment anthropic(boolean forward) {
    return new Deployment("claude", "anthropic", "claude-x", "https://api.anthropic.com", "sk-ant-provider", forward, Map.of());
  }

  private static Deployment openai(boolean forward) {
    return new Deployment("gpt", "openai", "gpt-x", "https://api.openai.com", "sk-openai-provider", forward, Map.of());
  }

  private static KeyAuth.Identity id(String key, KeyAuth.Source source) {
    return new KeyAuth.Identity(KeyAuth.sha256(key), "a", null, source);
  }

  private static MultiMap client(String... kv) {
    MultiMap m = MultiMap.caseInsensitiveMultiMap();
    for (int i = 0; i < kv.length; i += 2) {
      m.add(kv[i], kv[i + 1]);
    }
    return m;
  }

  private static MultiMap leaky() {
    return client("x-forwarded-for", "10.1.2.3", "x-real-ip", "10.1.2.3", "x-goog-api-key", "g-secret",
        "x-amz-security-token", "aws-secret", "x-custom-trace", "t-1", "anthropic-dangerous-direct-browser-access", "true",
        "anthropic-beta", "prompt-caching-2024-07-31", "anthropic-version", "2023-06-01", "cookie", "session=1",
        "x-stainless-lang", "python", "x-litellm-customer-id", "c", "x-litellm-api-key", MASTER,
        "api-key", "azure-secret", "user-agent", "claude-cli/2.1.3", "connection", "keep-alive");
  }

  @Test
  void byDefaultOnlyTheAnthropicHeadersGoAndOnlyToAnthropic() {
    MultiMap out = UpstreamHeaders.build(leaky(), anthropic(false), id(MASTER, KeyAuth.Source.LITELLM_HEADER), false);
    assertThat(out.names()).containsExactlyInAnyOrder("anthropic-beta", "anthropic-version", "content-type",
        "accept-encoding", "x-api-key");
    assertThat(out.get("x-api-key")).isEqualTo("sk-ant-provider");
    assertThat(out.get("anthropic-beta")).isEqualTo("prompt-caching-2024-07-31");

    MultiMap chat = UpstreamHeaders.build(leaky(), openai(false), id(MASTER, KeyAuth.Source.LITELLM_HEADER), false);
    assertThat(chat.names()).containsExactlyInAnyOrder("content-type", "accept-encoding", "authorization");
    assertThat(chat.get("authorization")).isEqualTo("Bearer sk-openai-provider");
  }

  @Test
  void forwardingAddsTheClientsXHeadersButNeverGatewayOrCredentialHeaders() {
    MultiMap out = UpstreamHeaders.build(leaky(), openai(true), id(MASTER, KeyAuth.Source.LITELLM_HEADER), false);
    assertThat(out.get("x-custom-trace")).isEqualTo("t-1");
    // LiteLLM forwards x-forwarded-for too when asked to; Tollgate never does (ProxyHeaders, docs/security.md).
    assertThat(out.names()).as("a proxy's headers stay at the gateway").doesNotContain("x-forwarded-for", "x-real-ip");
    assertThat(out.names()).doesNotContain("x-goog-api-key", "x-amz-security-token", "api-key", "cookie",
        "x-stainless-lang", "x-litellm-customer-id", "x-litellm-api-key", "connection", "anthropic-beta",
        "anthropic-dangerous-direct-browser-access");
    assertThat(out.get("authorization")).isEqualTo("Bearer sk-openai-provider");
  }

  @Test
  void theMasterKeyNeverGoesUpstreamWhateverHeaderCarriesIt() {
    MultiMap c = client("x-litellm-api-key", MASTER, "authorization", "Bearer " + MASTER, "x-api-key", MASTER,
        "x-master-copy", MASTER);
    for (Deployment d : new Deployment[] {anthropic(true), openai(true)}) {
      for (boolean byok : new boolean[] {false, true}) {
        MultiMap out = UpstreamHeaders.build(c, d, id(MASTER, KeyAuth.Source.LITELLM_HEADER), byok);
        assertThat(out.toString()).as(d.provider() + " byok=" + byok).doesNotContain(MASTER);
      }
    }
    MultiMap chat = UpstreamHeaders.build(client("x-litellm-api-key", MASTER, "authorization", "Bearer sk-client-openai"),
        openai(true), id(MASTER, KeyAuth.Source.LITELLM_HEADER), false);
    assertThat(chat.get("authorization")).as("a client Authorization never replaces the OpenAI key")
        .isEqualTo("Bearer sk-openai-provider");
  }

  @Test
  void anAnthropicOauthTokenReplacesTheProviderKeyOnAnthropicOnly() {
    MultiMap c = client("x-api-key", "sk-gw", "authorization", OAUTH, "anthropic-beta", "claude-code-20250219");
    MultiMap out = UpstreamHeaders.build(c, anthropic(false), id("sk-gw", KeyAuth.Source.X_API_KEY), false);
    assertThat(out.get("authorization")).isEqualTo(OAUTH);
    assertThat(out.contains("x-api-key")).as("no provider key beside the OAuth token").isFalse();
    assertThat(out.get("anthropic-beta")).isEqualTo("claude-code-20250219,oauth-2025-04-20");

    MultiMap chat = UpstreamHeaders.build(c, openai(false), id("sk-gw", KeyAuth.Source.X_API_KEY), false);
    assertThat(chat.get("authorization")).isEqualTo("Bearer sk-openai-provider");

    MultiMap notOauth = UpstreamHeaders.build(client("x-litellm-api-key", "sk-gw", "authorization", "Bearer something-else"),
        anthropic(true), id("sk-gw", KeyAuth.Source.LITELLM_HEADER), false);
    assertThat(notOauth.contains("authorization")).isFalse();
    assertThat(notOauth.get("x-api-key")).isEqualTo("sk-ant-provider");
  }

  @Test
  void byokSendsTheClientsXApiKeyInsteadOfTheConfiguredOneUnlessItLoggedIn() {
    MultiMap c = client("authorization", "Bearer sk-gw", "x-api-key", "sk-own-provider-key");
    assertThat(UpstreamHeaders.build(c, anthropic(false), id("sk-gw", KeyAuth.Source.AUTHORIZATION), true).get("x-api-key"))
        .isEqualTo("sk-own-provider-key");
    assertThat(UpstreamHeaders.build(c, openai(false), id("sk-gw", KeyAuth.Source.AUTHORIZATION), true).get("authorization"))
        .isEqualTo("Bearer sk-own-provider-key");
    assertThat(UpstreamHeaders.build(c, anthropic(false), id("sk-gw", KeyAuth.Source.AUTHORIZATION), false).get("x-api-key"))
        .as("off by default").isEqualTo("sk-ant-provider");
    MultiMap loggedInWithIt = client("x-api-key", "sk-gw");
    assertThat(UpstreamHeaders.build(loggedInWithIt, anthropic(false), id("sk-gw", KeyAuth.Source.X_API_KEY), true)
        .get("x-api-key")).isEqualTo("sk-ant-provider");
  }
}
