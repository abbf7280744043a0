package io.tollgate.reconciler.config;

import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.Objects;

/**
 * The reconciler's typed configuration ({@code tollgate.reconciliation}), built once by {@link
 * ReconcilerConfigLoader}. Admin keys are held here and nowhere else; {@link #toString()} never
 * shows them.
 *
 * @param lookbackDays days before today re-read on every poll
 * @param pollInterval time between polls (one poll at start too)
 * @param settle       time after a UTC day ends before it may raise an alert
 * @param drift        when a difference is a drift
 * @param channels     alert channels
 * @param anthropic    Anthropic access, or null
 * @param openai       OpenAI access, or null
 * @param warnings     unknown keys and other warnings of the whole file
 */
public record ReconcilerConfig(int lookbackDays, Duration pollInterval, Duration settle, Drift drift,
                               List<String> channels, Anthropic anthropic, OpenAi openai, List<String> warnings) {
  public ReconcilerConfig {
    Objects.requireNonNull(pollInterval, "pollInterval");
    Objects.requireNonNull(settle, "settle");
    Objects.requireNonNull(drift, "drift");
    channels = List.copyOf(channels);
    warnings = List.copyOf(warnings);
  }

  /** Whether any provider has an admin key (the launcher starts the reconciler only then). */
  public boolean enabled() {
    return anthropic != null || openai != null;
  }

  /**
   * @param percentBasisPoints alert at a difference of at least this share of billed (1/100 %)
   * @param amountNanos        ... or of at least this amount
   * @param minNanos           never below this amount
   */
  public record Drift(long percentBasisPoints, long amountNanos, long minNanos) {
  }

  /** Scoping ids may be empty (= the whole organization). */
  public record Anthropic(String adminKey, List<String> apiKeyIds, List<String> workspaceIds, URI baseUrl) {
    public Anthropic {
      apiKeyIds = List.copyOf(apiKeyIds);
      workspaceIds = List.copyOf(workspaceIds);
    }

    @Override
    public String toString() {
      return "Anthropic[" + baseUrl + ", admin key ****, api keys " + apiKeyIds + ", workspaces " + workspaceIds + "]";
    }
  }

  public record OpenAi(String adminKey, List<String> projectIds, URI baseUrl) {
    public OpenAi {
      projectIds = List.copyOf(projectIds);
    }

    @Override
    public String toString() {
      return "OpenAi[" + baseUrl + ", admin key ****, projects " + projectIds + "]";
    }
  }

  @Override
  public String toString() {
    return "reconciliation of " + (anthropic == null ? "" : "anthropic ") + (openai == null ? "" : "openai ")
        + "over " + lookbackDays + " days, every " + pollInterval.toHours() + "h, settled after " + settle.toHours()
        + "h, drift >= " + drift.percentBasisPoints() / 100.0 + " % or $" + drift.amountNanos() / 1e9
        + " (min $" + drift.minNanos() / 1e9 + "), channels " + channels
        + (anthropic == null ? "" : ", " + anthropic) + (openai == null ? "" : ", " + openai);
  }
}
