package io.tollgate.ingress.provider;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.tollgate.ingress.config.Deployment;
import io.tollgate.ingress.usage.Api;
import io.vertx.core.buffer.Buffer;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(10)
class UpstreamCallTest {
  private static final ObjectMapper JSON = new ObjectMapper();

  private static Deployment d(String provider, String base) {
    return new Deployment("m", provider, "m", base, "k", false, Map.of());
  }

  @Test
  void urlsWithoutAQueryAreParsedOnceAndOnesWithAQueryEveryTime() {
    String plain = UpstreamCall.url(d("anthropic", "http://127.0.0.1:8089"), Api.MESSAGES, null);
    java.net.URL first = UpstreamCall.parsed(plain, true);
    assertThat(UpstreamCall.parsed(plain, true)).isSameAs(first);
    assertThat(first.getHost()).isEqualTo("127.0.0.1");
    assertThat(first.getPort()).isEqualTo(8089);
    assertThat(first.getFile()).isEqualTo("/v1/messages");
    String withQuery = UpstreamCall.url(d("anthropic", "http://127.0.0.1:8089"), Api.MESSAGES, "beta=true");
    java.net.URL q = UpstreamCall.parsed(withQuery, true);
    assertThat(q.getFile()).isEqualTo("/v1/messages?beta=true");
    assertThat(UpstreamCall.parsed(withQuery, true)).as("the client's query is never kept").isNotSameAs(q);
    String wildcard = UpstreamCall.url(d("anthropic", "http://127.0.0.1:8090"), Api.MESSAGES, null);
    assertThat(UpstreamCall.parsed(wildcard, false)).as("not cacheable: never kept").isNotSameAs(UpstreamCall.parsed(wildcard, false));
    assertThat(UpstreamCall.fixedModel(d("anthropic", "http://x"))).isTrue();
    assertThat(UpstreamCall.fixedModel(new Deployment("oai-*", "openai", null, "http://x", "k", false, Map.of())))
        .as("a wildcard forwards the client's model: its URLs are not the configuration's").isFalse();
    org.assertj.core.api.Assertions.assertThatThrownBy(() -> UpstreamCall.parsed("nota url", true))
        .isInstanceOf(io.vertx.core.VertxException.class).hasMessageContaining("Invalid url");
  }

  @Test
  void openAiBasesAreTheApiRootAsForTheOpenAiSdk() {
    assertThat(UpstreamCall.url(d("openai", "https://generativelanguage.googleapis.com/v1beta/openai"), Api.CHAT_COMPLETIONS, null))
        .isEqualTo("https://generativelanguage.googleapis.com/v1beta/openai/chat/completions");
    assertThat(UpstreamCall.url(d("openai", "https://llm.internal/v1"), Api.RESPONSES, null))
        .isEqualTo("https://llm.internal/v1/responses");
    assertThat(UpstreamCall.url(d("openai", "https://ark.example/api/v3/"), Api.EMBEDDINGS, null))
        .isEqualTo("https://ark.example/api/v3/embeddings");
    assertThat(UpstreamCall.url(d("openai", "https://api.openai.com"), Api.CHAT_COMPLETIONS, "a=1"))
        .isEqualTo("https://api.openai.com/v1/chat/completions?a=1");
    assertThat(UpstreamCall.url(d("anthropic", "https://api.anthropic.com"), Api.MESSAGES, "beta=true"))
        .isEqualTo("https://api.anthropic.com/v1/messages?beta=true");
    assertThat(UpstreamCall.url(d("anthropic", "https://proxy.example/anthropic/v1"), Api.COUNT_TOKENS, null))
        .isEqualTo("https://proxy.example/anthropic/v1/messages/count_tokens");
  }

  @Test
  void gatewayOnlyFieldsAreStrippedAndAnUntouchedBodyKeepsItsBytes() throws Exception {
    String raw = "{\"model\":\"m\",  \"messages\":[],\"metadata\":{\"user_id\":\"u\"},\"user\":\"c\"}";
    Buffer bytes = Buffer.buffer(raw);
    assertThat(UpstreamCall.body(bytes, JSON.readTree(raw), "m", Api.MESSAGES, false, false)).isSameAs(bytes);

    String withGatewayFields = "{\"model\":\"m\",\"messages\":[],\"litellm_metadata\":{\"user\":\"c\"},"
        + "\"tags\":[\"t\"],\"mock_response\":\"x\",\"metadata\":{\"user_id\":\"u\"}}";
    JsonNode sent = JSON.readTree(UpstreamCall.body(Buffer.buffer(withGatewayFields), JSON.readTree(withGatewayFields),
        "m", Api.MESSAGES, false, false).getBytes());
    assertThat(sent.has("litellm_metadata")).isFalse();
    assertThat(sent.has("tags")).isFalse();
    assertThat(sent.has("mock_response")).isFalse();
    assertThat(sent.at("/metadata/user_id").asText()).isEqualTo("u");
    assertThat(sent.path("messages").isArray()).isTrue();
  }

  @Test
  void metadataTagsNeverGoUpstreamOnAnyApi() throws Exception {
    String both = "{\"model\":\"m\",\"messages\":[],\"metadata\":{\"user_id\":\"u\",\"tags\":[\"f\"]}}";
    JsonNode sent = JSON.readTree(UpstreamCall.body(Buffer.buffer(both), JSON.readTree(both), "m", Api.MESSAGES,
        false, false).getBytes());
    assertThat(sent.path("metadata").has("tags")).isFalse();
    assertThat(sent.at("/metadata/user_id").asText()).isEqualTo("u");
    for (Api api : new Api[] {Api.CHAT_COMPLETIONS, Api.GENERATE_CONTENT, Api.MESSAGES}) {
      String only = "{\"model\":\"m\",\"contents\":[],\"metadata\":{\"tags\":[\"f\"]}}";
      JsonNode out = JSON.readTree(UpstreamCall.body(Buffer.buffer(only), JSON.readTree(only), "m", api, false, true)
          .getBytes());
      assertThat(out.has("metadata")).as("an object left empty is dropped (%s)", api).isFalse();
      assertThat(out.has("contents")).isTrue();
    }
  }
}
