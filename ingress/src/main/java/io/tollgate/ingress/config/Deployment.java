package io.tollgate.ingress.config;

import io.tollgate.ingress.usage.Api;
import java.util.Map;

/**
 * One upstream behind a model name ({@code model_list} entry).
 *
 * @param modelName       the name clients use ({@code model_name}; may end in {@code *} for a wildcard)
 * @param provider        {@code anthropic}, {@code openai} or {@code gemini}
 * @param upstreamModel   the model sent upstream ({@code litellm_params.model} without the provider
 *                        prefix; null for a wildcard, which forwards the client's model)
 * @param apiBase         base URL without trailing slash, e.g. {@code https://api.anthropic.com}
 * @param apiKey          provider key (resolved from {@code os.environ/NAME}); never logged
 * @param forwardClientHeaders whether this model group forwards the client's headers (incl. Authorization)
 * @param priceOverrides  LiteLLM price keys from {@code litellm_params} / {@code model_info}
 */
public record Deployment(String modelName, String provider, String upstreamModel, String apiBase, String apiKey,
                         boolean forwardClientHeaders, Map<String, Object> priceOverrides) {

  public boolean wildcard() {
    return modelName.endsWith("*");
  }

  /** Whether this deployment can serve {@code api} (Anthropic routes need an Anthropic upstream, Gemini routes a Gemini one). */
  public boolean serves(Api api) {
    return api.family().equals(provider);
  }

  @Override
  public String toString() {
    return "Deployment[" + modelName + " -> " + provider + "/" + upstreamModel + " @ " + apiBase
        + ", key=" + (apiKey == null || apiKey.isEmpty() ? "(none)" : "****") + "]";
  }
}
