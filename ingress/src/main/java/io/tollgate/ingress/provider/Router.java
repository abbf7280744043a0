package io.tollgate.ingress.provider;

import io.tollgate.ingress.config.Deployment;
import io.tollgate.ingress.usage.Api;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Picks the deployments for a request's model: exact {@code model_name} matches first (several =
 * round-robin, the rest as failover order), else the most specific matching wildcard, as LiteLLM's
 * {@code PatternMatchRouter} does: each {@code *} of the model name captures what it matched, and
 * the captures replace the {@code *}s of {@code litellm_params.model} in order ({@code oai-*} →
 * {@code openai/*} sends {@code oai-gpt-4o} as {@code gpt-4o}; {@code claude-*} →
 * {@code anthropic/claude-*} sends the client's {@code claude-…} name). Only deployments of the
 * route's provider family qualify.
 */
public final class Router {
  /** A deployment chosen for a call, with the model name to send upstream. */
  public record Target(Deployment deployment, String upstreamModel) {
  }

  private record Wildcard(Pattern pattern, Deployment deployment) {
  }

  private final Map<String, List<Deployment>> exact = new LinkedHashMap<>();
  private final List<Wildcard> wildcards = new ArrayList<>();
  private final Map<String, AtomicInteger> next = new ConcurrentHashMap<>();

  public Router(List<Deployment> deployments) {
    for (Deployment d : deployments) {
      // Any * makes a pattern, as in LiteLLM (Deployment.wildcard() only sees a trailing one).
      if (d.modelName().indexOf('*') >= 0) {
        wildcards.add(new Wildcard(toRegex(d.modelName()), d));
      } else {
        exact.computeIfAbsent(d.modelName(), k -> new ArrayList<>()).add(d);
      }
    }
    // LiteLLM's specificity: the longer pattern first, then the one with more wildcards.
    wildcards.sort(Comparator.comparingInt((Wildcard w) -> w.deployment().modelName().length())
        .thenComparingLong(w -> w.deployment().modelName().chars().filter(c -> c == '*').count())
        .reversed());
  }

  /** Targets in the order to try them; empty when no deployment serves the model. */
  public List<Target> route(String model, Api api) {
    List<Deployment> candidates = exact.getOrDefault(model, List.of()).stream().filter(d -> d.serves(api)).toList();
    if (!candidates.isEmpty()) {
      int start = Math.floorMod(next.computeIfAbsent(model, k -> new AtomicInteger()).getAndIncrement(), candidates.size());
      List<Target> ordered = new ArrayList<>(candidates.size());
      for (int i = 0; i < candidates.size(); i++) {
        Deployment d = candidates.get((start + i) % candidates.size());
        ordered.add(new Target(d, d.upstreamModel() == null ? model : d.upstreamModel()));
      }
      return ordered;
    }
    for (Wildcard w : wildcards) {
      Matcher m = w.pattern().matcher(model);
      if (w.deployment().serves(api) && m.matches()) {
        return List.of(new Target(w.deployment(), substitute(m, w.deployment(), model)));
      }
    }
    return List.of();
  }

  /**
   * The model names to list on {@code GET /v1/models}: the exact names only. LiteLLM expands a
   * {@code provider/*} route into the provider's known models and drops every other wildcard route
   * ({@code return_wildcard_routes} defaults to false); a pattern is not a model a client can ask for.
   */
  public List<String> modelNames() {
    return List.copyOf(exact.keySet());
  }

  /**
   * The upstream model for a wildcard match. {@code upstreamModel} is {@code litellm_params.model}
   * without its provider prefix (null stands for a bare {@code *}); its {@code *}s take the captures
   * in order. More captures than {@code *}s cannot be mapped: LiteLLM then sends the client's name.
   */
  static String substitute(Matcher m, Deployment d, String model) {
    String target = d.upstreamModel() == null ? "*" : d.upstreamModel();
    if (target.indexOf('*') < 0) {
      return target;
    }
    long stars = target.chars().filter(c -> c == '*').count();
    if (m.groupCount() > stars) {
      return stripProvider(model, d.provider());
    }
    StringBuilder out = new StringBuilder();
    int group = 1;
    for (int i = 0; i < target.length(); i++) {
      char c = target.charAt(i);
      if (c == '*' && group <= m.groupCount()) {
        out.append(m.group(group++));
      } else {
        out.append(c);
      }
    }
    return out.toString();
  }

  /** {@code *} matches anything (captured); everything else literally. */
  static Pattern toRegex(String modelName) {
    StringBuilder regex = new StringBuilder();
    int from = 0;
    for (int star = modelName.indexOf('*'); star >= 0; star = modelName.indexOf('*', from)) {
      if (star > from) {
        regex.append(Pattern.quote(modelName.substring(from, star)));
      }
      regex.append("(.*)");
      from = star + 1;
    }
    if (from < modelName.length()) {
      regex.append(Pattern.quote(modelName.substring(from)));
    }
    return Pattern.compile(regex.toString(), Pattern.DOTALL);
  }

  private static String stripProvider(String model, String provider) {
    return model.startsWith(provider + "/") ? model.substring(provider.length() + 1) : model;
  }
}
