package io.tollgate.ingress.provider;

import io.tollgate.ingress.config.Deployment;
import io.tollgate.ingress.usage.Api;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Picks the deployments for a request's model: exact {@code model_name} matches first (several =
 * round-robin, the rest as failover order), else the longest matching wildcard ({@code anthropic/*},
 * {@code claude-*}). Only deployments of the route's provider family qualify.
 */
public final class Router {
  /** A deployment chosen for a call, with the model name to send upstream. */
  public record Target(Deployment deployment, String upstreamModel) {
  }

  private final Map<String, List<Deployment>> exact = new LinkedHashMap<>();
  private final List<Deployment> wildcards = new ArrayList<>();
  private final Map<String, AtomicInteger> next = new ConcurrentHashMap<>();

  public Router(List<Deployment> deployments) {
    for (Deployment d : deployments) {
      if (d.wildcard()) {
        wildcards.add(d);
      } else {
        exact.computeIfAbsent(d.modelName(), k -> new ArrayList<>()).add(d);
      }
    }
    wildcards.sort((a, b) -> Integer.compare(b.modelName().length(), a.modelName().length()));
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
    for (Deployment d : wildcards) {
      String prefix = d.modelName().substring(0, d.modelName().length() - 1);
      if (d.serves(api) && model.startsWith(prefix)) {
        String upstream = d.upstreamModel() != null ? d.upstreamModel() : stripProvider(model);
        return List.of(new Target(d, upstream));
      }
    }
    return List.of();
  }

  /** The model names to list on {@code GET /v1/models}. */
  public List<String> modelNames() {
    List<String> names = new ArrayList<>(exact.keySet());
    wildcards.forEach(w -> names.add(w.modelName()));
    return names;
  }

  private static String stripProvider(String model) {
    int slash = model.indexOf('/');
    return slash >= 0 ? model.substring(slash + 1) : model;
  }
}
