package io.tollgate.ingress.admin;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.tollgate.ingress.identity.KeyAuth;
import java.time.Instant;
import org.junit.jupiter.api.Test;

/** Money, durations and field validation of the management API: what is accepted, what is refused, and how. */
class ManagementParsingTest {
  private static final ObjectMapper JSON = new ObjectMapper().enable(DeserializationFeature.USE_BIG_DECIMAL_FOR_FLOATS);

  private static Fields fields(String json) throws Exception {
    return new Fields((ObjectNode) JSON.readTree(json));
  }

  @Test
  void usdBecomesExactNanos() throws Exception {
    assertThat(fields("{\"max_budget\": 100.00}").usdNanos("max_budget")).isEqualTo(100_000_000_000L);
    assertThat(fields("{\"max_budget\": 0.01}").usdNanos("max_budget")).isEqualTo(10_000_000L);
    assertThat(fields("{\"max_budget\": 0.1}").usdNanos("max_budget")).isEqualTo(100_000_000L);
    assertThat(fields("{\"max_budget\": \"2.5\"}").usdNanos("max_budget")).isEqualTo(2_500_000_000L);
    assertThat(fields("{\"max_budget\": 0.0000000004}").usdNanos("max_budget")).isZero();
    assertThat(fields("{\"max_budget\": 0.0000000005}").usdNanos("max_budget")).isEqualTo(1L);
    assertThat(fields("{\"max_budget\": 1000000000}").usdNanos("max_budget")).isEqualTo(1_000_000_000_000_000_000L);
    assertThat(fields("{\"max_budget\": null}").usdNanos("max_budget")).isNull();
    assertThat(Money.usd(100_000_000_000L)).isEqualTo(100.0);
    assertThat(Money.usd(10_000_000L)).isEqualTo(0.01);
  }

  @Test
  void absurdMoneyIsRefusedNamingTheField() {
    for (String bad : new String[] {"-1", "1e10", "1000000000.01", "\"NaN\"", "\"Infinity\"", "true", "[1]",
        "\"abc\"", "1e400"}) {
      assertThatThrownBy(() -> fields("{\"max_budget\": " + bad + "}").usdNanos("max_budget")).as(bad)
          .isInstanceOfSatisfying(ApiError.class, e -> {
            assertThat(e.status).isEqualTo(400);
            assertThat(e.param).isEqualTo("max_budget");
            assertThat(e.body().path("error").path("code").asText()).isEqualTo("400");
          });
    }
  }

  @Test
  void litellmDurationsAreAccepted() {
    for (String ok : new String[] {"30s", "15m", "1h", "1d", "7d", "1w", "30d", "1mo", "monthly", "weekly", "daily",
        " Monthly "}) {
      assertThat(Durations.normalize("budget_duration", ok)).as(ok).isEqualTo(ok.strip().toLowerCase());
    }
    Instant t = Instant.parse("2026-01-31T10:00:00Z");
    assertThat(Durations.add(t, "1mo")).isEqualTo(Instant.parse("2026-02-28T10:00:00Z"));
    assertThat(Durations.add(t, "monthly")).isEqualTo(Instant.parse("2026-02-28T10:00:00Z"));
    assertThat(Durations.add(t, "30s")).isEqualTo(t.plusSeconds(30));
    assertThat(Durations.add(t, "2w")).isEqualTo(t.plusSeconds(14 * 86400));
    assertThat(Durations.add(t, "15m")).isEqualTo(t.plusSeconds(900));
  }

  @Test
  void otherDurationsAreRefused() {
    for (String bad : new String[] {"", "0d", "1y", "yearly", "1.5h", "-1d", "d", "1 d", "9999999d", "200mo", "1H1"}) {
      assertThatThrownBy(() -> Durations.normalize("budget_duration", bad)).as(bad).isInstanceOf(ApiError.class);
    }
  }

  @Test
  void fieldsCheckTypesAndBounds() throws Exception {
    assertThatThrownBy(() -> fields("{\"models\": \"gpt-5\"}").strings("models", 100, 256)).isInstanceOf(ApiError.class);
    assertThatThrownBy(() -> fields("{\"models\": [1]}").strings("models", 100, 256)).isInstanceOf(ApiError.class);
    assertThatThrownBy(() -> fields("{\"models\": [\"" + "x".repeat(300) + "\"]}").strings("models", 100, 256))
        .isInstanceOf(ApiError.class);
    assertThatThrownBy(() -> fields("{\"key_alias\": 5}").string("key_alias", 256)).isInstanceOf(ApiError.class);
    assertThatThrownBy(() -> fields("{\"key_alias\": \"a\\nb\"}").string("key_alias", 256))
        .isInstanceOf(ApiError.class);
    assertThatThrownBy(() -> fields("{\"rpm_limit\": -1}").count("rpm_limit", Fields.MAX_RATE))
        .isInstanceOf(ApiError.class);
    assertThatThrownBy(() -> fields("{\"rpm_limit\": 1.5}").count("rpm_limit", Fields.MAX_RATE))
        .isInstanceOf(ApiError.class);
    assertThatThrownBy(() -> fields("{\"rpm_limit\": 1e30}").count("rpm_limit", Fields.MAX_RATE))
        .isInstanceOf(ApiError.class);
    assertThatThrownBy(() -> fields("{\"blocked\": \"yes\"}").bool("blocked")).isInstanceOf(ApiError.class);
    assertThatThrownBy(() -> fields("{\"metadata\": []}").metadata("metadata")).isInstanceOf(ApiError.class);
    assertThat(fields("{\"rpm_limit\": 10.0}").count("rpm_limit", Fields.MAX_RATE)).isEqualTo(10L);
    assertThat(fields("{\"metadata\": {\"a\": 1, \"b\": \"x\"}}").metadata("metadata"))
        .containsEntry("a", "1").containsEntry("b", "x");
    assertThat(fields("{\"rpm_limit\": null}").has("rpm_limit")).isTrue();
    assertThat(fields("{}").has("rpm_limit")).isFalse();
  }

  @Test
  void keysAreNamedByValueOrHash() {
    String key = "sk-abcdefghijklmnopqrstuvwx";
    String hash = KeyAuth.sha256(key);
    assertThat(KeyEndpoints.hashOf(key)).isEqualTo(hash);
    assertThat(KeyEndpoints.hashOf("Bearer " + key)).isEqualTo(hash);
    assertThat(KeyEndpoints.hashOf(hash.toUpperCase())).isEqualTo(hash);
    assertThatThrownBy(() -> KeyEndpoints.hashOf("not-a-key")).isInstanceOf(ApiError.class);
    assertThat(KeyEndpoints.abbreviate(key)).isEqualTo("sk-...uvwx");
  }
}
