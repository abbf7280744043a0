package io.tollgate.local.containers;

import io.tollgate.schemas.clickhouse.ClickHouseSettings;
import org.testcontainers.clickhouse.ClickHouseContainer;

/** A current ClickHouse from the official image, for running the same ITs against production-like servers. */
public final class ContainerClickHouse implements AutoCloseable {
  /** Pinned like docker-compose. */
  public static final String IMAGE = "clickhouse/clickhouse-server:25.8";

  private final ClickHouseContainer container;

  private ContainerClickHouse(ClickHouseContainer container) {
    this.container = container;
  }

  /** Starts the container (requires Docker). */
  public static ContainerClickHouse start() {
    ClickHouseContainer container = new ClickHouseContainer(IMAGE);
    container.start();
    return new ContainerClickHouse(container);
  }

  public String url() {
    return "http://" + container.getHost() + ":" + container.getMappedPort(8123);
  }

  public ClickHouseSettings settings(String database) {
    return new ClickHouseSettings(url(), database, container.getUsername(), container.getPassword(), null);
  }

  @Override
  public void close() {
    container.stop();
  }
}
