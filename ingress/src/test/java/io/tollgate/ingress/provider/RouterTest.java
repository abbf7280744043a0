package io.tollgate.ingress.provider;

import static org.assertj.core.api.Assertions.assertThat;

import io.tollgate.ingress.config.Deployment;
import io.tollgate.ingress.usage.Api;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(10)
class RouterTest {
  private static Deployment d(String name, String provider, String upstream) {
    return new Deployment(name, provider, upstream, "https://example.test", "k", false, Map.of());
  }

  private static String upstream(Router r, String model, Api api) {
    List<Router.Target> t = r.route(model, api);
    return t.isEmpty() ? null : t.get(0).upstreamModel();
  }

  @Test
  void wildcardCapturesFillTheModelsWildcardsAsInLiteLlm() {
    Router r = new Router(List.of(
        d("claude-*", "anthropic", "claude-*"),           // model: anthropic/claude-*
        d("oai-*", "openai", null),                       // model: openai/*
        d("anthropic/*", "anthropic", null),              // model: anthropic/*
        d("fo::*::static::*", "openai", "fo::*::static::*"),
        d("pinned-*", "openai", "gpt-4o")));              // no wildcard: always that model
    assertThat(upstream(r, "claude-sonnet-4-5", Api.MESSAGES)).isEqualTo("claude-sonnet-4-5");
    assertThat(upstream(r, "oai-gpt-4o", Api.CHAT_COMPLETIONS)).isEqualTo("gpt-4o");
    assertThat(upstream(r, "anthropic/claude-opus-4-1", Api.MESSAGES)).isEqualTo("claude-opus-4-1");
    assertThat(upstream(r, "fo::hi::static::there", Api.CHAT_COMPLETIONS)).isEqualTo("fo::hi::static::there");
    assertThat(upstream(r, "pinned-anything", Api.CHAT_COMPLETIONS)).isEqualTo("gpt-4o");
    assertThat(upstream(r, "claude-sonnet-4-5", Api.CHAT_COMPLETIONS)).as("provider family").isNull();
    assertThat(upstream(r, "gpt-4o", Api.CHAT_COMPLETIONS)).isNull();
  }

  @Test
  void theMoreSpecificPatternWinsAndMoreCapturesThanWildcardsSendTheClientsName() {
    Router r = new Router(List.of(d("*", "openai", null), d("gpt-4*", "openai", "gpt-4*"),
        d("x-*-*", "openai", "fixed-*")));
    assertThat(r.route("gpt-4o", Api.CHAT_COMPLETIONS).get(0).deployment().modelName()).isEqualTo("gpt-4*");
    assertThat(upstream(r, "gpt-4o", Api.CHAT_COMPLETIONS)).isEqualTo("gpt-4o");
    assertThat(upstream(r, "anything", Api.CHAT_COMPLETIONS)).isEqualTo("anything");
    assertThat(upstream(r, "x-a-b", Api.CHAT_COMPLETIONS)).isEqualTo("x-a-b");
    Router leading = new Router(List.of(d("*-mini", "openai", "gpt-5-*")));
    assertThat(upstream(leading, "o4-mini", Api.CHAT_COMPLETIONS)).as("a * anywhere").isEqualTo("gpt-5-o4");
    assertThat(new Router(List.of(d("a.b*", "openai", null))).route("axb1", Api.CHAT_COMPLETIONS))
        .as("everything but * is literal").isEmpty();
  }

  @Test
  void modelsListsConfiguredNamesNotPatterns() {
    Router r = new Router(List.of(d("gpt-5", "openai", "gpt-5"), d("claude-*", "anthropic", "claude-*"),
        d("gpt-5", "openai", "gpt-5-2025"), d("anthropic/*", "anthropic", null)));
    assertThat(r.modelNames()).containsExactly("gpt-5");
  }
}
