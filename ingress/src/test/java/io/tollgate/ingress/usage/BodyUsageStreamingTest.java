package io.tollgate.ingress.usage;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The streaming pass over a JSON body reads the same usage as a tree of the whole body. */
@Timeout(30)
class BodyUsageStreamingTest {
  private static byte[] fixture(String name) throws IOException {
    try (InputStream in = BodyUsageStreamingTest.class.getResourceAsStream("/payloads/" + name)) {
      return in.readAllBytes();
    }
  }

  private static void sameAsTree(Api api, byte[] body) {
    Usage streamed = UsageJson.fromBody(api, body, body.length);
    Usage tree = UsageJson.fromBody(api, body); // the whole body as a Jackson tree
    assertThat(streamed).as(new String(body, StandardCharsets.UTF_8)).isEqualTo(tree);
  }

  @Test
  void recordedBodiesReadTheSame() throws IOException {
    sameAsTree(Api.MESSAGES, fixture("anthropic-message.json"));
    sameAsTree(Api.CHAT_COMPLETIONS, fixture("openai-chat.json"));
    sameAsTree(Api.RESPONSES, fixture("openai-responses.json"));
    sameAsTree(Api.EMBEDDINGS, fixture("openai-embeddings.json"));
    assertThat(UsageJson.fromBody(Api.MESSAGES, fixture("anthropic-message.json"), fixture("anthropic-message.json").length)
        .outputTokens()).isPositive();
  }

  @Test
  void oddBodiesReadTheSame() {
    for (String body : List.of(
        "{\"model\":\"a\",\"usage\":{\"input_tokens\":1,\"output_tokens\":2},\"usage\":{\"input_tokens\":5}}",
        "{\"usage\":{\"input_tokens\":3,\"output_tokens\":4},\"content\":[{\"a\":[[[{}]]]}],\"model\":1,\"model\":\"m\"}",
        "{\"model\":\"a\",\"usage\":{\"input_tokens\":1,\"output_tokens\":2}} trailing",
        "{\"model\":\"a\",\"usage\":{\"input_tokens\":1,\"output_tokens\":2}",
        "{\"model\":\"a\",\"content\":[1,2,{\"usage\":{\"input_tokens\":9}}],\"usage\":{\"input_tokens\":1}}",
        "{\"model\":\"a\",\"content\":[1,2,{\"x\":}],\"usage\":{\"input_tokens\":1}}",
        "[{\"usage\":{\"input_tokens\":1}}]", "", "null", "{}", "{\"usage\":7}")) {
      for (Api api : List.of(Api.MESSAGES, Api.CHAT_COMPLETIONS, Api.COUNT_TOKENS)) {
        sameAsTree(api, body.getBytes(StandardCharsets.UTF_8));
      }
    }
  }
}
