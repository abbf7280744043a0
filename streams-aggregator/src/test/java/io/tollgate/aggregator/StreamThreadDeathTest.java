package io.tollgate.aggregator;

import static org.assertj.core.api.Assertions.assertThat;

import io.tollgate.schemas.serde.SchemaStoreUnavailableException;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.streams.errors.StreamsException;
import org.apache.kafka.streams.errors.StreamsUncaughtExceptionHandler.StreamThreadExceptionResponse;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** Which stream-thread deaths the aggregator survives by retrying, and which stop it. */
@Timeout(value = 10, unit = TimeUnit.SECONDS)
class StreamThreadDeathTest {
  @Test
  void anUnreadableSchemaTopicReplacesTheThreadSoTheRecordIsRetried() {
    Throwable wrapped = new StreamsException("task failed",
        new StreamsException(new SchemaStoreUnavailableException("schema topic down", null)));
    assertThat(AggregatorApp.onStreamThreadDeath(wrapped)).isEqualTo(StreamThreadExceptionResponse.REPLACE_THREAD);
  }

  @Test
  void anythingElseStopsTheInstanceAsBefore() {
    assertThat(AggregatorApp.onStreamThreadDeath(new StreamsException(new IllegalStateException("bug"))))
        .isEqualTo(StreamThreadExceptionResponse.SHUTDOWN_CLIENT);
  }
}
