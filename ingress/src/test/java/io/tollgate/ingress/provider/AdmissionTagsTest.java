package io.tollgate.ingress.provider;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import io.tollgate.ingress.config.ConfigLoader;
import io.tollgate.ingress.config.IngressConfig;
import io.tollgate.ingress.identity.CustomerResolver;
import io.tollgate.ingress.identity.Directory;
import io.tollgate.ingress.identity.KeyAuth;
import io.tollgate.ingress.identity.RequestTags;
import io.tollgate.ingress.usage.Api;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.function.Function;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** Tags through admission on the three API shapes, and {@code reject_clientside_metadata_tags}. */
@Timeout(10)
class AdmissionTagsTest {
  private static final String KEY = "sk-tags-test-key-000000";

  private static IngressConfig config(boolean reject) {
    String yaml = """
        model_list:
          - model_name: "gemini-*"
            litellm_params: {model: "gemini/gemini-*", api_key: AIza-provider}
          - model_name: claude-sonnet-4-5
            litellm_params: {model: anthropic/claude-sonnet-4-5, api_key: sk-ant}
          - model_name: gpt-5
            litellm_params: {model: openai/gpt-5, api_key: sk-oai}
        general_settings: {master_key: sk-master-1, reject_clientside_metadata_tags: %s}
        tollgate:
          keys: [{key: %s, alias: a}]
        """.formatted(reject, KEY);
    try {
      return ConfigLoader.fromTree(new ObjectMapper(new YAMLFactory()).readTree(yaml), Map.of());
    } catch (java.io.IOException e) {
      throw new AssertionError(e);
    }
  }

  private static Admission admission(IngressConfig config) {
    return new Admission(new KeyAuth(config), new CustomerResolver(config.userHeaderMappings()),
        new Router(config.deployments()), config.maxBodyBytes(), null,
        new RequestTags(Directory.EMPTY, RequestTags.DroppedTags.NONE), config.rejectClientTags());
  }

  private static Function<String, String> headers(String tags) {
    return name -> switch (name) {
      case "x-api-key", "x-goog-api-key" -> KEY;
      case RequestTags.HEADER -> tags;
      default -> null;
    };
  }

  private static byte[] bytes(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }

  @Test
  void everyApiShapeCarriesItsTagsIntoTheCall() {
    IngressConfig config = config(false);
    assertThat(config.rejectClientTags()).isFalse();
    assertThat(config.warnings()).noneMatch(w -> w.contains("reject_clientside_metadata_tags"));
    Admission a = admission(config);
    var anthropic = (Admission.Admitted) a.admit(Api.MESSAGES, headers("h1"), bytes(
        "{\"model\":\"claude-sonnet-4-5\",\"messages\":[],\"metadata\":{\"user_id\":\"u\",\"tags\":[\"m1\"]}}"));
    assertThat(anthropic.tags()).containsExactly("m1", "h1");
    var openai = (Admission.Admitted) a.admit(Api.CHAT_COMPLETIONS, headers(null), bytes(
        "{\"model\":\"gpt-5\",\"messages\":[],\"litellm_metadata\":{\"tags\":[\"l1\",\"l1\"]},\"tags\":[\"r1\"]}"));
    assertThat(openai.tags()).containsExactly("l1", "r1");
    var gemini = (Admission.Admitted) a.admit(Api.GENERATE_CONTENT, "gemini-2.5-pro", headers("g1,g2"),
        bytes("{\"contents\":[]}"));
    assertThat(gemini.tags()).containsExactly("g1", "g2");
  }

  @Test
  void refusedCallsKeepTheTagsKnownSoFar() {
    Admission a = admission(config(false));
    var unknownModel = (Admission.Rejected) a.admit(Api.MESSAGES, headers("h1"),
        bytes("{\"model\":\"nope\",\"metadata\":{\"tags\":[\"m1\"]}}"));
    assertThat(unknownModel.status()).isEqualTo(404);
    assertThat(unknownModel.tags()).containsExactly("m1", "h1");
    var badJson = (Admission.Rejected) a.admit(Api.MESSAGES, headers("h1"), bytes("{not json"));
    assertThat(badJson.status()).isEqualTo(400);
    assertThat(badJson.tags()).as("the header's tags, the body being unreadable").containsExactly("h1");
  }

  @Test
  void rejectClientsideMetadataTagsRefusesEveryClientSourceInTheCallersShape() {
    IngressConfig config = config(true);
    assertThat(config.rejectClientTags()).isTrue();
    Admission a = admission(config);
    var body = (Admission.Rejected) a.admit(Api.CHAT_COMPLETIONS, headers(null),
        bytes("{\"model\":\"gpt-5\",\"metadata\":{\"tags\":[\"x\"]}}"));
    assertThat(body.status()).isEqualTo(400);
    assertThat(body.reason()).isEqualTo("client_tags_rejected");
    assertThat(body.message()).contains("'metadata.tags' not allowed");
    assertThat(body.tags()).isEmpty();
    String openAi = ApiErrors.body(Api.CHAT_COMPLETIONS, 400, body.message(), body.reason());
    assertThat(openAi).contains("\"type\":\"bad_request_error\"").contains("\"param\":\"metadata.tags\"")
        .contains("\"code\":\"400\"");
    assertThat(ApiErrors.body(Api.MESSAGES, 400, body.message(), body.reason()))
        .contains("\"type\":\"error\"").contains("invalid_request_error");
    assertThat(ApiErrors.body(Api.GENERATE_CONTENT, 400, body.message(), body.reason()))
        .contains("INVALID_ARGUMENT");

    var header = (Admission.Rejected) a.admit(Api.GENERATE_CONTENT, "gemini-2.5-pro", headers("x"),
        bytes("{\"contents\":[]}"));
    assertThat(header.reason()).isEqualTo("client_tags_rejected");
    assertThat(header.message()).contains("'x-litellm-tags'");
    // without client tags the call goes on
    assertThat(a.admit(Api.MESSAGES, headers(null), bytes("{\"model\":\"claude-sonnet-4-5\",\"messages\":[]}")))
        .isInstanceOf(Admission.Admitted.class);
  }
}
