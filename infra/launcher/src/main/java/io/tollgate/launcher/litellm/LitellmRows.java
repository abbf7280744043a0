package io.tollgate.launcher.litellm;

import java.time.Instant;
import java.util.List;

/**
 * The rows of a LiteLLM proxy database the import reads, column for column as LiteLLM's
 * {@code schema.prisma} names them (null where the column is null or the database predates it).
 * Dollar amounts are LiteLLM's doubles; times are UTC instants.
 */
final class LitellmRows {
  private LitellmRows() {
  }

  /** {@code LiteLLM_VerificationToken}: a virtual key; {@code token} is the key's hex SHA-256. */
  record KeyRow(String token, String keyName, String keyAlias, Double spend, Instant expires, List<String> models,
                String userId, String teamId, Integer maxParallelRequests, String metadata, Boolean blocked,
                Long tpmLimit, Long rpmLimit, Double maxBudget, String budgetDuration, Instant budgetResetAt,
                String budgetId, Instant createdAt, Instant updatedAt) {
    /** Never the token: a short prefix of the hash at most. */
    @Override
    public String toString() {
      return "KeyRow[" + LitellmImport.shortHash(token) + "]";
    }
  }

  /** {@code LiteLLM_TeamTable}. */
  record TeamRow(String teamId, String teamAlias, String metadata, Double maxBudget, Double softBudget, Double spend,
                 List<String> models, Integer maxParallelRequests, Long tpmLimit, Long rpmLimit, String budgetDuration,
                 Instant budgetResetAt, Boolean blocked, Instant createdAt, Instant updatedAt) {
  }

  /** {@code LiteLLM_EndUserTable}: a customer; its limits live in its {@code budget_id}'s row. */
  record EndUserRow(String userId, String alias, Double spend, String defaultModel, String budgetId, Boolean blocked) {
  }

  /** {@code LiteLLM_BudgetTable}. */
  record BudgetRow(String budgetId, Double maxBudget, Double softBudget, Integer maxParallelRequests, Long tpmLimit,
                   Long rpmLimit, String budgetDuration, Instant budgetResetAt, Instant createdAt, Instant updatedAt) {
  }

  /** Everything read, plus tables the database does not have (older LiteLLM versions). */
  record Snapshot(List<KeyRow> keys, List<TeamRow> teams, List<EndUserRow> endUsers, List<BudgetRow> budgets,
                  List<String> warnings) {
  }
}
