package io.tollgate.ingress.budget;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import io.vertx.core.MultiMap;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The success headers (which scope, who wins over upstream) and the token estimate. */
class RateLimitPermitTest {
  private final RateLimiter limiter = new RateLimiter(new ManualClock(1_800_000_000_000L), 1, 100,
      new RateLimitMetrics(new PrometheusRegistry()));

  @Test
  void theTightestScopeFillsTheGenericHeadersAndEveryScopeItsOwn() {
    ScopeLimits key = new ScopeLimits(Scope.KEY, "h", "k", null, null, null, 100L, 1_000L, 4, 0, null);
    ScopeLimits customer = new ScopeLimits(Scope.CUSTOMER, "c", "c", null, null, null, 2L, null, null, 0, null);
    MultiMap headers = MultiMap.caseInsensitiveMultiMap()
        .add("x-ratelimit-remaining-requests", "4999").add("x-ratelimit-limit-requests", "5000")
        .add("x-ratelimit-reset-requests", "12ms").add("x-ratelimit-remaining-tokens", "800000");
    limiter.admit(List.of(key, customer), 10).writeHeaders(headers);
    assertThat(headers.getAll("x-ratelimit-remaining-requests")).containsExactly("1"); // the customer's 2 - 1
    assertThat(headers.get("x-ratelimit-limit-requests")).isEqualTo("2");
    assertThat(headers.get("x-ratelimit-remaining-tokens")).isEqualTo("990");
    assertThat(headers.get("x-ratelimit-limit-tokens")).isEqualTo("1000");
    assertThat(headers.get("llm_provider-x-ratelimit-remaining-requests")).isEqualTo("4999");
    assertThat(headers.get("llm_provider-x-ratelimit-limit-requests")).isEqualTo("5000");
    assertThat(headers.get("llm_provider-x-ratelimit-reset-requests")).isEqualTo("12ms");
    assertThat(headers.contains("x-ratelimit-reset-requests")).as("upstream's reset is about upstream's limit").isFalse();
    assertThat(headers.get("llm_provider-x-ratelimit-remaining-tokens")).isEqualTo("800000");
    assertThat(headers.get("x-ratelimit-api_key-remaining-requests")).isEqualTo("99");
    assertThat(headers.get("x-ratelimit-api_key-remaining-max_parallel_requests")).isEqualTo("3");
    assertThat(headers.get("x-ratelimit-end_user-limit-requests")).isEqualTo("2");
    assertThat(headers.contains("x-ratelimit-end_user-limit-tokens")).isFalse();
  }

  @Test
  void aKindWithoutATollgateLimitKeepsUpstreamsHeader() {
    ScopeLimits key = new ScopeLimits(Scope.KEY, "h2", "k", null, null, null, null, null, 2, 0, null);
    MultiMap headers = MultiMap.caseInsensitiveMultiMap().add("x-ratelimit-remaining-requests", "4999");
    limiter.admit(List.of(key), 0).writeHeaders(headers);
    assertThat(headers.get("x-ratelimit-remaining-requests")).isEqualTo("4999");
    assertThat(headers.contains("llm_provider-x-ratelimit-remaining-requests")).isFalse();
    MultiMap none = MultiMap.caseInsensitiveMultiMap().add("x-ratelimit-remaining-tokens", "7");
    RateLimitPermit.UNLIMITED.writeHeaders(none);
    assertThat(none.entries()).hasSize(1);
  }

  @Test
  void theEstimateIsTheBodyAtFourBytesATokenPlusTheOutputAskedFor() throws Exception {
    ObjectMapper json = new ObjectMapper();
    assertThat(RateLimitTokens.estimate(json.readTree("{\"max_tokens\":100}"), 401)).isEqualTo(101 + 100);
    assertThat(RateLimitTokens.estimate(json.readTree("{\"max_completion_tokens\":7}"), 8)).isEqualTo(2 + 7);
    assertThat(RateLimitTokens.estimate(json.readTree("{\"max_output_tokens\":5}"), 0)).isEqualTo(5);
    assertThat(RateLimitTokens.estimate(json.readTree("{\"max_tokens\":\"lots\"}"), 4)).isEqualTo(1);
    assertThat(RateLimitTokens.estimate(json.readTree("{\"max_tokens\":-3}"), 4)).isEqualTo(1);
    assertThat(RateLimitTokens.estimate(json.readTree("{\"max_tokens\":1e300}"), 4)).isEqualTo(1);
    assertThat(RateLimitTokens.estimate(json.readTree("{\"max_tokens\":99999999999999999999}"), 4)).isEqualTo(1);
    assertThat(RateLimitTokens.estimate(null, Long.MAX_VALUE)).isPositive();
  }
}
