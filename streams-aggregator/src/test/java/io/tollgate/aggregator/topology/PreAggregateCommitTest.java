package io.tollgate.aggregator.topology;

import static org.assertj.core.api.Assertions.assertThat;

import io.tollgate.schemas.UsageEvent;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.processor.api.MockProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.state.KeyValueStore;
import org.apache.kafka.streams.state.Stores;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * {@link PreAggregate} asks for a commit after a flush only while caught up: a steady load's sums
 * become visible at once, a backlog commits every {@code commit.interval.ms}.
 */
@Timeout(value = 30, unit = TimeUnit.SECONDS)
class PreAggregateCommitTest {
  private static final long NOW = Instant.parse("2026-12-02T12:00:00Z").toEpochMilli();

  private final MockProcessorContext<String, PreAggregate.Flushed> context = new MockProcessorContext<>();
  private final CommitHook hook = new CommitHook();
  private final PreAggregate processor = new PreAggregate(Duration.ofMillis(200), TopologyMetrics.NONE, hook);

  PreAggregateCommitTest() {
    for (String name : PreAggregate.storeNames(hook)) {
      KeyValueStore<String, byte[]> store = Stores.keyValueStoreBuilder(Stores.inMemoryKeyValueStore(name),
          Serdes.String(), Serdes.ByteArray()).withLoggingDisabled().withCachingDisabled().build();
      store.init(context.getStateStoreContext(), store);
      context.addStateStore(store);
    }
    processor.init(context);
  }

  @Test
  void aFlushOfRecentEventsAsksForACommit() {
    process(event("recent", NOW - 300, 200)); // ended 100 ms ago
    punctuate(NOW);
    assertThat(context.forwarded()).isNotEmpty();
    assertThat(context.committed()).isTrue();
  }

  @Test
  void aFlushOfABacklogDoesNotAskForOne() {
    process(event("old", NOW - 60_000, 500));
    process(event("older", NOW - 120_000, 500));
    punctuate(NOW);
    assertThat(context.forwarded()).as("the sums are still sent").isNotEmpty();
    assertThat(context.committed()).as("behind: commit.interval.ms decides").isFalse();
  }

  @Test
  void theNewestEventDecidesAndALongCallCountsFromItsEnd() {
    process(event("old", NOW - 60_000, 500));
    process(event("long-stream", NOW - 90_000, 89_800)); // started 90 s ago, ended 200 ms ago
    punctuate(NOW);
    assertThat(context.committed()).isTrue();
  }

  @Test
  void anIdleIntervalAsksForOneOnlyIfTheLastEventsWereRecent() {
    punctuate(NOW); // a fresh task with nothing yet: as behind, no commit asked
    assertThat(context.committed()).isFalse();
    process(event("recent", NOW, 100));
    punctuate(NOW + 200);
    assertThat(context.committed()).isTrue();
    context.resetCommit();
    punctuate(NOW + 400); // quiet after recent events: the sums still downstream get their commit
    assertThat(context.committed()).isTrue();
    context.resetCommit();
    process(event("old", NOW - 10_000, 0));
    punctuate(NOW + 600);
    assertThat(context.committed()).isFalse();
    punctuate(NOW + 800); // a backlog's interval without this partition's records stays a backlog
    assertThat(context.committed()).isFalse();
  }

  @Test
  void absurdTimesNeitherOverflowNorThrow() {
    assertThat(PreAggregate.endMillis(event("x", Long.MAX_VALUE - 10, Long.MAX_VALUE))).isEqualTo(Long.MAX_VALUE);
    assertThat(PreAggregate.endMillis(event("y", NOW, -5))).isEqualTo(NOW);
    assertThat(PreAggregate.caughtUp(Long.MAX_VALUE, NOW, false)).isTrue();
    assertThat(PreAggregate.caughtUp(NOW - PreAggregate.CAUGHT_UP_MILLIS, NOW, false)).isTrue();
    assertThat(PreAggregate.caughtUp(NOW - PreAggregate.CAUGHT_UP_MILLIS - 1, NOW, true)).isFalse();
  }

  private void process(UsageEvent e) {
    processor.process(new Record<>(e.getEventId(), e, e.getTs().toEpochMilli()));
  }

  private void punctuate(long now) {
    context.scheduledPunctuators().forEach(p -> p.getPunctuator().punctuate(now));
  }

  private static UsageEvent event(String id, long ts, long durationMs) {
    return UsageEvent.newBuilder().setEventId(id).setTs(Instant.ofEpochMilli(ts)).setDurationMs(durationMs)
        .setTtftMs(null).setGatewayId("gw").setKeyHash("k").setKeyAlias(null).setCustomerId("c")
        .setCustomerSource("header_customer_id").setTool("claude-code").setToolVersion(null).setUserAgent(null)
        .setSessionId(null).setProvider("anthropic").setApi("messages").setModelRequested("m").setModel(null)
        .setStatusCode(200).setAborted(false).setErrorType(null).setInputTokens(10).setOutputTokens(5)
        .setCacheReadTokens(0).setCacheWrite5mTokens(0).setCacheWrite1hTokens(0).setReasoningTokens(0)
        .setCostNanos(1_000).setPriceKnown(true).setUpstreamRequestId(null).setRequestTags(List.of())
        .setBudgetPeriods(List.of()).build();
  }
}
