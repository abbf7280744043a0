package io.tollgate.schemas.config;

import java.math.BigDecimal;
import java.util.List;

/**
 * {@code tollgate.reconciliation}: how the reconciler compares metered spend with the providers'
 * own cost reports (docs/reconciliation.md). As written in the file; defaults, ranges and
 * {@code os.environ/NAME} resolution are the reconciler's ({@code ReconcilerConfig}).
 *
 * @param lookbackDays      days before today re-read on every poll (providers revise recent days)
 * @param pollIntervalHours hours between polls (one poll at start too)
 * @param settleHours       hours after a UTC day ends before it may raise an alert
 * @param driftPercent      alert when metered and billed differ by at least this share of billed
 * @param driftUsd          ... or by at least this many USD
 * @param minDriftUsd       differences below this never alert (rounding in the providers' reports)
 * @param channels          alert channels (slack, email, log; default [log])
 * @param anthropic         Anthropic Admin API access, or null
 * @param openai            OpenAI Admin API access, or null
 */
public record ReconciliationSection(Integer lookbackDays, Integer pollIntervalHours, Integer settleHours,
                                    BigDecimal driftPercent, BigDecimal driftUsd, BigDecimal minDriftUsd,
                                    List<String> channels, Anthropic anthropic, OpenAi openai) {
  public ReconciliationSection {
    channels = ConfigTree.list(channels);
  }

  /**
   * @param adminKey     an Admin API key ({@code sk-ant-admin…}): {@code os.environ/NAME}, never logged
   * @param apiKeyIds    the API key ids of the gateway's provider keys (scope of the usage report)
   * @param workspaceIds the workspaces those keys belong to (scope of both reports)
   * @param baseUrl      default {@code https://api.anthropic.com}
   */
  public record Anthropic(String adminKey, List<String> apiKeyIds, List<String> workspaceIds, String baseUrl) {
    public Anthropic {
      apiKeyIds = ConfigTree.list(apiKeyIds);
      workspaceIds = ConfigTree.list(workspaceIds);
    }

    @Override
    public String toString() {
      return "Anthropic[admin key ****, api keys " + apiKeyIds + ", workspaces " + workspaceIds + "]";
    }
  }

  /**
   * @param adminKey   an Admin API key: {@code os.environ/NAME}, never logged
   * @param projectIds the projects of the gateway's provider keys (scope of both reports)
   * @param baseUrl    default {@code https://api.openai.com}
   */
  public record OpenAi(String adminKey, List<String> projectIds, String baseUrl) {
    public OpenAi {
      projectIds = ConfigTree.list(projectIds);
    }

    @Override
    public String toString() {
      return "OpenAi[admin key ****, projects " + projectIds + "]";
    }
  }
}
