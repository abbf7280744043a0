package io.tollgate.launcher;

import static org.assertj.core.api.Assertions.assertThat;

import io.tollgate.ingress.Gateway;
import io.tollgate.local.junit.KafkaExtension;
import io.tollgate.local.kafka.FreePorts;
import io.tollgate.local.kafka.KafkaCluster;
import io.tollgate.local.mock.MockProvider;
import io.tollgate.schemas.UsageEvent;
import io.tollgate.schemas.serde.TollgateSerdes;
import io.tollgate.schemas.topics.Topics;
import java.io.PrintStream;
import java.io.ByteArrayOutputStream;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.stream.Collectors;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/** {@code --demo} through the launcher's own gateway config and the mock provider: varied, priced, with one spike. */
@ExtendWith(KafkaExtension.class)
class DemoTrafficIT {

  @Test
  void sendsVariedPricedTrafficWithOneCustomerOverFiftyDollars(KafkaCluster kafka, @TempDir Path home) throws Exception {
    Instant started = Instant.now();
    LauncherOptions options = LauncherOptions.parse(new String[] {"--home", home.toString(),
        "--port", Integer.toString(FreePorts.pick()), "--demo"}, Map.of());
    try (MockProvider mock = MockProvider.start(0);
         Gateway gateway = Gateway.start(GatewayConfigs.build(options, kafka.bootstrapServers(), mock.baseUrl(), Map.of()))) {
      ByteArrayOutputStream console = new ByteArrayOutputStream();
      try (DemoTraffic demo = DemoTraffic.start("http://127.0.0.1:" + gateway.port(), Duration.ofSeconds(12),
          new PrintStream(console, true))) {
        assertThat(demo.awaitDone(Duration.ofSeconds(60))).isTrue();
        assertThat(demo.failed()).isZero();
        assertThat(demo.sent()).isGreaterThan(40);
        assertThat(console.toString()).contains("Demo traffic finished");
      }
    }
    List<UsageEvent> events = new ArrayList<>();
    try (KafkaConsumer<String, UsageEvent> consumer = new KafkaConsumer<>(Map.of("bootstrap.servers",
        kafka.bootstrapServers(), "group.id", "demo-read-" + UUID.randomUUID(), "auto.offset.reset", "earliest"),
        new StringDeserializer(), TollgateSerdes.usageEvent())) {
      consumer.subscribe(List.of(Topics.USAGE.name()));
      int idle = 0;
      long deadline = System.nanoTime() + Duration.ofSeconds(90).toNanos();
      // Idle polls count only once records flow: joining the group can take longer than the idle limit.
      while ((idle < 6 || events.isEmpty()) && System.nanoTime() < deadline) {
        var records = consumer.poll(Duration.ofMillis(500));
        records.forEach(r -> {
          if (!r.value().getTs().isBefore(started)) { // the broker is shared with other test classes
            events.add(r.value());
          }
        });
        idle = records.isEmpty() ? idle + 1 : 0;
      }
    }
    List<UsageEvent> demo = events.stream().filter(e -> e.getUserAgent() != null && e.getCustomerId() != null
        && !e.getCustomerId().isEmpty()).toList();
    assertThat(demo.stream().map(UsageEvent::getTool).collect(Collectors.toSet()))
        .contains("claude-code", "codex", "gemini-cli");
    assertThat(demo).anySatisfy(e -> {
      assertThat(e.getProvider()).isEqualTo("gemini");
      assertThat(e.getApi()).isEqualTo("stream_generate_content");
      assertThat(e.getCostNanos()).isPositive();
    });
    assertThat(demo.stream().map(UsageEvent::getCustomerId).collect(Collectors.toSet())).hasSizeGreaterThanOrEqualTo(4)
        .contains(DemoTraffic.SPIKE_CUSTOMER);
    assertThat(demo).allSatisfy(e -> {
      assertThat(e.getPriceKnown()).as("model %s priced", e.getModelRequested()).isTrue();
      assertThat(e.getStatusCode()).isEqualTo(200);
    });
    assertThat(demo).anySatisfy(e -> assertThat(e.getCacheReadTokens()).isPositive());
    // Tags ride on a share of all calls, Gemini CLI's too (x-litellm-tags), and on the spike.
    assertThat(demo).anySatisfy(e -> assertThat(e.getRequestTags()).isEmpty());
    assertThat(demo.stream().filter(e -> e.getTool().equals("gemini-cli") && !e.getRequestTags().isEmpty()))
        .isNotEmpty()
        .allSatisfy(e -> {
          assertThat(e.getRequestTags()).hasSize(2).endsWith("env:prod");
          assertThat(DemoTraffic.FEATURES).contains(e.getRequestTags().get(0));
        });
    assertThat(demo.stream().filter(e -> e.getApi().equals("messages") && !e.getRequestTags().isEmpty()))
        .as("tagged Messages calls, in the header or in metadata.tags").isNotEmpty();
    assertThat(demo).filteredOn(e -> e.getCustomerId().equals(DemoTraffic.SPIKE_CUSTOMER))
        .allSatisfy(e -> assertThat(e.getRequestTags()).containsExactly(DemoTraffic.SPIKE_FEATURE, "env:prod"));
    long spike = demo.stream().filter(e -> e.getCustomerId().equals(DemoTraffic.SPIKE_CUSTOMER))
        .mapToLong(UsageEvent::getCostNanos).sum();
    assertThat(spike).as("the spike crosses the default $50/day rule").isGreaterThan(50_000_000_000L);
  }
}
