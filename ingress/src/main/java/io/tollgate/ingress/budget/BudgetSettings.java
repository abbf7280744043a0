package io.tollgate.ingress.budget;

import java.util.List;

/**
 * {@code tollgate.budgets}: how budgets are enforced.
 *
 * @param enabled               enforce budgets at all (off: calls are still listed against their periods)
 * @param failClosed            when the totals are staler than {@code maxStalenessMs}: refuse calls that have
 *                              a budget (503), instead of deciding on this gateway's own view (fail-open, the default)
 * @param maxStalenessMs        totals older than this are stale
 * @param softBudgetChannels    alert channels a soft_budget crossing is sent to
 * @param defaultMaxOutputTokens reserved output when a request sets no max_tokens and the price table
 *                              knows no maximum output for the model
 * @param defaultEndUserBudgetId the budget customers without one of their own get (LiteLLM's
 *                              {@code litellm_settings.max_end_user_budget_id}), or null
 */
public record BudgetSettings(boolean enabled, boolean failClosed, long maxStalenessMs, List<String> softBudgetChannels,
                             long defaultMaxOutputTokens, String defaultEndUserBudgetId) {
  public static final long DEFAULT_MAX_STALENESS_MS = 60_000;
  public static final long DEFAULT_MAX_OUTPUT_TOKENS = 32_000;
  public static final BudgetSettings DEFAULTS = new BudgetSettings(true, false, DEFAULT_MAX_STALENESS_MS,
      List.of("log"), DEFAULT_MAX_OUTPUT_TOKENS, null);

  public BudgetSettings {
    softBudgetChannels = softBudgetChannels == null ? List.of("log") : List.copyOf(softBudgetChannels);
  }

  /** Without a default end-user budget. */
  public BudgetSettings(boolean enabled, boolean failClosed, long maxStalenessMs, List<String> softBudgetChannels,
                        long defaultMaxOutputTokens) {
    this(enabled, failClosed, maxStalenessMs, softBudgetChannels, defaultMaxOutputTokens, null);
  }
}
