package io.tollgate.ingress.provider;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import io.tollgate.ingress.config.ConfigLoader;
import io.tollgate.ingress.config.Deployment;
import io.tollgate.ingress.config.IngressConfig;
import io.tollgate.ingress.identity.CustomerResolver;
import io.tollgate.ingress.identity.KeyAuth;
import io.tollgate.ingress.pricing.PriceTable;
import io.tollgate.ingress.usage.Api;
import io.tollgate.ingress.usage.Usage;
import io.vertx.core.MultiMap;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.Map;
import java.util.function.Function;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** Gemini's routes, keys, upstream URL and headers, error shape and prices: no servers. */
@Timeout(10)
class GeminiRoutesTest {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final String KEY = "sk-gateway-key";
  private static final Deployment GEMINI = new Deployment("gemini-*", "gemini", "gemini-*",
      "https://generativelanguage.googleapis.com", "AIza-provider", false, Map.of());

  @ParameterizedTest(name = "{0}")
  @CsvSource(delimiter = '|', value = {
      "/v1beta/models/gemini-2.5-pro:generateContent|GENERATE_CONTENT|gemini-2.5-pro",
      "/v1beta/models/gemini-2.5-flash:streamGenerateContent|STREAM_GENERATE_CONTENT|gemini-2.5-flash",
      "/models/gemini-2.5-flash:countTokens|GEMINI_COUNT_TOKENS|gemini-2.5-flash",
      "/v1/models/gemini-embedding-001:embedContent|EMBED_CONTENT|gemini-embedding-001",
      "/gemini/v1beta/models/gemini-2.0-flash:generateContent|GENERATE_CONTENT|gemini-2.0-flash",
      "/v1beta/models/my%20model:generateContent|GENERATE_CONTENT|my model",
  })
  void routes(String path, Api api, String model) {
    assertThat(GeminiRoutes.api(path)).isEqualTo(api);
    assertThat(GatewayServer.route(path)).isEqualTo(api);
    assertThat(GeminiRoutes.model(path)).isEqualTo(model);
  }

  @ParameterizedTest
  @CsvSource({"/v1beta/models/gemini-2.5-pro", "/v1beta/models/gemini-2.5-pro:predict", "/v1beta/models/:generateContent",
      "/v1beta/models/a/b:generateContent", "/v2/models/x:generateContent", "/v1beta/tunedModels/x:generateContent"})
  void notRoutes(String path) {
    assertThat(GeminiRoutes.api(path)).isNull();
  }

  @Test
  void theCallersKeyNeverGoesUpstreamInTheQuery() {
    assertThat(GeminiRoutes.queryKey("alt=sse&key=sk-a%2Bb")).isEqualTo("sk-a+b");
    assertThat(GeminiRoutes.withoutKey("key=sk-1&alt=sse&key=sk-2")).isEqualTo("alt=sse");
    assertThat(GeminiRoutes.withoutKey("key=sk-1")).isNull();
    Router.Target target = new Router.Target(GEMINI, "gemini-2.5-flash");
    assertThat(UpstreamCall.url(target, Api.STREAM_GENERATE_CONTENT, "key=" + KEY + "&alt=sse")).isEqualTo(
        "https://generativelanguage.googleapis.com/v1beta/models/gemini-2.5-flash:streamGenerateContent?alt=sse");
    Deployment versioned = new Deployment("g", "gemini", "gemini-2.5-pro", "http://127.0.0.1:9/v1beta/", null, false,
        Map.of());
    assertThat(UpstreamCall.url(new Router.Target(versioned, "gemini-2.5-pro"), Api.GEMINI_COUNT_TOKENS, null))
        .isEqualTo("http://127.0.0.1:9/v1beta/models/gemini-2.5-pro:countTokens");
  }

  @Test
  void theKeyIsFoundInEachOfGeminisPlaces() {
    IngressConfig config = config();
    KeyAuth auth = new KeyAuth(config);
    Function<String, String> none = name -> null;
    assertThat(auth.authenticate(GeminiRoutes.credentials(headers("x-goog-api-key", KEY), null)).source())
        .isEqualTo(KeyAuth.Source.X_GOOG_API_KEY);
    assertThat(auth.authenticate(GeminiRoutes.credentials(none, "alt=sse&key=" + KEY)).source())
        .isEqualTo(KeyAuth.Source.QUERY_KEY);
    assertThat(auth.authenticate(GeminiRoutes.credentials(headers("authorization", "Bearer " + KEY), null)).source())
        .isEqualTo(KeyAuth.Source.AUTHORIZATION);
    assertThat(auth.authenticate(GeminiRoutes.credentials(headers("x-goog-api-key", "AIza-users-own"), "key=nope")))
        .isNull();
    // on a Gemini route the query parameter is answered from the query, never from a header of that name
    assertThat(auth.authenticate(GeminiRoutes.credentials(headers(KeyAuth.QUERY_KEY, KEY), "alt=sse"))).isNull();
  }

  @Test
  void admissionRoutesByThePathsModelAndAnswersUnknownOnesWith404() {
    IngressConfig config = config();
    Admission admission = new Admission(new KeyAuth(config), new CustomerResolver(config.userHeaderMappings()),
        new Router(config.deployments()), config.maxBodyBytes());
    Function<String, String> creds = GeminiRoutes.credentials(name -> null, "key=" + KEY);
    byte[] body = "{\"model\":\"claude-sonnet-4-5\",\"contents\":[{\"role\":\"user\",\"parts\":[{\"text\":\"hi\"}]}]}"
        .getBytes(StandardCharsets.UTF_8);
    Admission.Admitted a = (Admission.Admitted) admission.admit(Api.STREAM_GENERATE_CONTENT, "gemini-2.5-flash", creds, body);
    assertThat(a.model()).as("the path's model, not the body's").isEqualTo("gemini-2.5-flash");
    assertThat(a.streamed()).isTrue();
    assertThat(a.targets().get(0).upstreamModel()).isEqualTo("gemini-2.5-flash");
    assertThat(a.targets().get(0).deployment().provider()).isEqualTo("gemini");
    Admission.Rejected r = (Admission.Rejected) admission.admit(Api.GENERATE_CONTENT, "llama-9000", creds, body);
    assertThat(r.status()).isEqualTo(404);
    Admission.Rejected longName = (Admission.Rejected) admission.admit(Api.GENERATE_CONTENT,
        "gemini-" + "x".repeat(Admission.MAX_ROUTABLE_MODEL), creds, body);
    assertThat(longName.status()).isEqualTo(404);
    assertThat(longName.message().length()).isLessThan(300);
    // an Anthropic model name on a Gemini route is not served by the Anthropic deployment
    Admission.Rejected cross = (Admission.Rejected) admission.admit(Api.GENERATE_CONTENT, "claude-sonnet-4-5", creds, body);
    assertThat(cross.status()).isEqualTo(404);
  }

  @Test
  void upstreamGetsTheConfiguredKeyInXGoogApiKeyAndTheBodyUnchanged() throws Exception {
    KeyAuth.Identity caller = new KeyAuth.Identity(KeyAuth.sha256(KEY), "a", null, KeyAuth.Source.X_GOOG_API_KEY);
    MultiMap client = MultiMap.caseInsensitiveMultiMap().add("x-goog-api-key", KEY).add("authorization", "Bearer " + KEY)
        .add("x-goog-api-client", "google-genai-sdk/1.30.0 gl-node/v22");
    MultiMap out = UpstreamHeaders.build(client, GEMINI, caller, false);
    assertThat(out.get("x-goog-api-key")).isEqualTo("AIza-provider");
    assertThat(out.get("authorization")).isNull();
    assertThat(out.toString()).doesNotContain(KEY);
    io.vertx.core.buffer.Buffer raw = io.vertx.core.buffer.Buffer.buffer("{\"contents\":[]}");
    assertThat(UpstreamCall.body(raw, readTree(raw.toString()), "gemini-2.5-pro", Api.GENERATE_CONTENT, true, false))
        .as("no model field is added to a Gemini body").isSameAs(raw);
  }

  @Test
  void errorsInGooglesShape() throws Exception {
    JsonNode e = JSON.readTree(ApiErrors.body(Api.GENERATE_CONTENT, 404, "model 'x' is not configured"));
    assertThat(e.at("/error/code").asInt()).isEqualTo(404);
    assertThat(e.at("/error/status").asText()).isEqualTo("NOT_FOUND");
    assertThat(e.at("/error/message").asText()).isEqualTo("model 'x' is not configured");
    assertThat(JSON.readTree(ApiErrors.gemini(401, "no key")).at("/error/status").asText()).isEqualTo("UNAUTHENTICATED");
    assertThat(JSON.readTree(ApiErrors.gemini(429, "slow down")).at("/error/status").asText())
        .isEqualTo("RESOURCE_EXHAUSTED");
    assertThat(JSON.readTree(ApiErrors.gemini(502, "down")).at("/error/status").asText()).isEqualTo("UNAVAILABLE");
  }

  @Test
  void anUpstreamErrorBodyPassesWithoutTrippingTheUsageReader() {
    for (Api api : new Api[] {Api.GENERATE_CONTENT, Api.MESSAGES, Api.CHAT_COMPLETIONS}) {
      for (String encoding : new String[] {null, "gzip"}) {
        ResponseTap tap = ResponseTap.of(api, 429, "application/json", encoding, false);
        io.vertx.core.buffer.Buffer body = io.vertx.core.buffer.Buffer.buffer(ApiErrors.gemini(429, "quota"));
        assertThat(tap.onChunk(body)).isSameAs(body);
        assertThat(tap.reading().readFailed()).as(api + " " + encoding).isFalse();
        assertThat(tap.reading().source()).isEqualTo("none");
      }
    }
  }

  @Test
  void geminiPricesWithTheLongContextTier() {
    PriceTable prices = PriceTable.bundled();
    // 2.5 Pro at or under 200k prompt tokens: $1.25 in, $10 out, $0.125 cached per million
    Usage small = new Usage(100_000, 10_000, 100_000, 0, 0, 0, null, null, true);
    assertThat(prices.cost("gemini/gemini-2.5-pro", small).nanos())
        .isEqualTo(100_000 * 1_250L + 10_000 * 10_000L + 100_000 * 125L);
    // above 200k prompt tokens (cached included) every token at the tier: $2.50, $15, $0.25
    Usage large = new Usage(100_001, 10_000, 100_000, 0, 0, 0, null, null, true);
    assertThat(prices.cost("gemini/gemini-2.5-pro", large).nanos())
        .isEqualTo(100_001 * 2_500L + 10_000 * 15_000L + 100_000 * 250L);
    assertThat(prices.cost("gemini/gemini-2.5-flash", new Usage(1_000_000, 1_000_000, 0, 0, 0, 0, null, null, true))
        .nanos()).isEqualTo(300_000_000L + 2_500_000_000L);
    assertThat(prices.cost("gemini-2.5-flash-lite", new Usage(1_000_000, 1_000_000, 1_000_000, 0, 0, 0, null, null, true))
        .nanos()).isEqualTo(100_000_000L + 400_000_000L + 10_000_000L);
    assertThat(prices.cost("gemini/gemini-2.0-flash", new Usage(1_000_000, 0, 1_000_000, 0, 0, 0, null, null, true))
        .nanos()).isEqualTo(100_000_000L + 25_000_000L);
  }

  private static JsonNode readTree(String s) throws java.io.IOException {
    return JSON.readTree(s);
  }

  private static Function<String, String> headers(String... kv) {
    Map<String, String> m = new HashMap<>();
    for (int i = 0; i < kv.length; i += 2) {
      m.put(kv[i], kv[i + 1]);
    }
    return m::get;
  }

  private static IngressConfig config() {
    String yaml = """
        model_list:
          - model_name: "gemini-*"
            litellm_params: {model: "gemini/gemini-*", api_key: AIza-provider}
          - model_name: claude-sonnet-4-5
            litellm_params: {model: anthropic/claude-sonnet-4-5, api_key: sk-ant}
        general_settings: {master_key: sk-master-1}
        tollgate:
          keys: [{key: %s, alias: a}]
        """.formatted(KEY);
    try {
      return ConfigLoader.fromTree(new ObjectMapper(new YAMLFactory()).readTree(yaml), Map.of());
    } catch (java.io.IOException e) {
      throw new AssertionError(e);
    }
  }
}
