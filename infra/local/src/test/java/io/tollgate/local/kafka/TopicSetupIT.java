package io.tollgate.local.kafka;

import static org.assertj.core.api.Assertions.assertThat;

import io.tollgate.schemas.topics.TopicSetup;
import io.tollgate.schemas.topics.TopicSpec;
import io.tollgate.schemas.topics.Topics;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.Config;
import org.apache.kafka.common.config.ConfigResource;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A broker without the Tollgate topics (auto-creation would get compaction wrong): the apps' start-up creates them right. */
class TopicSetupIT {

  @Test
  void createsEveryMissingTopicWithItsContractConfigsOnceOnly(@TempDir Path dir) throws Exception {
    try (EmbeddedKafka kafka = EmbeddedKafka.start(new EmbeddedKafka.Options(dir, 0, 0, 2, false));
         Admin admin = kafka.admin()) {
      assertThat(admin.listTopics().names().get(30, TimeUnit.SECONDS)).doesNotContain(Topics.ALERTS.name());
      List<String> created = TopicSetup.ensure(kafka.bootstrapServers(), Duration.ofSeconds(30));
      assertThat(created).containsExactlyInAnyOrderElementsOf(Topics.ALL.stream().map(TopicSpec::name).toList());
      for (TopicSpec spec : Topics.ALL) {
        ConfigResource r = new ConfigResource(ConfigResource.Type.TOPIC, spec.name());
        Config config = admin.describeConfigs(List.of(r)).all().get(30, TimeUnit.SECONDS).get(r);
        for (Map.Entry<String, String> e : spec.configs().entrySet()) {
          assertThat(config.get(e.getKey()).value()).as(spec.name() + " " + e.getKey()).isEqualTo(e.getValue());
        }
      }
      assertThat(TopicSetup.ensure(kafka.bootstrapServers(), Duration.ofSeconds(30))).as("second start").isEmpty();
    }
  }
}
