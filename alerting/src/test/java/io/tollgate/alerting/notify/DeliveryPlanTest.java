package io.tollgate.alerting.notify;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(10)
class DeliveryPlanTest {
  private static final TopicPartition P0 = new TopicPartition("alerts", 0);
  private static final TopicPartition P1 = new TopicPartition("alerts", 1);

  @Test
  void anOffsetAdvancesOnlyPastRecordsWhoseEveryDeliveryIsFinished() {
    DeliveryPlan plan = new DeliveryPlan();
    plan.add(P0, 0, List.of("a|slack", "a|email"));
    plan.add(P0, 1, List.of("b|email"));
    plan.add(P1, 7, List.of());
    assertThat(plan.committable()).isEqualTo(Map.of(P0, 0L, P1, 8L));
    plan.committed(plan.committable());
    assertThat(plan.committable()).isEmpty();

    plan.done("a|email");
    plan.done("b|email");
    assertThat(plan.committable()).as("a|slack still open").isEmpty();
    plan.done("a|slack"); // delivered or dead-lettered
    assertThat(plan.committable()).isEqualTo(Map.of(P0, 2L));
    assertThat(plan.openRecords()).isZero();
  }

  @Test
  void aReplayedRecordWaitsForTheDeliveryAlreadyUnderWay() {
    DeliveryPlan plan = new DeliveryPlan();
    plan.add(P0, 0, List.of("a|slack"));
    plan.add(P0, 5, List.of("a|slack")); // the same alert again
    plan.done("a|slack");
    assertThat(plan.committable()).isEqualTo(Map.of(P0, 6L));
  }

  @Test
  void aRevokedPartitionIsForgotten() {
    DeliveryPlan plan = new DeliveryPlan();
    plan.add(P0, 0, List.of("a|slack"));
    plan.add(P1, 0, List.of("b|slack"));
    plan.revoke(List.of(P0));
    plan.done("a|slack");
    assertThat(plan.committable()).isEqualTo(Map.of(P1, 0L));
    assertThat(plan.openRecords()).isEqualTo(1);
  }

  @Test
  void deliveredSetIsBoundedByAgeAndSize() {
    Instant t0 = Instant.parse("2026-12-01T00:00:00Z");
    DeliveredSet set = new DeliveredSet(Duration.ofDays(7), 3);
    set.add("a", t0);
    set.add("b", t0.plusSeconds(60));
    set.add("c", t0.plus(Duration.ofDays(2)));
    assertThat(set.add("d", t0.plus(Duration.ofDays(3)))).containsExactly("a");
    assertThat(set.prune(t0.plus(Duration.ofDays(7)).plusSeconds(61))).containsExactly("b");
    assertThat(set.contains("c")).isTrue();
    assertThat(set.size()).isEqualTo(2);
    assertThat(set.expired(t0, t0.plus(Duration.ofDays(7)).plusMillis(1))).isTrue();
    assertThat(set.expired(t0, t0.plus(Duration.ofDays(6)))).isFalse();
  }

  @Test
  void retriesBackOffHonourRetryAfterAndGiveUpAfterADay() {
    RetryPolicy p = RetryPolicy.defaults();
    assertThat(p.backoff(1, null)).isEqualTo(Duration.ofMillis(500));
    assertThat(p.backoff(2, null)).isEqualTo(Duration.ofSeconds(1));
    assertThat(p.backoff(30, null)).isEqualTo(Duration.ofMinutes(5));
    assertThat(p.backoff(1, Duration.ofSeconds(30))).isEqualTo(Duration.ofSeconds(30));
    Instant first = Instant.parse("2026-12-01T00:00:00Z");
    assertThat(p.giveUp(first, first.plus(Duration.ofHours(23)))).isFalse();
    assertThat(p.giveUp(first, first.plus(Duration.ofHours(24)))).isTrue();
  }
}
