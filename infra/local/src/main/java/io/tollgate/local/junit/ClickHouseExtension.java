package io.tollgate.local.junit;

import io.tollgate.local.clickhouse.LocalClickHouse;
import io.tollgate.local.containers.ContainerClickHouse;
import io.tollgate.local.containers.Fixtures;
import io.tollgate.schemas.clickhouse.ClickHouseClient;
import io.tollgate.schemas.clickhouse.ClickHouseMigrations;
import io.tollgate.schemas.clickhouse.ClickHouseSettings;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.util.UUID;
import java.util.function.Function;
import io.tollgate.local.containers.DockerCondition;
import org.junit.jupiter.api.extension.ConditionEvaluationResult;
import org.junit.jupiter.api.extension.ExecutionCondition;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.ParameterContext;
import org.junit.jupiter.api.extension.ParameterResolver;

/**
 * Gives tests a {@link ClickHouseTestDatabase}: one ClickHouse server per test JVM (a local
 * process, {@code CLICKHOUSE_URL}, or a container with {@code -Dtollgate.fixtures=testcontainers})
 * and a fresh database per test class, migrated, dropped when the class ends — so classes never
 * see each other's rows.
 */
public final class ClickHouseExtension implements ParameterResolver, ExecutionCondition {
  private static final ExtensionContext.Namespace NS = ExtensionContext.Namespace.create(ClickHouseExtension.class);

  /** The JVM-wide server: a factory of settings per database, closed at the end of the run. */
  private record Server(Function<String, ClickHouseSettings> settings, AutoCloseable owner) implements AutoCloseable {
    @Override
    public void close() throws Exception {
      owner.close();
    }
  }

  /** Closing the class-level store entry drops the database. */
  private record Database(ClickHouseTestDatabase value) implements AutoCloseable {
    @Override
    public void close() {
      value.client().dropDatabase();
    }
  }

  /** Skips (not fails) the tests when container fixtures are selected but Docker is missing. */
  @Override
  public ConditionEvaluationResult evaluateExecutionCondition(ExtensionContext context) {
    return DockerCondition.evaluate();
  }

  @Override
  public boolean supportsParameter(ParameterContext parameter, ExtensionContext context) {
    return parameter.getParameter().getType() == ClickHouseTestDatabase.class;
  }

  @Override
  public Object resolveParameter(ParameterContext parameter, ExtensionContext context) {
    ExtensionContext classContext = context;
    while (classContext.getTestMethod().isPresent() && classContext.getParent().isPresent()) {
      classContext = classContext.getParent().get();
    }
    Server server = server(context);
    return classContext.getStore(NS).computeIfAbsent("database", key -> {
      String name = "t_" + UUID.randomUUID().toString().replace("-", "").substring(0, 12);
      ClickHouseClient client = new ClickHouseClient(server.settings().apply(name));
      new ClickHouseMigrations(client).apply();
      return new Database(new ClickHouseTestDatabase(client.settings(), client));
    }, Database.class).value();
  }

  private static Server server(ExtensionContext context) {
    Fixtures fixtures = Fixtures.selected();
    return context.getRoot().getStore(NS).computeIfAbsent("server", key -> {
      if (fixtures == Fixtures.TESTCONTAINERS) {
        ContainerClickHouse container = ContainerClickHouse.start();
        return new Server(container::settings, container);
      }
      try {
        var dir = Files.createTempDirectory("tollgate-clickhouse-test");
        LocalClickHouse local = LocalClickHouse.startOrConnect(LocalClickHouse.Options.in(dir));
        return new Server(local::settings, () -> {
          local.close();
          TempDirs.deleteQuietly(dir);
        });
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }, Server.class);
  }
}
