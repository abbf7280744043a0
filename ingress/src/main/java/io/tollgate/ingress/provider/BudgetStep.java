package io.tollgate.ingress.provider;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.tollgate.ingress.budget.BudgetLedger;
import io.tollgate.ingress.budget.BudgetMetrics;
import io.tollgate.ingress.budget.CallScopes;
import io.tollgate.ingress.budget.Reservation;
import io.tollgate.ingress.budget.ScopeLimits;
import java.util.List;

/**
 * Between admission and relay: the call's budgets (key, team, customer) and its reservation —
 * the call's maximum cost held against each of them, or a refusal in LiteLLM's words. Input
 * tokens are estimated from the body (one per {@value #BYTES_PER_TOKEN} bytes, rounded up); the
 * output limit is the request's {@code max_tokens} ({@code max_completion_tokens},
 * {@code max_output_tokens}) or the model's maximum output (see {@link Metering#maxCostNanos}).
 */
final class BudgetStep {
  /** Bytes of request body per estimated input token (JSON text is 3 to 5 bytes per token). */
  static final int BYTES_PER_TOKEN = 4;
  /** No key store: nothing to enforce. */
  static final BudgetStep NONE = new BudgetStep(null, null, null, null, 0);

  /** What the step decided. */
  sealed interface Result permits Go, Refused {
  }

  /** Relay the call; settle or release {@code reservation}. */
  record Go(Reservation reservation) implements Result {
  }

  /**
   * Answer {@code status} with {@code message}; OpenAI routes get LiteLLM's
   * {@code "type":"budget_exceeded","code":"429"}.
   */
  record Refused(int status, String message, String reason) implements Result {
  }

  private static final Go UNLIMITED = new Go(Reservation.NONE);
  private final CallScopes scopes;
  private final BudgetLedger ledger;
  private final Metering metering;
  private final BudgetMetrics metrics;
  private final long defaultMaxOutput;

  BudgetStep(CallScopes scopes, BudgetLedger ledger, Metering metering, BudgetMetrics metrics, long defaultMaxOutput) {
    this.scopes = scopes;
    this.ledger = ledger;
    this.metering = metering;
    this.metrics = metrics;
    this.defaultMaxOutput = defaultMaxOutput;
  }

  Result admit(Admission.Admitted call, int bodyBytes) {
    if (ledger == null) {
      return UNLIMITED;
    }
    List<ScopeLimits> limits = scopes.of(call.key() == null ? null : call.key().hash(), call.customer().id());
    if (limits.isEmpty()) {
      return UNLIMITED;
    }
    boolean budgeted = ledger.settings().enabled() && limits.stream().anyMatch(s -> s.maxBudgetNanos() != null);
    long hold = !budgeted ? 0 : metering.maxCostNanos(call.targets(), call.model(),
        (bodyBytes + BYTES_PER_TOKEN - 1L) / BYTES_PER_TOKEN, maxTokens(call.json()), defaultMaxOutput);
    BudgetLedger.Decision d = ledger.reserve(limits, hold);
    if (d instanceof BudgetLedger.Refuse r) {
      if (r.scope() == null) {
        metrics.refused("stale");
        metrics.staleDecision("closed");
        return new Refused(503, r.message(), "budget_stale");
      }
      metrics.refused(r.scope().scope().wire());
      return new Refused(429, r.message(), "budget_exceeded");
    }
    if (budgeted && ledger.stale()) {
      metrics.staleDecision("open");
    }
    return new Go(((BudgetLedger.Admit) d).reservation());
  }

  /** The request's output limit, when it set a positive integer one. */
  static Long maxTokens(ObjectNode json) {
    for (String field : new String[] {"max_tokens", "max_completion_tokens", "max_output_tokens"}) {
      JsonNode v = json.get(field);
      if (v != null && v.isIntegralNumber() && v.canConvertToLong() && v.asLong() > 0) {
        return v.asLong();
      }
    }
    return null;
  }
}
