package io.tollgate.local.junit;

import io.tollgate.local.containers.ContainerKafka;
import io.tollgate.local.containers.Fixtures;
import io.tollgate.local.kafka.EmbeddedKafka;
import io.tollgate.local.kafka.KafkaCluster;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import io.tollgate.local.containers.DockerCondition;
import org.junit.jupiter.api.extension.ConditionEvaluationResult;
import org.junit.jupiter.api.extension.ExecutionCondition;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.ParameterContext;
import org.junit.jupiter.api.extension.ParameterResolver;

/**
 * Gives tests a {@link KafkaCluster}: one broker per test JVM, shared by all test classes (a
 * broker takes seconds to start) and stopped when the run ends. Tests isolate themselves with
 * their own topic names or consumer groups. With {@code -Dtollgate.fixtures=testcontainers} the
 * broker is a container instead; without Docker such tests are skipped, not failed.
 */
public final class KafkaExtension implements ParameterResolver, ExecutionCondition {
  private static final ExtensionContext.Namespace NS = ExtensionContext.Namespace.create(KafkaExtension.class);

  /** Skips (not fails) the tests when container fixtures are selected but Docker is missing. */
  @Override
  public ConditionEvaluationResult evaluateExecutionCondition(ExtensionContext context) {
    return DockerCondition.evaluate();
  }

  @Override
  public boolean supportsParameter(ParameterContext parameter, ExtensionContext context) {
    return parameter.getParameter().getType() == KafkaCluster.class;
  }

  @Override
  public Object resolveParameter(ParameterContext parameter, ExtensionContext context) {
    return shared(context);
  }

  /** The JVM-wide cluster, started on first use. */
  public static KafkaCluster shared(ExtensionContext context) {
    Fixtures fixtures = Fixtures.selected();
    ExtensionContext.Store store = context.getRoot().getStore(NS);
    return store.computeIfAbsent("kafka", key -> startCluster(fixtures), KafkaCluster.class);
  }

  private static KafkaCluster startCluster(Fixtures fixtures) {
    if (fixtures == Fixtures.TESTCONTAINERS) {
      return ContainerKafka.start(3);
    }
    try {
      var dir = Files.createTempDirectory("tollgate-kafka-test");
      EmbeddedKafka kafka = EmbeddedKafka.start(EmbeddedKafka.Options.in(dir));
      return new KafkaCluster() {
        @Override
        public String bootstrapServers() {
          return kafka.bootstrapServers();
        }

        @Override
        public void close() {
          kafka.close();
          TempDirs.deleteQuietly(dir);
        }
      };
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
